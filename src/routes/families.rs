use actix_web::{delete, get, patch, post, web, HttpRequest};

use crate::api::families::*;
use crate::api::params;
use crate::api::Page;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{idem, if_match, query_map, Allowed, Body, IfMatch, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service;
use crate::service::families as fam;

/// Create a family
///
/// Creates a family (household), optionally with its members, in one transaction. The reference
/// (`FFC-000123`) is generated. Identifiers are checked: UPN check letter, NHS number modulus 11,
/// NI number format and prefixes. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    operation_id = "create_family",
    tag = "families",
    request_body = FamilyCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry: the same key with the same body replays the first response.", max_length = 255, pattern = "^[!-~]{1,255}$")),
    extensions(("x-policy" = json!(fam::Write::ROLES))),
    responses(
        (status = 201, description = "Created.", body = Family,
         headers(("Location" = String, description = "URL of the new family"), ("ETag" = String, description = "Current version"))),
    )
)]
#[post("/families")]
pub async fn create_family(
    req: HttpRequest,
    ctx: Allowed<fam::Write>,
    state: web::Data<AppState>,
    body: Body<FamilyCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::families::create_family(&state.pool, &ctx, body.value, idem).await
}

/// List families
///
/// Families newest first, filtered by postcode, status and text in the reference or a member's
/// name, with cursor pagination. Archived families appear only when `status=archived` is asked for.
/// Key workers, lead workers, employment advisers and social workers see their own caseload: the
/// families allocated to them and those whose Team Around the Family they sit on.
#[utoipa::path(
    operation_id = "list_families",
    tag = "families",
    params(FamilyListQuery, params::Page),
    extensions(("x-policy" = json!(fam::TeamRead::ROLES))),
    responses((status = 200, description = "A page of families.", body = Page<FamilySummary>,
        example = json!({"items": [{"id": "019a2b3c-0000-7000-8000-000000000002", "reference": "FFC-000001",
            "town": "Rotherham", "postcode": "S60 1AE", "status": "identified",
            "members": [{"id": "019a2b3c-0000-7000-8000-000000000003", "member_role": "adult",
                         "given_name": "Adult", "family_name": "H"}],
            "created_at": "2026-11-25T10:00:00Z", "version": 1}],
            "next_cursor": "AZorPAAAcACAAAAAAAAAAg"})))
)]
#[get("/families")]
pub async fn list_families(
    req: HttpRequest,
    ctx: Allowed<fam::TeamRead>,
    state: web::Data<AppState>,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["postcode", "status", "q", "limit", "cursor"])?;
    service::families::list_families(&state.pool, &ctx, params).await
}

