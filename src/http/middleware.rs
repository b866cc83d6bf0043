//! One middleware in front of every request: request id, authentication (verified once, kept in
//! the request's extensions), per-client rate limiting, and one access-log line.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpRequest, HttpResponse, ResponseError};

use super::AppState;
use crate::auth::Principal;
use crate::error::ApiError;

#[derive(Clone)]
pub struct RequestId(pub String);

/// What the Authorization header established.
#[derive(Clone)]
pub enum Authn {
    Missing,
    Invalid,
    /// The token is valid but whether its holder is still active could not be checked.
    Unverifiable,
    Valid(Principal),
}

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

pub async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let state = req
        .app_data::<web::Data<AppState>>()
        .expect("AppState is registered")
        .clone();
    let rid = request_id(&req);
    req.extensions_mut().insert(RequestId(rid.clone()));
    // Kept for the log (cheap clones): the request itself goes on to the handler, and routing
    // needs it unshared.
    let method = req.method().clone();
    let uri = req.uri().clone();
    let limit = std::time::Duration::from_millis(state.config.limits.request_timeout_ms);
    // Everything that may wait on the database runs under the request's deadline: a database
    // that stops answering (not even to cancel a statement) must not hold the request for ever.
    // The abandoned work's connection goes back to the pool, which discards one left inside a
    // transaction at its next checkout (PostgreSQL ends it after 15 s idle in any case).
    let work = authenticate_and_call(&state, req, next, &rid);
    let mut res = match tokio::time::timeout(limit, work).await {
        Ok(res) => res?,
        Err(_) => {
            let err = ApiError::Unavailable(
                "The request took too long, most likely waiting on the database; retry shortly."
                    .into(),
            );
            let mut answer = err.error_response();
            insert(answer.headers_mut(), "x-request-id", &rid);
            log::error!(
                "request {rid} ({method} {}) unanswered in {} ms: answered 503, its work abandoned",
                uri.path(),
                limit.as_millis()
            );
            // One series for every request cut short, whatever its route.
            account(&state, &method, "(deadline)", 503, started, &rid);
            return Err(actix_web::error::InternalError::from_response(err, answer).into());
        }
    };
    insert(res.headers_mut(), "x-request-id", &rid);
    // Unmatched paths share one series: a scan of random URLs must not grow the metrics.
    let pattern = res.request().match_pattern().unwrap_or_else(|| "-".into());
    account(
        &state,
        &method,
        &pattern,
        res.status().as_u16(),
        started,
        &rid,
    );
    Ok(res)
}

/// One metrics sample and one access-log line per request.
fn account(
    state: &AppState,
    method: &actix_web::http::Method,
    pattern: &str,
    status: u16,
    started: Instant,
    rid: &str,
) {
    let took = started.elapsed().as_secs_f64();
    state.metrics.record(method.as_str(), pattern, status, took);
    log::info!(
        target: "ffc::access",
        "{method} {pattern} {status} {:.1}ms request_id={rid}",
        took * 1000.0
    );
}

/// Authentication (with the deactivation check), the rate limit, then the handler.
async fn authenticate_and_call(
    state: &web::Data<AppState>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    rid: &str,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let authn = match req.headers().get(header::AUTHORIZATION) {
        None => Authn::Missing,
        Some(v) => match v.to_str().ok().and_then(|s| {
            s.strip_prefix("Bearer ")
                .or_else(|| s.strip_prefix("bearer "))
        }) {
            None => Authn::Invalid,
            Some(token) => match state.verifier.verify(token.trim()).await {
                Ok(p) => still_active(state, p, rid).await,
                Err(reason) => {
                    log::info!("token refused (request {rid}): {reason}");
                    Authn::Invalid
                }
            },
        },
    };
    let client_key = match &authn {
        Authn::Valid(p) => format!("sub:{}", p.caller_key()),
        _ => format!(
            "addr:{}",
            req.peer_addr()
                .map_or_else(|| "unknown".into(), |a| a.ip().to_string())
        ),
    };
    req.extensions_mut().insert(authn);

    let decision = Some(state.limiter.check(&client_key));
    let mut res = match &decision {
        Some(d) if !d.allowed => {
            let err = ApiError::TooManyRequests {
                retry_after: d.reset,
            };
            req.into_response(err.error_response())
        }
        _ => next.call(req).await?.map_into_boxed_body(),
    };
    let headers = res.headers_mut();
    if let Some(d) = decision {
        insert(headers, "ratelimit-policy", &state.limiter.policy());
        insert(headers, "ratelimit", &d.header());
    }
    Ok(res)
}

/// A deactivated member of staff's tokens stop working at once, whatever their expiry: answered
/// from this instance's set while it is current, else by asking the database.
async fn still_active(state: &AppState, p: Principal, rid: &str) -> Authn {
    let known = state.deactivated.knows(&p.subject);
    let answer = match known {
        Some(deactivated) => Ok(deactivated),
        None => {
            let Ok(mut conn) = state.pool.get().await else {
                return Authn::Unverifiable;
            };
            crate::db::staff::is_deactivated(&mut conn, &p.subject).await
        }
    };
    match answer {
        Ok(false) => Authn::Valid(p),
        Ok(true) => {
            log::info!("token refused (request {rid}): its holder has been deactivated");
            Authn::Invalid
        }
        Err(e) => {
            log::error!("checking whether a token's holder is active: {e}");
            Authn::Unverifiable
        }
    }
}

fn insert(headers: &mut actix_web::http::header::HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(HeaderName::from_static(name), v);
    }
}

/// Path templates of the documented API with their methods, for 405 versus 404.
pub struct RouteIndex(Vec<(Vec<String>, Vec<String>)>);

impl RouteIndex {
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in doc.paths.paths.iter() {
            let segments = path.split('/').map(str::to_string).collect();
            let value = serde_json::to_value(item).unwrap_or_default();
            let methods = [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ]
            .iter()
            .filter(|m| value.get(**m).is_some())
            .map(|m| m.to_uppercase())
            .collect();
            routes.push((segments, methods));
        }
        routes.push((vec!["".into(), "openapi.json".into()], vec!["GET".into()]));
        RouteIndex(routes)
    }

    /// The methods of the template matching `path`; a literal segment beats a parameter, as in
    /// the router (`/imports/police` before `/imports/{import_id}`).
    fn methods_for(&self, path: &str) -> Option<&[String]> {
        let parts: Vec<&str> = path.split('/').collect();
        self.0
            .iter()
            .filter(|(segs, _)| {
                segs.len() == parts.len()
                    && segs
                        .iter()
                        .zip(&parts)
                        .all(|(s, p)| s == p || (s.starts_with('{') && !p.is_empty()))
            })
            .min_by_key(|(segs, _)| segs.iter().filter(|s| s.starts_with('{')).count())
            .map(|(_, m)| m.as_slice())
    }
}

/// Anything no route matched: 405 (with Allow) for a known path, else 404. Always problem+json.
pub async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    match state.routes.methods_for(req.path()) {
        Some(methods) if !methods.iter().any(|m| m == req.method().as_str()) => {
            ApiError::MethodNotAllowed(methods.to_vec()).error_response()
        }
        _ => ApiError::NotFound("No such resource.".into()).error_response(),
    }
}
