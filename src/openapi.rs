//! The published contract. utoipa generates it from the routes; a few conventions that hold for
//! every operation (common errors, rate-limit headers, the roles line, limits on free text) are
//! applied here once rather than repeated on each route.

use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

const DESCRIPTION: &str = r#"Case management for whole-family early-help programmes run by English
local authorities (Troubled Families, Supporting Families): families and their members, evidence,
eligibility, casework, referrals to commissioned providers, outcomes and Payment by Results.

**Authentication.** Every operation under `/api/v1` needs `Authorization: Bearer <JWT>` from an
identity service the council has configured (RS256, `kid`, `iss`, `aud` and `exp` required). Roles
come from the token's `roles` claim; each operation lists the roles that may call it. A record
outside your scope answers 404.

**Conventions.** Errors are RFC 9457 `application/problem+json`, with `errors[].field` naming each
invalid field. Updates need `If-Match` with the `ETag` you last read (428 without, 412 when stale).
`POST` accepts `Idempotency-Key` (kept for 24 hours). Lists take `limit` (1-200, default 50) and an opaque `cursor`.
Every response carries `RateLimit` and `RateLimit-Policy`; past the limit the answer is 429 with
`Retry-After`. Send `X-Purpose` to record why you are reading personal data; every read and write
of personal data is audited.

**Versioning policy.** The major version is in the path (`/api/v1`). Within a major version,
changes are additive only: new operations, new optional request fields, new response fields, new
enum values in responses (clients must ignore unknown fields and tolerate unknown enum values).
Removing or renaming anything, making an optional input required, narrowing what an input accepts,
or changing a field's meaning is breaking and only happens in a new major version. Deprecation is
announced in the changelog and marked `deprecated: true` in this document at least six months
before removal, and responses from deprecated operations carry a `Deprecation` header."#;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Families for Change API",
        description = "Families for Change case-management API",
        contact(name = "Families for Change", email = "developers@families-for-change.example")
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "families", description = "Households in or considered for the programme"),
        (name = "members", description = "People in a household, and relatives outside it"),
        (name = "evidence", description = "Dated facts about a family and its members, and eligibility explained from them"),
        (name = "attachments", description = "Families taken on by the programme under a ruleset"),
        (name = "identification", description = "Finding the families the programme is for, across the whole population"),
        (name = "imports", description = "Partners' bulk data (schools, police) as CSV"),
        (name = "rulesets", description = "The programme's rules as versioned data"),
        (name = "allocations", description = "Each open family's dedicated worker"),
        (name = "notes", description = "Case notes on a family"),
        (name = "consent", description = "Consent to share, sharing without consent, and the organisations they name"),
        (name = "information-requests", description = "Requests for information to partner organisations (the police single point of contact, health, schools) and their answers, which become evidence"),
        (name = "assessments", description = "The Family Common Assessment (FCAF): strengths, needs and priorities"),
        (name = "team", description = "The Team Around the Family"),
        (name = "timeline", description = "Social care plans and early help as one history: step up, step down"),
        (name = "actions", description = "The action plan of an FCAF: owners, due dates, progress"),
        (name = "providers", description = "Commissioned services and the provider users bound to organisations"),
        (name = "referrals", description = "Referrals to commissioned services and their lifecycle"),
        (name = "outcomes", description = "Results achieved by families, explained from the evidence"),
        (name = "claims", description = "Payment-by-Results claim windows: computed, reviewed, validated, submitted, withdrawn"),
        (name = "jobs", description = "Background jobs: identification runs, claim window computations and housekeeping, with their progress; cancel one"),
        (name = "reports", description = "The programme board's dashboards: money, progress, the trajectory"),
        (name = "staff", description = "Staff linked to their tokens, and teams"),
        (name = "audit", description = "The append-only record of access to personal data"),
        (name = "health", description = "Liveness and readiness probes")
    ),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "JWT (RFC7519) validated as RFC8725 recommends: algorithm pinned per \
                         issuer, `kid` required, `iss`, `aud`, `exp` required, `nbf` checked. \
                         Scopes listed on an operation are the roles (from the `roles` claim) \
                         that may call it.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The metrics token (`FFC_METRICS_TOKEN`), for scrapers; from an address                          in `FFC_METRICS_ALLOW` (loopback by default) no token is needed.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The generated document with the cross-cutting conventions applied.
pub fn document() -> Value {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    let mut doc = serde_json::to_value(api).expect("document serialises");
    postprocess(&mut doc);
    factor(&mut doc);
    doc
}

/// Where each shared kind of object lives in `components`, and the names of the usual ones.
const SHARED: [&str; 3] = ["headers", "responses", "parameters"];

