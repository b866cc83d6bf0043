use actix_web::{get, post, web, HttpRequest};

use crate::api::params;
use crate::api::timeline::*;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, Allowed, Body, IfMatch, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, consent as cs, families as fam, timeline as tl};

/// Add to the Team Around the Family
///
/// Seats a member of staff on the family's team. A lead or key worker on the team sees the
/// family.
#[utoipa::path(
    operation_id = "add_team_member",
    tag = "team",
    request_body = TafMemberCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(tl::Team::ROLES))),
    responses(
        (status = 201, description = "Added.", body = TafMember,
         headers(("Location" = String, description = "The family's team"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already on the team, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/team")]
pub async fn add_team_member(
    req: HttpRequest,
    ctx: Allowed<tl::Team>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<TafMemberCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::timeline::add_member(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// List the Team Around the Family
///
/// Everyone who sits or sat on it, in the order they joined.
#[utoipa::path(
    operation_id = "list_team",
    tag = "team",
    params(("family_id" = Uuid, Path, description = "Family id")),
    extensions(("x-policy" = json!(fam::TeamRead::ROLES))),
    responses(
        (status = 200, description = "The team, past and present.", body = Page<TafMember>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/team")]
pub async fn list_team(
    ctx: Allowed<fam::TeamRead>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::timeline::list_members(&state.pool, &ctx, path.one()).await
}

/// Leave the Team Around the Family
///
/// The FCAF's lead worker cannot leave until another is named. Needs `If-Match`.
#[utoipa::path(
    operation_id = "leave_team",
    tag = "team",
    request_body = TafMemberLeave,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("team_member_id" = Uuid, Path, description = "The seat's id"),
           params::IfMatch),
    extensions(("x-policy" = json!(tl::Team::ROLES))),
    responses(
        (status = 200, description = "Left.", body = TafMember, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such team member visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already left, or leads the open FCAF.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/team/{team_member_id}/leave")]
pub async fn leave_team(
    ctx: Allowed<tl::Team>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<TafMemberLeave>,
) -> ApiResult<Reply> {
    service::timeline::leave(&state.pool, &ctx, path.two(), expected.0, body.value).await
}

/// Record a plan on the timeline
///
/// A child protection or child in need plan (a child's), or the Family Recovery Programme (the
/// family's), with who agreed it. With `follows_episode_id` it is a step up or down from that
/// episode, which ends the day before if still open. Periods of one kind for one person never
/// overlap (409).
#[utoipa::path(
    operation_id = "create_care_episode",
    tag = "timeline",
    request_body = EpisodeCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(cs::Record::ROLES))),
    responses(
        (status = 201, description = "Recorded.", body = Episode,
         headers(("Location" = String, description = "The family's timeline"), ("ETag" = String, description = "Always \"1\""))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It overlaps another episode of its kind, follows an open FCAF, or the Idempotency-Key is in flight.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/care-episodes")]
pub async fn create_care_episode(
    req: HttpRequest,
    ctx: Allowed<cs::Record>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<EpisodeCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::timeline::create_episode(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// The family's timeline
///
/// Social care plans and early help in date order, each with its direction (start, step up,
/// step down, transfer) and who agreed it.
#[utoipa::path(
    operation_id = "list_care_episodes",
    tag = "timeline",
    params(("family_id" = Uuid, Path, description = "Family id")),
    extensions(("x-policy" = json!(fam::Read::ROLES))),
    responses(
        (status = 200, description = "The timeline.", body = Page<Episode>),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/care-episodes")]
pub async fn list_care_episodes(
    ctx: Allowed<fam::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::timeline::timeline(&state.pool, &ctx, path.one()).await
}

/// End a plan on the timeline
///
/// An FCAF's episode ends when the FCAF closes (409 here). Needs `If-Match`.
#[utoipa::path(
    operation_id = "end_care_episode",
    tag = "timeline",
    request_body = EpisodeEnd,
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("episode_id" = Uuid, Path, description = "Episode id"),
           params::IfMatch),
    extensions(("x-policy" = json!(cs::Record::ROLES))),
    responses(
        (status = 200, description = "Ended.", body = Episode, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such episode visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ended, or an FCAF's.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/families/{family_id}/care-episodes/{episode_id}/end")]
pub async fn end_care_episode(
    ctx: Allowed<cs::Record>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<EpisodeEnd>,
) -> ApiResult<Reply> {
    service::timeline::end_episode(&state.pool, &ctx, path.two(), expected.0, body.value).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(add_team_member)
        .service(list_team)
        .service(leave_team)
        .service(create_care_episode)
        .service(list_care_episodes)
        .service(end_care_episode);
}
