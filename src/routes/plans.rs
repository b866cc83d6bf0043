use actix_web::{get, post, put, web, HttpRequest};

use crate::api::params;
use crate::api::plans::*;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, query_map, Allowed, Body, IfMatch, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, assessments as asm, families as fam, plans as pl};

/// Record a Team Around the Family meeting
///
/// A planned meeting, or one held: who came (staff and agencies, and whether the family did), what
/// was decided, and when the team next reviews the plan (within the configured 6-12 weeks). A held
/// meeting cannot be in the future (422). The family's FCAF must be agreed (409).
#[utoipa::path(
    operation_id = "create_taf_meeting",
    tag = "team",
    request_body = MeetingInput,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(asm::Work::ROLES))),
    responses(
        (status = 201, description = "Recorded.", body = Meeting,
         headers(("Location" = String, description = "The family's meetings"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No agreed FCAF, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/taf-meetings")]
pub async fn create_taf_meeting(
    req: HttpRequest,
    ctx: Allowed<asm::Work>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<MeetingInput>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::plans::create_meeting(
        &state.pool,
        &ctx,
        path.one(),
        body.value,
        idem,
        state.config.taf_review,
    )
    .await
}

/// List a family's Team Around the Family meetings
///
/// Newest first.
#[utoipa::path(
    operation_id = "list_taf_meetings",
    tag = "team",
    params(("family_id" = Uuid, Path, description = "Family id")),
    extensions(("x-policy" = json!(fam::TeamRead::ROLES))),
    responses(
        (status = 200, description = "The meetings.", body = Page<Meeting>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/taf-meetings")]
pub async fn list_taf_meetings(
    ctx: Allowed<fam::TeamRead>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::plans::list_meetings(&state.pool, &ctx, path.one()).await
}

/// Update a Team Around the Family meeting
///
/// Replaces its record: a planned meeting becomes `held` (with its attendees and decisions) or
/// `cancelled`; a held one may be corrected but stays held. Needs `If-Match`.
#[utoipa::path(
    operation_id = "update_taf_meeting",
    tag = "team",
    request_body = MeetingInput,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("meeting_id" = Uuid, Path, description = "Meeting id"),
           params::IfMatch),
    extensions(("x-policy" = json!(asm::Work::ROLES))),
    responses(
        (status = 200, description = "Updated.", body = Meeting, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such meeting visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Cancelled, or its FCAF is closed.", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/families/{family_id}/taf-meetings/{meeting_id}")]
pub async fn update_taf_meeting(
    ctx: Allowed<asm::Work>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<MeetingInput>,
) -> ApiResult<Reply> {
    service::plans::update_meeting(
        &state.pool,
        &ctx,
        path.two(),
        expected.0,
        body.value,
        state.config.taf_review,
    )
    .await
}

/// Families with an overdue review
///
/// Agreed FCAFs whose next Team Around the Family review has passed, most overdue first.
/// Coordinators and managers see all (optionally one lead worker's); a lead worker sees those
/// they lead.
#[utoipa::path(
    operation_id = "list_overdue_reviews",
    tag = "team",
    params(("lead_worker_id" = Option<Uuid>, Query, description = "Only this lead worker's (coordinators and managers)."),
        params::DuePage),
    extensions(("x-policy" = json!(pl::Reviews::ROLES))),
    responses((status = 200, description = "A page of overdue reviews.", body = Page<OverdueReview>))
)]
#[get("/overdue-reviews")]
pub async fn list_overdue_reviews(
    req: HttpRequest,
    ctx: Allowed<pl::Reviews>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["lead_worker_id", "limit", "cursor"])?;
    service::plans::overdue_reviews(&state.pool, &ctx, params).await
}

/// Add an action to the plan
///
/// An action of the family's open FCAF: what, owned by a member of staff or an organisation, due
/// when (not before the FCAF started: 422), for which need.
#[utoipa::path(
    operation_id = "create_action",
    tag = "actions",
    request_body = ActionInput,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(asm::Work::ROLES))),
    responses(
        (status = 201, description = "Added.", body = PlanAction,
         headers(("Location" = String, description = "The family's actions"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No open FCAF, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/actions")]
pub async fn create_action(
    req: HttpRequest,
    ctx: Allowed<asm::Work>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<ActionInput>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::plans::create_action(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List a family's actions
///
/// Newest first, each with its progress notes. An employment adviser or social worker on the
/// family's team sees the actions they own or share: owned by them, or by the organisation their
/// staff record names.
#[utoipa::path(
    operation_id = "list_actions",
    tag = "actions",
    params(("family_id" = Uuid, Path, description = "Family id"),
        ("status" = Option<ActionStatus>, Query, description = "Only actions in this status."),
        ("assessment_id" = Option<Uuid>, Query, description = "Only this FCAF's actions."),
        params::Page),
    extensions(("x-policy" = json!(fam::TeamRead::ROLES))),
    responses(
        (status = 200, description = "A page of actions.", body = Page<PlanAction>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/actions")]
pub async fn list_actions(
    req: HttpRequest,
    ctx: Allowed<fam::TeamRead>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["status", "assessment_id", "limit", "cursor"])?;
    service::plans::list_actions(&state.pool, &ctx, path.one(), params).await
}

/// Edit an open action
///
/// Replaces its description, owner, need and due date. Needs `If-Match`.
#[utoipa::path(
    operation_id = "update_action",
    tag = "actions",
    request_body = ActionInput,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("action_id" = Uuid, Path, description = "Action id"),
           params::IfMatch),
    extensions(("x-policy" = json!(asm::Work::ROLES))),
    responses(
        (status = 200, description = "Updated.", body = PlanAction, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such action visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The action is done or dropped.", body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/families/{family_id}/actions/{action_id}")]
pub async fn update_action(
    ctx: Allowed<asm::Work>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<ActionInput>,
) -> ApiResult<Reply> {
    service::plans::update_action(&state.pool, &ctx, path.two(), expected.0, body.value).await
}

/// Mark an action done
///
/// With what came of it. Needs `If-Match`.
#[utoipa::path(
    operation_id = "complete_action",
    tag = "actions",
    request_body = ActionClose,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("action_id" = Uuid, Path, description = "Action id"),
           params::IfMatch),
    extensions(("x-policy" = json!(asm::Work::ROLES))),
    responses(
        (status = 200, description = "Done.", body = PlanAction, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such action visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already done or dropped.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/actions/{action_id}/complete")]
pub async fn complete_action(
    ctx: Allowed<asm::Work>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<ActionClose>,
) -> ApiResult<Reply> {
    service::plans::close_action(
        &state.pool,
        &ctx,
        path.two(),
        expected.0,
        body.value,
        ActionStatus::Done,
    )
    .await
}

/// Drop an action
///
/// With the reason (in `outcome`). Needs `If-Match`.
#[utoipa::path(
    operation_id = "drop_action",
    tag = "actions",
    request_body = ActionClose,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("action_id" = Uuid, Path, description = "Action id"),
           params::IfMatch),
    extensions(("x-policy" = json!(asm::Work::ROLES))),
    responses(
        (status = 200, description = "Dropped.", body = PlanAction, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such action visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already done or dropped.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/actions/{action_id}/drop")]
pub async fn drop_action(
    ctx: Allowed<asm::Work>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<ActionClose>,
) -> ApiResult<Reply> {
    service::plans::close_action(
        &state.pool,
        &ctx,
        path.two(),
        expected.0,
        body.value,
        ActionStatus::Dropped,
    )
    .await
}

/// Note progress on an action
///
/// Answers with the action and all its notes. Notes are never edited. An employment adviser or
/// social worker on the family's team notes progress on the actions they own or share; any other
/// action is 404 to them.
#[utoipa::path(
    operation_id = "add_action_progress",
    tag = "actions",
    request_body = ProgressCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("action_id" = Uuid, Path, description = "Action id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(pl::Progressing::ROLES))),
    responses(
        (status = 201, description = "Noted.", body = PlanAction,
         headers(("Location" = String, description = "The family's actions"), ("ETag" = String, description = "The action's version"))),
        (status = 404, description = "No such action visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The action is done or dropped, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/actions/{action_id}/progress")]
pub async fn add_action_progress(
    req: HttpRequest,
    ctx: Allowed<pl::Progressing>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<ProgressCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::plans::add_progress(&state.pool, &ctx, path.two(), body.value, idem).await
}

/// Overdue actions
///
/// Open actions past their due date, most overdue first. Coordinators and managers see all
/// (optionally one owner's, a member of staff or an organisation); lead and key workers,
/// employment advisers and social workers see their own.
#[utoipa::path(
    operation_id = "list_overdue_actions",
    tag = "actions",
    params(("owner_staff_id" = Option<Uuid>, Query, description = "Only this member of staff's (coordinators and managers)."),
        ("owner_organisation" = Option<String>, Query, description = "Only this organisation's (coordinators and managers).", pattern = "^[a-z0-9-]{2,40}$"),
        params::DuePage),
    extensions(("x-policy" = json!(pl::Progressing::ROLES))),
    responses((status = 200, description = "A page of overdue actions.", body = Page<OverdueAction>))
)]
#[get("/overdue-actions")]
pub async fn list_overdue_actions(
    req: HttpRequest,
    ctx: Allowed<pl::Progressing>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(
        &req,
        &["owner_staff_id", "owner_organisation", "limit", "cursor"],
    )?;
    service::plans::overdue_actions(&state.pool, &ctx, params).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_taf_meeting)
        .service(list_taf_meetings)
        .service(update_taf_meeting)
        .service(list_overdue_reviews)
        .service(create_action)
        .service(list_actions)
        .service(update_action)
        .service(complete_action)
        .service(drop_action)
        .service(add_action_progress)
        .service(list_overdue_actions);
}
