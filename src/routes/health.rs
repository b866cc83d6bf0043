use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::http::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness
///
/// The process is up and answering. Needs no token; not rate limited.
#[utoipa::path(
    operation_id = "health_live",
    tag = "health",
    security(()),
    responses((status = 200, description = "The process is alive.", body = Health,
               example = json!({"status": "ok"})))
)]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Readiness
///
/// The service can reach its database. Needs no token; not rate limited.
#[utoipa::path(
    operation_id = "health_ready",
    tag = "health",
    security(()),
    responses(
        (status = 200, description = "Ready to serve.", body = Health, example = json!({"status": "ok"})),
        (status = 503, description = "The database is not reachable.", body = Problem,
         content_type = "application/problem+json")
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    crate::db::ping(&mut conn)
        .await
        .map_err(|_| ApiError::Unavailable("The database did not answer.".into()))?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
    }))
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(live).service(ready);
}