fn response_name(code: &str) -> String {
    match code {
        "400" => "BadRequest",
        "401" => "Unauthorized",
        "403" => "Forbidden",
        "404" => "NotFound",
        "409" => "Conflict",
        "412" => "PreconditionFailed",
        "413" => "PayloadTooLarge",
        "415" => "UnsupportedMediaType",
        "422" => "Unprocessable",
        "428" => "PreconditionRequired",
        "429" => "TooManyRequests",
        "500" => "InternalError",
        "503" => "Unavailable",
        other => return format!("Status{other}"),
    }
    .to_string()
}

/// `Idempotency-Key` -> `IdempotencyKey`, `limit` -> `Limit`.
fn component_name(raw: &str) -> String {
    raw.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Moves every header, response and parameter object that appears more than once into
/// `components` and refers to it there: the rate-limit headers and the shared error responses
/// were otherwise written out in every operation (half of a 2.4 MB document). Headers go first,
/// so that responses differing only in where their headers are written compare equal. The most
/// used definition of a name gets the plain name; others a number after it. Representational
/// only: `resolved` gives back the document as it was written out.
fn factor(doc: &mut Value) {
    for kind in SHARED {
        let mut uses: Vec<(String, String)> = Vec::new(); // (name, canonical text)
        visit_named(doc, kind, &mut |name, obj| {
            uses.push((name.to_string(), obj.to_string()));
        });
        let mut counts: std::collections::BTreeMap<(String, String), usize> = Default::default();
        for u in uses {
            *counts.entry(u).or_default() += 1;
        }
        let mut shared: Vec<((String, String), usize)> =
            counts.into_iter().filter(|(_, n)| *n > 1).collect();
        // Most used first, so that it takes the plain name; then by text, so that names are stable.
        shared.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut names: std::collections::HashMap<String, String> = Default::default();
        let mut taken: std::collections::HashSet<String> = Default::default();
        let components = doc["components"]
            .as_object_mut()
            .expect("components")
            .entry(kind)
            .or_insert(json!({}));
        for ((name, text), _) in shared {
            // Headers keep their own names: checkers look for `Access-Control-Allow-Origin` in
            // every `headers` map, the shared one included.
            let base = match kind {
                "responses" => response_name(&name),
                "headers" => name.clone(),
                _ => component_name(&name),
            };
            // "No such family visible to you." -> `FamilyNotFound` when `NotFound` is taken.
            let what = serde_json::from_str::<Value>(&text).ok().and_then(|v| {
                let d = v["description"]
                    .as_str()?
                    .strip_prefix("No such ")?
                    .to_string();
                let thing = d
                    .split(" visible")
                    .next()?
                    .trim_end_matches('.')
                    .to_string();
                Some(component_name(&thing))
            });
            let mut chosen = match what {
                Some(w) if taken.contains(&base) && !w.is_empty() => format!("{w}{base}"),
                _ => base.clone(),
            };
            let mut n = 2;
            while !taken.insert(chosen.clone()) {
                chosen = match kind {
                    "headers" => format!("{base}-{n}"),
                    _ => format!("{base}{n}"),
                };
                n += 1;
            }
            components[&chosen] = serde_json::from_str(&text).expect("json");
            names.insert(text, chosen);
        }
        let prefix = format!("#/components/{kind}/");
        visit_mut(doc, kind, &mut |obj| {
            if let Some(n) = names.get(&obj.to_string()) {
                *obj = json!({"$ref": format!("{prefix}{n}")});
            }
        });
    }
}

fn visit_mut(doc: &mut Value, kind: &str, f: &mut dyn FnMut(&mut Value)) {
    visit_named(doc, kind, &mut |_, obj| f(obj));
}

/// Calls `f` with each inline object of `kind` in the operations (and, for headers, in the shared
/// responses too) and its name: a header's name, a response's status code, a parameter's name.
fn visit_named(doc: &mut Value, kind: &str, f: &mut dyn FnMut(&str, &mut Value)) {
    let is_inline = |v: &Value| v.get("$ref").is_none();
    let mut responses: Vec<&mut Value> = Vec::new();
    let (paths, components) = {
        let obj = doc.as_object_mut().expect("document");
        let mut paths = None;
        let mut components = None;
        for (k, v) in obj.iter_mut() {
            match k.as_str() {
                "paths" => paths = Some(v),
                "components" => components = Some(v),
                _ => {}
            }
        }
        (paths, components)
    };
    let mut params: Vec<&mut Value> = Vec::new();
    for (_, item) in paths.and_then(|p| p.as_object_mut()).into_iter().flatten() {
        for (_, op) in item.as_object_mut().into_iter().flatten() {
            let op = op.as_object_mut().expect("operation");
            for (k, v) in op.iter_mut() {
                match k.as_str() {
                    "responses" => responses.extend(v.as_object_mut().into_iter().flatten().map(
                        |(code, r)| {
                            if kind == "responses" && is_inline(r) {
                                f(code, r);
                            }
                            r
                        },
                    )),
                    "parameters" => params.extend(v.as_array_mut().into_iter().flatten()),
                    _ => {}
                }
            }
        }
    }
    if kind == "parameters" {
        for p in params {
            if is_inline(p) {
                let name = p["name"].as_str().unwrap_or_default().to_string();
                f(&name, p);
            }
        }
    }
    if kind == "headers" {
        if let Some(shared) = components
            .and_then(|c| c.get_mut("responses"))
            .and_then(|r| r.as_object_mut())
        {
            responses.extend(shared.iter_mut().map(|(_, r)| r));
        }
        for r in responses {
            for (name, h) in r
                .get_mut("headers")
                .and_then(|h| h.as_object_mut())
                .into_iter()
                .flatten()
            {
                if is_inline(h) {
                    f(name, h);
                }
            }
        }
    }
}

/// The document with every shared header, response and parameter written out where it is used
/// (as it was before `factor`): for code and tests that read an operation whole.
pub fn resolved(doc: &Value) -> Value {
    fn inline(v: &mut Value, components: &Value) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    for kind in SHARED {
                        if let Some(name) = r.strip_prefix(&format!("#/components/{kind}/")) {
                            let mut target = components[kind][name].clone();
                            inline(&mut target, components);
                            *v = target;
                            return;
                        }
                    }
                }
                for (_, x) in map.iter_mut() {
                    inline(x, components);
                }
            }
            Value::Array(xs) => xs.iter_mut().for_each(|x| inline(x, components)),
            _ => {}
        }
    }
    let mut out = doc.clone();
    let components = doc["components"].clone();
    inline(&mut out["paths"], &components);
    if let Some(c) = out["components"].as_object_mut() {
        for kind in SHARED {
            c.remove(kind);
        }
    }
    out
}

