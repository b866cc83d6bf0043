//! Commissioned services and the provider users bound to organisations (docs/rules.md:
//! "Providers, their services, eligibility rules, capacity and contract dates are data that
//! managers maintain, not code").

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::{audit, audit_keyed, idem_begin, idem_finish, Idem};
use crate::api::providers::*;
use crate::api::Page;
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::providers::{self as q, ProviderUserRow, ServiceRow};
use crate::db::{consent as cq, Conn, Pool};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::extract::check_version;
use crate::http::reply::Reply;

/// Managers and admins keep the services; admins bind provider users.
pub const KEEP: &[Role] = &[Role::Manager, Role::Admin];
pub const BIND: &[Role] = &[Role::Admin];

pub struct Keep;
impl Policy for Keep {
    const ROLES: &'static [Role] = KEEP;
}
pub struct Bind;
impl Policy for Bind {
    const ROLES: &'static [Role] = BIND;
}

fn service_location(code: &str) -> String {
    format!("/api/v1/services/{code}")
}

async fn known_organisation(conn: &mut Conn, code: &str) -> ApiResult<()> {
    if !crate::api::consent::is_code(code)
        || !cq::unknown_organisations(conn, &[code.to_string()])
            .await?
            .is_empty()
    {
        return Err(ApiError::validation(
            "organisation",
            "no such organisation (see GET /api/v1/organisations)",
        ));
    }
    Ok(())
}

/// The terms as a row's changeable part, after the checks across fields.
fn checked(t: &ServiceTerms) -> ApiResult<q::ServiceChange> {
    let mut errors = Vec::new();
    if let (Some(a), Some(b)) = (t.min_age, t.max_age) {
        if a > b {
            errors.push(FieldError::new("max_age", "must not be below min_age"));
        }
    }
    if t.contract_end.is_some_and(|e| e < t.contract_start) {
        errors.push(FieldError::new(
            "contract_end",
            "must not be before contract_start",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut plans: Vec<String> = t
        .required_plans
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    plans.sort();
    plans.dedup();
    Ok(q::ServiceChange {
        name: crate::api::tidy(&t.name),
        need: t.need.as_str().into(),
        min_age: t.min_age,
        max_age: t.max_age,
        required_plans: plans,
        capacity: t.capacity,
        contract_start: t.contract_start,
        contract_end: t.contract_end,
        contract_value_pence: t.contract_value_pence,
        notes: t.notes.as_deref().map(crate::api::tidy),
    })
}

pub async fn list_services(pool: &Pool, organisation: Option<String>) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    // Reference data, not personal data: reading it is not audited.
    let rows = q::services(&mut conn, organisation.as_deref()).await?;
    let items: Vec<Service> = rows.into_iter().map(Service::from).collect();
    Ok(Reply::ok(&Page::all(items), None))
}

pub async fn get_service(pool: &Pool, code: &str) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    let row = q::find_service(&mut conn, code, false)
        .await?
        .ok_or_else(|| ApiError::NotFound("No service with that code.".into()))?;
    let version = row.version;
    Ok(Reply::ok(&Service::from(row), Some(version)))
}

pub async fn create_service(
    pool: &Pool,
    ctx: &Allowed<Keep>,
    input: ServiceCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let (code, organisation, terms) = input.split();
    if !crate::api::consent::is_code(&code) {
        return Err(ApiError::validation(
            "code",
            "2 to 40 lower-case letters, digits or hyphens",
        ));
    }
    let c = checked(&terms)?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        known_organisation(conn, &organisation).await?;
        if q::find_service(conn, &code, false).await?.is_some() {
            return Err(ApiError::Conflict(
                "A service with this code exists.".into(),
            ));
        }
        let row = q::insert_service(
            conn,
            ServiceRow {
                code: code.clone(),
                organisation: organisation.clone(),
                name: c.name,
                need: c.need,
                min_age: c.min_age,
                max_age: c.max_age,
                required_plans: c.required_plans,
                capacity: c.capacity,
                contract_start: c.contract_start,
                contract_end: c.contract_end,
                contract_value_pence: c.contract_value_pence,
                notes: c.notes,
                version: 1,
            },
        )
        .await?;
        audit_keyed(conn, ctx, "service.create", "service", &[], &[&code]).await?;
        let reply = Reply::created(&Service::from(row), service_location(&code), 1);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn update_service(
    pool: &Pool,
    ctx: &Allowed<Keep>,
    code: &str,
    expected: Option<i32>,
    terms: ServiceTerms,
) -> ApiResult<Reply> {
    let c = checked(&terms)?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = q::find_service(conn, code, true)
            .await?
            .ok_or_else(|| ApiError::NotFound("No service with that code.".into()))?;
        check_version(expected, row.version)?;
        let row = q::update_service(conn, code, c).await?;
        // More places (or none to count) go to the referrals waiting for them.
        let offered = super::referrals::offer_places(conn, ctx, code).await?;
        audit_keyed(conn, ctx, "service.update", "service", &offered, &[code]).await?;
        let version = row.version;
        Ok(Reply::ok(&Service::from(row), Some(version)))
    })
    .await
}

pub async fn list_users(pool: &Pool, ctx: &Allowed<Bind>) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        let rows = q::users(conn).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        audit(conn, ctx, "provider_user.list", "provider_user", &ids).await?;
        let items: Vec<ProviderUser> = rows.into_iter().map(ProviderUser::from).collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

pub async fn bind_user(
    pool: &Pool,
    ctx: &Allowed<Bind>,
    input: ProviderUserCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        known_organisation(conn, &input.organisation).await?;
        let subject = crate::api::tidy(&input.subject);
        let issuer = crate::api::tidy(&input.issuer);
        if q::organisation_of(conn, &issuer, &subject).await?.is_some() {
            return Err(ApiError::Conflict(
                "This issuer's subject is already bound to an organisation; unbind it first."
                    .into(),
            ));
        }
        let row = q::insert_user(
            conn,
            ProviderUserRow {
                id: Uuid::now_v7(),
                subject,
                issuer,
                organisation: input.organisation.clone(),
                created_by: ctx.principal.subject.clone(),
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
        audit(conn, ctx, "provider_user.bind", "provider_user", &[row.id]).await?;
        let reply = Reply::created(&ProviderUser::from(row), "/api/v1/provider-users".into(), 1);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn unbind_user(
    pool: &Pool,
    ctx: &Allowed<Bind>,
    id: Uuid,
    expected: Option<i32>,
) -> ApiResult<Reply> {
    // A binding is never edited: its version is always 1.
    check_version(expected, 1)?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if !q::delete_user(conn, id).await? {
            return Err(ApiError::not_found("provider user"));
        }
        audit(conn, ctx, "provider_user.unbind", "provider_user", &[id]).await?;
        Ok(Reply::no_content())
    })
    .await
}
