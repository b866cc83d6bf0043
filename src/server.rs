//! Building and running the HTTP server.

use std::sync::Arc;

use actix_cors::Cors;
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::auth::Verifier;
use crate::config::Config;
use crate::db::Pool;
use crate::error::{ApiError, FieldError};
use crate::http::middleware::{fallback, gate, RouteIndex};
use crate::http::ratelimit::RateLimiter;
use crate::http::AppState;

pub fn state(config: Config, pool: Pool, verifier: Verifier) -> web::Data<AppState> {
    let doc: utoipa::openapi::OpenApi =
        // utoipa's types take no `$ref` for a response header: the routes are read written out.
        serde_json::from_value(crate::openapi::resolved(&crate::openapi::document()))
            .expect("document parses");
    web::Data::new(AppState {
        pool,
        verifier,
        limiter: RateLimiter::new(config.rate_limit_per_minute),
        routes: RouteIndex::from_openapi(&doc),
        config,
        jobs: Arc::new(tokio::sync::Notify::new()),
        stop: tokio::sync::watch::channel(false).0,
        metrics: Default::default(),
        deactivated: Default::default(),
    })
}

/// Starts this instance's background workers (the job runner, webhook deliveries, and the
/// follower of staff announcements on a session connection to `db_url`); needs a Tokio runtime.
pub fn start_background(state: &web::Data<AppState>, db_url: &str) {
    tokio::spawn(crate::http::deactivated::follow(
        state.deactivated.clone(),
        db_url.to_string(),
        state.stop.subscribe(),
    ));
    tokio::spawn(crate::jobs::runner::run_forever(
        state.pool.clone(),
        state.jobs.clone(),
        state.stop.subscribe(),
        state.config.claim_batch,
    ));
    tokio::spawn(crate::jobs::deliveries::run_forever(
        state.pool.clone(),
        state.config.webhooks.clone(),
        state.stop.subscribe(),
    ));
}

fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(
        "Invalid path parameter.".into(),
        vec![FieldError::new("path", format!("{err}"))],
    )
    .into()
}

fn query_error(_err: actix_web::error::QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest("The query string is malformed.".into(), vec![]).into()
}

async fn openapi_json(doc: web::Data<Arc<String>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.as_str().to_string())
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// Every route, middleware and error handler; used by the server and by the tests alike.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let document = serde_json::to_value(crate::openapi::document()).expect("json");
    let doc = Arc::new(serde_json::to_string_pretty(&document).expect("json"));
    let (methods, request_headers, response_headers) =
        cors_lists(&crate::openapi::resolved(&document));
    let mut cors = Cors::default()
        .allowed_methods(methods)
        .allowed_headers(request_headers)
        .expose_headers(response_headers)
        .max_age(600);
    for origin in &state.config.cors_origins {
        cors = cors.allowed_origin(origin);
    }
    let (app, _) = App::new()
        .app_data(state.clone())
        .app_data(web::Data::new(doc))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .into_utoipa_app()
        .configure(crate::routes::configure)
        .split_for_parts();
    app.route("/openapi.json", web::get().to(openapi_json))
        .route("/docs", web::get().to(docs_redirect))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .config(SwaggerConfig::new(["/openapi.json"]).validator_url("none")),
        )
        .default_service(web::to(fallback))
        .wrap(from_fn(gate))
        .wrap(cors)
}

use utoipa_actix_web::AppExt;

/// What a browser on an allowed origin may do, read from the document itself so that no
/// operation can be forgotten: every method an operation uses, every request header an
/// operation declares (with those every call sends), and every response header an operation
/// documents (with those any reply may carry).
pub fn cors_lists(
    document: &serde_json::Value,
) -> (
    Vec<actix_web::http::Method>,
    Vec<header::HeaderName>,
    Vec<header::HeaderName>,
) {
    use std::collections::BTreeSet;
    let mut methods = BTreeSet::new();
    let mut request: BTreeSet<String> = ["authorization", "content-type", "x-request-id"]
        .map(String::from)
        .into();
    let mut response: BTreeSet<String> = [
        "etag",
        "location",
        "retry-after",
        "idempotent-replayed",
        "ratelimit",
        "ratelimit-policy",
        "x-request-id",
    ]
    .map(String::from)
    .into();
    let paths = document["paths"].as_object().into_iter().flatten();
    for (_, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Ok(m) = actix_web::http::Method::from_bytes(method.to_uppercase().as_bytes())
            else {
                continue;
            };
            methods.insert(m.to_string());
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "header" {
                    if let Some(name) = p["name"].as_str() {
                        request.insert(name.to_lowercase());
                    }
                }
            }
            for (_, r) in op["responses"].as_object().into_iter().flatten() {
                for (name, _) in r["headers"].as_object().into_iter().flatten() {
                    response.insert(name.to_lowercase());
                }
            }
        }
    }
    // CORS headers describe the response to the browser; they are not exposed to scripts.
    response.retain(|h| !h.starts_with("access-control-"));
    let names = |set: BTreeSet<String>| {
        set.into_iter()
            .filter_map(|h| header::HeaderName::from_bytes(h.as_bytes()).ok())
            .collect()
    };
    (
        methods
            .into_iter()
            .filter_map(|m| actix_web::http::Method::from_bytes(m.as_bytes()).ok())
            .collect(),
        names(request),
        names(response),
    )
}

/// Serves until SIGTERM or SIGINT: then it stops accepting connections, lets requests in flight
/// finish (up to the shutdown timeout) and returns.
pub async fn run(
    state: web::Data<AppState>,
    bind: &str,
    workers: usize,
    limits: &crate::config::Limits,
) -> std::io::Result<()> {
    let s = state.clone();
    let server = HttpServer::new(move || app(s.clone()))
        .workers(workers)
        // A client that has not sent its headers in time is answered 408 and dropped, so slow
        // senders cannot hold connections that others need.
        .client_request_timeout(std::time::Duration::from_millis(
            limits.client_request_timeout_ms,
        ))
        .shutdown_timeout(limits.shutdown_timeout_s)
        .bind(bind)?
        .run();
    server.await
}

/// Builds the verifier from configuration: the issuers file, and the development secret when on.
pub async fn verifier(config: &Config, dev_secret: Option<Vec<u8>>) -> Result<Verifier, String> {
    let issuers = match &config.issuers_file {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("FFC_JWT_ISSUERS_FILE {}: {e}", path.display()))?;
            serde_json::from_str(&text)
                .map_err(|e| format!("FFC_JWT_ISSUERS_FILE {}: {e}", path.display()))?
        }
    };
    Verifier::new(issuers, dev_secret, config.jwt_leeway_seconds).await
}