pub const TEXT_PATTERN: &str = "^[^\\u0000]*[^\\u0000\\t\\n\\u000b\\f\\r ][^\\u0000]*$";

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

/// Headers on every response: rate limiting, the request id, and CORS for allowed origins.
fn common_headers() -> Value {
    json!({
        "X-Request-Id": {"description": "Identifies the request in the service's logs and audit trail.",
                          "schema": {"type": "string", "maxLength": 64, "pattern": "^[A-Za-z0-9_-]{1,64}$"}},
        "Access-Control-Allow-Origin": {"description": "Present when the request's `Origin` is one the council allows (`FFC_CORS_ORIGINS`).",
                          "schema": {"type": "string", "format": "uri", "maxLength": 2000}},
        "RateLimit": {"description": "Requests left in the current window and seconds until it resets, e.g. `\"per-client\";r=599;t=42`.",
                       "schema": {"type": "string", "maxLength": 100, "pattern": "^[ -~]*$"}},
        "RateLimit-Policy": {"description": "The limit per client, e.g. `\"per-client\";q=600;w=60`.",
                              "schema": {"type": "string", "maxLength": 100, "pattern": "^[ -~]*$"}}
    })
}

fn postprocess(doc: &mut Value) {
    doc["info"]["description"] =
        Value::String(DESCRIPTION.replace("\n", " ").replace("  ", "\n\n"));
    // Relative: the API is served by the host that serves this document, whether a council's
    // production deployment (https) or local development.
    doc["servers"] = json!([
        {"url": "/", "x-internal": false,
         "description": "This deployment: the host serving this document (production at a council, or local development)"}
    ]);
    doc["security"] = json!([{"bearer": []}]);
    // A route may pin a parameter with a regex (`{id:[0-9a-f-]{36}}`); the document names it only.
    let paths = std::mem::take(doc["paths"].as_object_mut().expect("paths"));
    let paths: Map<String, Value> = paths
        .into_iter()
        .map(|(path, item)| {
            let clean: Vec<String> = path
                .split('/')
                .map(|seg| match (seg.starts_with('{'), seg.find(':')) {
                    (true, Some(i)) => format!("{}}}", &seg[..i]),
                    _ => seg.to_string(),
                })
                .collect();
            (clean.join("/"), item)
        })
        .collect();
    doc["paths"] = Value::Object(paths);
    let paths = doc["paths"].as_object_mut().expect("paths");
    for (path, item) in paths.iter_mut() {
        for (_, op) in item.as_object_mut().expect("path item").iter_mut() {
            decorate_operation(op, path.starts_with("/api/v1/"));
        }
    }
    // Parameters travel in the URL and headers, so their default limit is smaller than bodies'.
    limit_schema(&mut doc["paths"], 1000);
    limit_schema(&mut doc["components"], 10000);
    drop_unreferenced_schemas(doc);
}

