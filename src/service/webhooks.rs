//! Webhook subscriptions of providers' systems, and their deliveries (dead letters included).

use std::collections::HashMap;

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::{audit, idem_begin, idem_finish, Idem};
use crate::api::webhooks::*;
use crate::api::{parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::webhooks::{self as q, SubscriptionRow};
use crate::db::{consent as cq, providers as pq, Conn, Pool};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{bad_param, check_version};
use crate::http::reply::Reply;

/// A provider's system subscribes for its organisation; admins for any.
pub const SUBSCRIBE: &[Role] = &[Role::Provider, Role::Admin];

pub struct Subscribe;
impl Policy for Subscribe {
    const ROLES: &'static [Role] = SUBSCRIBE;
}

/// `None` for an admin (every organisation); a provider's own organisation otherwise, and for an
/// unbound provider "-", which is no organisation's code: it sees nothing.
async fn scope(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Option<String>> {
    if ctx.principal.has(Role::Admin) {
        return Ok(None);
    }
    Ok(Some(
        pq::organisation_of(conn, &ctx.principal.issuer, &ctx.principal.subject)
            .await?
            .unwrap_or_else(|| "-".into()),
    ))
}

pub async fn create(
    pool: &Pool,
    ctx: &Allowed<Subscribe>,
    input: SubscriptionCreate,
    idem: Option<Idem>,
    allow_private: bool,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        let organisation = match (scope(conn, ctx).await?, &input.organisation) {
            (None, Some(o)) => o.clone(),
            (None, None) => {
                return Err(ApiError::validation(
                    "organisation",
                    "name the organisation the subscription is for",
                ))
            }
            (Some(own), Some(o)) if *o != own => {
                return Err(ApiError::validation(
                    "organisation",
                    "a provider subscribes for its own organisation",
                ))
            }
            (Some(own), _) if own == "-" => {
                return Err(ApiError::Forbidden(
                    "This provider token is not bound to an organisation.".into(),
                ))
            }
            (Some(own), _) => own,
        };
        if !cq::unknown_organisations(conn, std::slice::from_ref(&organisation))
            .await?
            .is_empty()
        {
            return Err(ApiError::validation("organisation", "no such organisation"));
        }
        // Who and for whom first; then where to.
        let url = crate::webhooks::destination(input.url.trim(), allow_private)
            .await
            .map_err(|e| ApiError::validation("url", e))?;
        let row = q::insert_subscription(
            conn,
            SubscriptionRow {
                id: Uuid::now_v7(),
                organisation,
                url: url.to_string(),
                secret: crate::webhooks::new_secret(),
                active: true,
                created_by: ctx.principal.subject.clone(),
                created_at: chrono::Utc::now(),
                version: 1,
            },
        )
        .await?;
        audit(
            conn,
            ctx,
            "webhook.subscribe",
            "webhook_subscription",
            &[row.id],
        )
        .await?;
        // The secret is shown once: a replay of this request answers without it.
        let stored = Reply::created(
            &Subscription::from_row(row.clone(), false),
            "/api/v1/webhook-subscriptions".into(),
            1,
        );
        idem_finish(conn, ctx, &idem, &stored).await?;
        Ok(Reply::created(
            &Subscription::from_row(row, true),
            "/api/v1/webhook-subscriptions".into(),
            1,
        ))
    })
    .await
}

pub async fn list(pool: &Pool, ctx: &Allowed<Subscribe>) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        let own = scope(conn, ctx).await?;
        let rows = q::subscriptions(conn, own.as_deref()).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        audit(conn, ctx, "webhook.list", "webhook_subscription", &ids).await?;
        let items: Vec<Subscription> = rows
            .into_iter()
            .map(|r| Subscription::from_row(r, false))
            .collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

pub async fn end(
    pool: &Pool,
    ctx: &Allowed<Subscribe>,
    id: Uuid,
    expected: Option<i32>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let own = scope(conn, ctx).await?;
        let row = q::find_subscription(conn, id)
            .await?
            .filter(|r| own.as_ref().is_none_or(|o| *o == r.organisation))
            .ok_or_else(|| ApiError::not_found("subscription"))?;
        check_version(expected, row.version)?;
        q::end_subscription(conn, id).await?;
        audit(
            conn,
            ctx,
            "webhook.unsubscribe",
            "webhook_subscription",
            &[id],
        )
        .await?;
        Ok(Reply::no_content())
    })
    .await
}

pub async fn deliveries(
    pool: &Pool,
    ctx: &Allowed<Subscribe>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let status = params
        .get("status")
        .map(|s| match s.as_str() {
            "pending" | "delivered" | "dead" => Ok(s.clone()),
            _ => Err(bad_param("status", "pending, delivered or dead")),
        })
        .transpose()?;
    super::read(pool, async |conn| {
        let own = scope(conn, ctx).await?;
        let rows = q::deliveries(conn, own.as_deref(), status.as_deref(), limit).await?;
        let ids: Vec<Uuid> = rows.iter().map(|(r, _)| r.id).collect();
        audit(conn, ctx, "webhook.deliveries", "webhook_delivery", &ids).await?;
        let items: Vec<Delivery> = rows
            .into_iter()
            .map(|(r, e)| Delivery::from_row(r, e))
            .collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}
