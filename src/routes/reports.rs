use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::api::reports::*;
use crate::error::{ApiResult, Problem};
use crate::http::extract::{bad_param, query_map, Allowed, Policy};
use crate::http::AppState;
use crate::service::reports as svc;

fn accepts(req: &HttpRequest, media: &str) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|m| m.trim().starts_with(media)))
}

fn csv_response(body: String, name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(body)
}

fn table_param<T: Copy>(
    params: &HashMap<String, String>,
    parse: fn(&str) -> Option<T>,
    default: T,
) -> ApiResult<T> {
    params
        .get("table")
        .map(|t| parse(t).ok_or_else(|| bad_param("table", "not one of this report's tables")))
        .transpose()
        .map(|t| t.unwrap_or(default))
}

/// Finance: money received and claimed
///
/// Attachment fees per ruleset and financial year from the families attached (phase 1: fees
/// for five families in six, counted cumulatively and rounded half up, so 244 families in
/// 2012/13 give 203 funded x £3,200 = £649,600 and 365 more in 2013/14 give 305 x £2,400 =
/// £732,000); results claimed, withdrawn (money recovered) and net per claim window, per
/// attachment year and per result type (submitted windows; others show as pending). All in
/// pence. With `Accept: text/csv`, the table named by `table` as CSV.
#[utoipa::path(
    operation_id = "report_finance",
    tag = "reports",
    params(FinanceQuery),
    extensions(("x-policy" = json!(svc::Read::ROLES))),
    responses((status = 200, description = "The finance view.",
        content((FinanceReport = "application/json"), (String = "text/csv"))))
)]
#[get("/reports/finance")]
pub async fn report_finance(
    req: HttpRequest,
    ctx: Allowed<svc::Read>,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let params = query_map(&req, &["table"])?;
    let table = table_param(&params, FinanceTable::parse, FinanceTable::AttachmentFees)?;
    let r = svc::finance(&state.pool, &ctx).await?;
    if !accepts(&req, "text/csv") {
        return Ok(HttpResponse::Ok().json(r));
    }
    let body = match table {
        FinanceTable::AttachmentFees => csv(&r.attachment_fees),
        FinanceTable::Windows => csv(&r.windows),
        FinanceTable::Years => csv(&r.years),
        FinanceTable::Results => csv(&r.results),
    };
    Ok(csv_response(body, &format!("finance-{}", table.as_str())))
}

/// Programme dashboard
///
/// What the board watches: families by status, attached per year against the target, open
/// cases per team (against its limit), per worker and per service (against capacity), results
/// per claim window and type, the share of attached families turned around and of employment
/// among those results (the national expectation was at least 1%), and the trajectory of
/// cumulative results. With `Accept: text/csv`, the table named by `table` as CSV.
#[utoipa::path(
    operation_id = "report_programme",
    tag = "reports",
    params(ProgrammeQuery),
    extensions(("x-policy" = json!(svc::Read::ROLES))),
    responses((status = 200, description = "The dashboard.",
        content((ProgrammeReport = "application/json"), (String = "text/csv"))))
)]
#[get("/reports/programme")]
pub async fn report_programme(
    req: HttpRequest,
    ctx: Allowed<svc::Read>,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let params = query_map(&req, &["table"])?;
    let table = table_param(&params, ProgrammeTable::parse, ProgrammeTable::Families)?;
    let r = svc::programme(&state.pool, &ctx).await?;
    if !accepts(&req, "text/csv") {
        return Ok(HttpResponse::Ok().json(r));
    }
    let body = match table {
        ProgrammeTable::Families => csv(&r.families),
        ProgrammeTable::Attached => csv(&r.attached),
        ProgrammeTable::Teams => csv(&r.teams),
        ProgrammeTable::Workers => csv(&r.workers),
        ProgrammeTable::Services => csv(&r.services),
        ProgrammeTable::Results => csv(&r.results),
        ProgrammeTable::TurnedAround => csv(&r.turned_around),
        ProgrammeTable::Trajectory => {
            let points: Vec<TrajectoryPoint> = r
                .trajectories
                .iter()
                .flat_map(|t| t.points.clone())
                .collect();
            csv(&points)
        }
    };
    Ok(csv_response(body, &format!("programme-{}", table.as_str())))
}

/// Trajectory of results against the target
///
/// Cumulative families turned around (claimed in submitted windows) at each window's cut-off,
/// against the ruleset's target. With `Accept: image/svg+xml`, the chart as SVG, ready for a
/// board paper; with `Accept: text/csv`, the points.
#[utoipa::path(
    operation_id = "report_trajectory",
    tag = "reports",
    params(TrajectoryQuery),
    extensions(("x-policy" = json!(svc::Read::ROLES))),
    responses(
        (status = 200, description = "The trajectory.",
         content((Trajectory = "application/json"), (String = "image/svg+xml"), (String = "text/csv"))),
        (status = 422, description = "No family is attached (under that ruleset) yet.", body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/reports/programme/trajectory")]
pub async fn report_trajectory(
    req: HttpRequest,
    ctx: Allowed<svc::Read>,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let params = query_map(&req, &["ruleset"])?;
    let t = svc::trajectory(&state.pool, &ctx, params.get("ruleset").cloned()).await?;
    Ok(if accepts(&req, "image/svg+xml") {
        HttpResponse::Ok()
            .content_type("image/svg+xml")
            .body(svc::svg(&t))
    } else if accepts(&req, "text/csv") {
        csv_response(csv(&t.points), "trajectory")
    } else {
        HttpResponse::Ok().json(t)
    })
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(report_finance)
        .service(report_programme)
        .service(report_trajectory);
}