/// Generic wrappers (pages) inline their item types, which leaves those components unused.
fn drop_unreferenced_schemas(doc: &mut Value) {
    loop {
        let text = doc.to_string();
        let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
            return;
        };
        let unused: Vec<String> = schemas
            .keys()
            .filter(|k| !text.contains(&format!("\"#/components/schemas/{k}\"")))
            .filter(|k| k.as_str() != "Problem" && k.as_str() != "FieldError")
            .cloned()
            .collect();
        if unused.is_empty() {
            return;
        }
        for k in unused {
            schemas.remove(&k);
        }
    }
}

/// `X-Purpose`, as declared once in `api::params::Purpose`.
fn purpose_parameter() -> Value {
    use utoipa::IntoParams;
    let declared = crate::api::params::Purpose::into_params(|| None);
    serde_json::to_value(&declared[0]).expect("a parameter serialises")
}

fn decorate_operation(op: &mut Value, personal: bool) {
    // The route names its policy (`x-policy`, the policy's roles); the security requirement and
    // the roles line are both written from it, so the roles are written once, in the policy.
    if let Some(roles) = op.as_object_mut().and_then(|o| o.remove("x-policy")) {
        op["security"] = json!([{ "bearer": roles }]);
    }
    let roles: Vec<String> = op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("bearer"))
        .filter_map(|v| v.as_array())
        .flatten()
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect();
    let secured = !roles.is_empty();
    let line = if secured {
        format!("**Roles:** {}.", roles.join(", "))
    } else {
        "**Roles:** none (no token needed).".into()
    };
    let desc = op["description"].as_str().unwrap_or_default().to_string();
    op["description"] = Value::String(if desc.is_empty() {
        line
    } else {
        format!("{desc}\n\n{line}")
    });

    if let Some(params) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) {
        for p in params.iter_mut().filter(|p| p["name"] == "If-Match") {
            p["schema"] =
                json!({"type": "string", "pattern": "^(\\*|\"[0-9]{1,10}\")$", "maxLength": 12});
        }
    }
    if personal {
        let params = op.get_mut("parameters").and_then(|p| p.as_array_mut());
        let purpose = purpose_parameter();
        match params {
            Some(p) => p.push(purpose),
            None => op["parameters"] = json!([purpose]),
        }
    }
    let has_body = op.get("requestBody").is_some();
    let has_param = |name: &str| {
        op.get("parameters")
            .and_then(|p| p.as_array())
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == name))
    };
    let (conditional, idempotent) = (has_param("If-Match"), has_param("Idempotency-Key"));
    let responses = op["responses"].as_object_mut().expect("responses");
    let mut add = |code: &str, v: Value| {
        responses.entry(code.to_string()).or_insert(v);
    };
    if has_body {
        add(
            "413",
            problem("The body is larger than the service accepts."),
        );
        add("415", problem("The body is not `application/json`."));
        add(
            "422",
            problem(if idempotent {
                "A field is invalid (each named in `errors`), a rule of the programme refuses the request, or the `Idempotency-Key` was already used with a different request."
            } else {
                "A field is invalid (each named in `errors`), or a rule of the programme refuses the request."
            }),
        );
    }
    if conditional {
        add(
            "412",
            problem("The record changed since you read it: `If-Match` is not its current `ETag`."),
        );
        add(
            "428",
            problem("`If-Match` is missing: send the `ETag` you last read."),
        );
    }
    if idempotent {
        add(
            "409",
            problem("A request with this `Idempotency-Key` is still being processed."),
        );
    }
    if secured {
        add("400", problem("Malformed request: a path or query parameter, a header or the JSON itself is invalid (named in `errors`)."));
    }
    {
        add("429", {
            let mut p = problem("Too many requests from this client; wait `Retry-After` seconds.");
            p["headers"] = json!({"Retry-After": {"description": "Seconds to wait.",
                "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 3600}}});
            p
        });
    }
    if secured {
        add("401", {
            let mut p = problem("No valid bearer token (missing, bad signature, wrong issuer or audience, expired).");
            p["headers"] = json!({"WWW-Authenticate": {"description": "Bearer challenge.",
                "schema": {"type": "string", "maxLength": 200, "pattern": "^Bearer .*$"}}});
            p
        });
        add("403", problem("Your roles do not allow this operation."));
    }
    add(
        "500",
        problem("Unexpected error; the `X-Request-Id` response header identifies it in the logs."),
    );
    add("503", {
        let mut p = problem("The database is unreachable, restarting or did not answer in time, or no connection to it was free in time. Retry after `Retry-After` seconds; the change may or may not have been made if the database failed while committing, so send writes with `Idempotency-Key` to retry them safely.");
        p["headers"] = json!({"Retry-After": {"description": "Seconds to wait.",
            "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 3600}}});
        p
    });
    for (_, r) in responses.iter_mut() {
        if let Some(h) = r.get_mut("headers").and_then(|h| h.as_object_mut()) {
            if let Some(etag) = h.get_mut("ETag") {
                etag["schema"] =
                    json!({"type": "string", "pattern": "^\"[0-9]{1,10}\"$", "maxLength": 12});
            }
            if let Some(loc) = h.get_mut("Location") {
                loc["schema"] =
                    json!({"type": "string", "format": "uri-reference", "maxLength": 2000});
            }
        }
        let headers = r
            .as_object_mut()
            .expect("response")
            .entry("headers")
            .or_insert(json!({}));
        for (k, v) in common_headers().as_object().unwrap() {
            headers
                .as_object_mut()
                .unwrap()
                .entry(k.clone())
                .or_insert(v.clone());
        }
    }
}

fn is_type(schema: &Map<String, Value>, t: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|v| v == t),
        _ => false,
    }
}

/// Every string, integer and array in the document gets explicit bounds (what the service enforces
/// or can produce), so clients and fuzzers know the limits.
fn limit_schema(v: &mut Value, default_max: usize) {
    match v {
        Value::Object(m) => {
            if is_type(m, "string") && !m.contains_key("format") && !m.contains_key("enum") {
                m.entry("pattern")
                    .or_insert(Value::String(TEXT_PATTERN.into()));
                m.entry("maxLength").or_insert(json!(default_max));
            }
            if is_type(m, "string") {
                let max = match m.get("format").and_then(|f| f.as_str()) {
                    Some("uuid") => Some(36),
                    Some("date") => Some(10),
                    Some("date-time") => Some(40),
                    Some(_) => Some(2000),
                    None => None,
                };
                if let Some(max) = max {
                    m.entry("maxLength").or_insert(json!(max));
                }
            }
            if is_type(m, "integer") {
                let (min, max) = match m.get("format").and_then(|f| f.as_str()) {
                    Some("int64") => (json!(i64::MIN), json!(i64::MAX)),
                    _ => (json!(i32::MIN), json!(i32::MAX)),
                };
                m.entry("minimum").or_insert(min);
                m.entry("maximum").or_insert(max);
            }
            if is_type(m, "array") {
                m.entry("maxItems").or_insert(json!(1000));
            }
            for (key, child) in m.iter_mut() {
                if key == "example" || key == "examples" {
                    continue;
                }
                limit_schema(child, default_max);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| limit_schema(c, default_max)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    /// utoipa names a component after its type and silently keeps only one of two types with
    /// the same name, so each documented type needs a name of its own (or `#[schema(as = ..)]`).
    #[test]
    fn schema_names_are_unique() {
        let mut seen = std::collections::HashMap::new();
        let mut stack = vec![std::path::PathBuf::from("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                for (i, line) in lines.iter().enumerate() {
                    if !line.contains("#[derive(") || !line.contains("ToSchema") {
                        continue;
                    }
                    // The renaming attribute, if any, then the type's own name.
                    let mut name = None;
                    for next in &lines[i + 1..] {
                        if let Some(rest) = next.trim().strip_prefix("#[schema(as = ") {
                            name = Some(rest.trim_end_matches(")]").to_string());
                        }
                        let t = next.trim_start();
                        let decl = t
                            .strip_prefix("pub struct ")
                            .or_else(|| t.strip_prefix("pub enum "))
                            .or_else(|| t.strip_prefix("struct "));
                        if let Some(decl) = decl {
                            let own: String = decl
                                .chars()
                                .take_while(|c| c.is_alphanumeric() || *c == '_')
                                .collect();
                            let name = name.take().unwrap_or(own);
                            if let Some(other) = seen.insert(name.clone(), path.clone()) {
                                panic!("schema {name} is declared in {other:?} and {path:?}");
                            }
                            break;
                        }
                    }
                }
            }
        }
        assert!(seen.len() > 50, "found {} schemas", seen.len());
    }
}
