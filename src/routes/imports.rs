use actix_web::{get, post, web};

use crate::api::imports::*;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{Allowed, CsvBody, PathIds, Policy};
use crate::http::reply::Reply;
use crate::http::AppState;
use crate::service::{self, imports as imp};

/// Import schools' term records
///
/// A CSV file (UTF-8, header line first) with the columns `upn`, `academic_year` (first calendar
/// year, e.g. 2012 for 2012/13), `term` (autumn, spring, summer), `possible_sessions`,
/// `sessions_attended`, `unauthorised_absences`, `fixed_term_exclusions`; other columns are
/// ignored. Each row is matched to a current member by UPN. A missing column or a file that is not
/// UTF-8 is refused whole (422). Rows that are invalid, match nobody or match more than one person
/// are kept for review with their line numbers; the rest is imported in one transaction.
/// Uploading the same rows again adds nothing.
#[utoipa::path(
    operation_id = "import_school_terms",
    tag = "imports",
    request_body(content = String, content_type = "text/csv",
        example = "upn,academic_year,term,possible_sessions,sessions_attended,unauthorised_absences,fixed_term_exclusions\nP207000016049,2012,autumn,140,110,24,1\n"),
    extensions(("x-policy" = json!(imp::Import_::ROLES))),
    responses(
        (status = 201, description = "Imported; the summary accounts for every row.", body = Import,
         headers(("Location" = String, description = "URL of the import"), ("ETag" = String, description = "Always \"1\""))),
        (status = 413, description = "The file is larger than the service accepts.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `text/csv`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A structural fault (missing column, not UTF-8): nothing imported.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imports/school-terms")]
pub async fn import_school_terms(
    ctx: Allowed<imp::Import_>,
    state: web::Data<AppState>,
    body: CsvBody,
) -> ApiResult<Reply> {
    service::imports::import(&state.pool, &ctx, ImportKind::SchoolTerms, &body.0).await
}

/// Import police ASB and offence records
///
/// A CSV file (UTF-8, header line first) with the columns `record_type` (asb_incident,
/// asb_intervention, proven_offence), `date`, `ni_number`, `given_name`, `family_name`,
/// `date_of_birth`, `intervention_kind` (for asb_intervention). Each row is matched to a current
/// member by NI number or, where that is blank, by exact name and date of birth. Structural
/// faults are refused whole (422); unmatched, ambiguous and invalid rows are kept for review with
/// their line numbers; uploading the same rows again adds nothing.
#[utoipa::path(
    operation_id = "import_police_records",
    tag = "imports",
    request_body(content = String, content_type = "text/csv",
        example = "record_type,date,ni_number,given_name,family_name,date_of_birth,intervention_kind\nasb_incident,2013-01-19,,Child,K,1996-09-10,\n"),
    extensions(("x-policy" = json!(imp::Import_::ROLES))),
    responses(
        (status = 201, description = "Imported; the summary accounts for every row.", body = Import,
         headers(("Location" = String, description = "URL of the import"), ("ETag" = String, description = "Always \"1\""))),
        (status = 413, description = "The file is larger than the service accepts.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `text/csv`.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A structural fault (missing column, not UTF-8): nothing imported.", body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imports/police")]
pub async fn import_police_records(
    ctx: Allowed<imp::Import_>,
    state: web::Data<AppState>,
    body: CsvBody,
) -> ApiResult<Reply> {
    service::imports::import(&state.pool, &ctx, ImportKind::Police, &body.0).await
}

/// Get an import
#[utoipa::path(
    operation_id = "get_import",
    tag = "imports",
    description = "An upload's summary and every row kept for review.",
    params(("import_id" = Uuid, Path, description = "Import id")),
    extensions(("x-policy" = json!(imp::Read::ROLES))),
    responses(
        (status = 200, description = "The import.", body = Import),
        (status = 404, description = "No such import.", body = Problem, content_type = "application/problem+json")
    )
)]
// The id is pinned to a UUID so that GET on /imports/police is a 405, not a bad id.
#[get("/imports/{import_id:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}")]
pub async fn get_import(
    ctx: Allowed<imp::Read>,
    state: web::Data<AppState>,
    path: PathIds,
) -> ApiResult<Reply> {
    service::imports::get(&state.pool, &ctx, path.one()).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(import_school_terms)
        .service(import_police_records)
        .service(get_import);
}
