use actix_web::{get, web, HttpRequest};

use crate::api::outcomes::{FamilyOutcomes, OutcomesQuery};
use crate::error::{ApiResult, Problem};
use crate::http::extract::{query_map, Allowed, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service;

/// Explain a family's results
///
/// Judges every result of the ruleset the family was attached under (phase 1: crime/ASB and
/// education, progress to work, continuous employment; phase 2: sustained progress; Supporting
/// Families: sustained outcomes) on a date, by the revision it was attached under: whether each
/// is achieved and when, each component with its status (`passed`, `failed`, `not_yet_shown`,
/// `not_tested`), the figures that decide it (attendance per term per child, ASB and offending
/// before and after, the employment spell) and the ids of the evidence records. Claims officers
/// may read any attached family; lead and key workers their own.
#[utoipa::path(
    operation_id = "get_family_outcomes",
    tag = "outcomes",
    params(("family_id" = Uuid, Path, description = "Family id"), OutcomesQuery),
    extensions(("x-policy" = json!(service::outcomes::Read::ROLES))),
    responses(
        (status = 200, description = "Each result, explained.", body = FamilyOutcomes),
        (status = 404, description = "No such family visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The family is not attached (under that ruleset), or the date is before its attachment or after today.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/families/{family_id}/outcomes")]
pub async fn get_family_outcomes(
    req: HttpRequest,
    ctx: Allowed<service::outcomes::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    let params = query_map(&req, &["ruleset", "as_of"])?;
    service::outcomes::family(&state.pool, &ctx, path.one(), params).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_family_outcomes);
}