/// Get a family
///
/// The family with its current members and relatives outside the household. The `ETag` header
/// carries the version to send back in `If-Match`.
#[utoipa::path(
    operation_id = "get_family",
    tag = "families",
    params(("family_id" = Uuid, Path, description = "Family id")),
    extensions(("x-policy" = json!(fam::TeamRead::ROLES))),
    responses(
        (status = 200, description = "The family.", body = Family, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}")]
pub async fn get_family(
    ctx: Allowed<fam::TeamRead>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::families::get_family(&state.pool, &ctx, path.one()).await
}

/// Update a family
///
/// Changes the address, tenure, size or notes. Absent fields stay; `null` clears an optional
/// field. Status changes only through programme actions. Needs `If-Match`.
#[utoipa::path(
    operation_id = "update_family",
    tag = "families",
    request_body(content = FamilyUpdate, content_type = "application/json"),
    params(("family_id" = Uuid, Path, description = "Family id"),
           ("If-Match" = String, Header, description = "The ETag last read, e.g. `\"3\"`")),
    extensions(("x-policy" = json!(fam::Write::ROLES))),
    responses(
        (status = 200, description = "Updated.", body = Family, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/families/{family_id}")]
pub async fn update_family(
    ctx: Allowed<fam::Write>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<FamilyUpdate>,
) -> ApiResult<Reply> {
    let expected = expected.0;
    service::families::update_family(&state.pool, &ctx, path.one(), expected, body.value).await
}

/// Archive a family
///
/// Soft delete: the family leaves lists and reads but nothing is erased. Refused (409) once the
/// family is attached to the programme or while it has an open FCAF. Needs `If-Match`.
#[utoipa::path(
    operation_id = "archive_family",
    tag = "families",
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IfMatch),
    extensions(("x-policy" = json!(fam::Write::ROLES))),
    responses(
        (status = 204, description = "Archived."),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The family is attached or closed, or has an open FCAF, and cannot be archived.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/families/{family_id}")]
pub async fn archive_family(
    req: HttpRequest,
    ctx: Allowed<fam::Write>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let expected = if_match(&req)?;
    service::families::archive_family(&state.pool, &ctx, path.one(), expected).await
}

/// Add a member
///
/// Adds a person to the household. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    operation_id = "create_member",
    tag = "members",
    request_body = MemberCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(fam::Write::ROLES))),
    responses(
        (status = 201, description = "Created.", body = Member,
         headers(("Location" = String, description = "URL of the new member"), ("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/families/{family_id}/members")]
pub async fn create_member(
    req: HttpRequest,
    ctx: Allowed<fam::Write>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<MemberCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::families::add_member(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// Get a member
#[utoipa::path(
    operation_id = "get_member",
    tag = "members",
    description = "One current member of the household.",
    params(("family_id" = Uuid, Path, description = "Family id"), ("member_id" = Uuid, Path, description = "Member id")),
    extensions(("x-policy" = json!(fam::TeamRead::ROLES))),
    responses(
        (status = 200, description = "The member.", body = Member, headers(("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such family or member visible to you.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/members/{member_id}")]
pub async fn get_member(
    ctx: Allowed<fam::TeamRead>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let (family_id, member_id) = path.two();
    service::families::get_member(&state.pool, &ctx, family_id, member_id).await
}

/// Update a member
///
/// Absent fields stay; `null` clears an optional field (identifiers, school). Needs `If-Match`.
#[utoipa::path(
    operation_id = "update_member",
    tag = "members",
    request_body(content = MemberUpdate, content_type = "application/json"),
    params(("family_id" = Uuid, Path, description = "Family id"), ("member_id" = Uuid, Path, description = "Member id"),
           params::IfMatch),
    extensions(("x-policy" = json!(fam::Write::ROLES))),
    responses(
        (status = 200, description = "Updated.", body = Member, headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such family or member visible to you.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/families/{family_id}/members/{member_id}")]
pub async fn update_member(
    ctx: Allowed<fam::Write>,
    state: web::Data<AppState>,
    path: PathIds,
    expected: IfMatch,
    body: Body<MemberUpdate>,
) -> ApiResult<Reply> {
    let expected = expected.0;
    let (family_id, member_id) = path.two();
    service::families::update_member(
        &state.pool,
        &ctx,
        family_id,
        member_id,
        expected,
        body.value,
    )
    .await
}

/// Archive a member
///
/// Soft delete: the person leaves the household's current members; nothing is erased.
/// Needs `If-Match`.
#[utoipa::path(
    operation_id = "archive_member",
    tag = "members",
    params(("family_id" = Uuid, Path, description = "Family id"), ("member_id" = Uuid, Path, description = "Member id"),
           params::IfMatch),
    extensions(("x-policy" = json!(fam::Write::ROLES))),
    responses(
        (status = 204, description = "Archived."),
        (status = 404, description = "No such family or member visible to you.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/families/{family_id}/members/{member_id}")]
pub async fn archive_member(
    req: HttpRequest,
    ctx: Allowed<fam::Write>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let expected = if_match(&req)?;
    let (family_id, member_id) = path.two();
    service::families::archive_member(&state.pool, &ctx, family_id, member_id, expected).await
}

/// Add a relative outside the household
///
/// Records a relationship with someone who does not live in the household (e.g. an older son
/// living elsewhere). Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    operation_id = "create_relative",
    tag = "members",
    request_body = RelativeCreate,
    params(("family_id" = Uuid, Path, description = "Family id"),
           params::IdempotencyKey),
    extensions(("x-policy" = json!(fam::Write::ROLES))),
    responses(
        (status = 201, description = "Created.", body = Relative,
         headers(("Location" = String, description = "URL of the new relative"), ("ETag" = String, description = "Current version"))),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/families/{family_id}/relatives")]
pub async fn create_relative(
    req: HttpRequest,
    ctx: Allowed<fam::Write>,
    state: web::Data<AppState>,
    path: PathIds,
    body: Body<RelativeCreate>,
) -> ApiResult<Reply> {
    let idem = idem(&req, &body)?;
    service::families::add_relative(&state.pool, &ctx, path.one(), body.value, idem).await
}

/// Archive a relative
///
/// Soft delete of a recorded relationship. Needs `If-Match`.
#[utoipa::path(
    operation_id = "archive_relative",
    tag = "members",
    params(("family_id" = Uuid, Path, description = "Family id"), ("relative_id" = Uuid, Path, description = "Relative id"),
           params::IfMatch),
    extensions(("x-policy" = json!(fam::Write::ROLES))),
    responses(
        (status = 204, description = "Archived."),
        (status = 404, description = "No such family or relative visible to you.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/families/{family_id}/relatives/{relative_id}")]
pub async fn archive_relative(
    req: HttpRequest,
    ctx: Allowed<fam::Write>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let expected = if_match(&req)?;
    let (family_id, relative_id) = path.two();
    service::families::archive_relative(&state.pool, &ctx, family_id, relative_id, expected).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_family)
        .service(list_families)
        .service(get_family)
        .service(update_family)
        .service(archive_family)
        .service(create_member)
        .service(get_member)
        .service(update_member)
        .service(archive_member)
        .service(create_relative)
        .service(archive_relative);
}
