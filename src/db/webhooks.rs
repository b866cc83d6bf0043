use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{outbox, webhook_deliveries, webhook_subscriptions};
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = webhook_subscriptions)]
pub struct SubscriptionRow {
    pub id: Uuid,
    pub organisation: String,
    pub url: String,
    pub secret: String,
    pub active: bool,
    pub created_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub outbox_id: Uuid,
    pub subscription_id: Uuid,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

pub async fn insert_subscription(
    conn: &mut Conn,
    row: SubscriptionRow,
) -> QueryResult<SubscriptionRow> {
    diesel::insert_into(webhook_subscriptions::table)
        .values(row)
        .returning(SubscriptionRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn subscriptions(
    conn: &mut Conn,
    organisation: Option<&str>,
) -> QueryResult<Vec<SubscriptionRow>> {
    let mut q = webhook_subscriptions::table
        .filter(webhook_subscriptions::active.eq(true))
        .into_boxed();
    if let Some(o) = organisation {
        q = q.filter(webhook_subscriptions::organisation.eq(o.to_string()));
    }
    q.order(webhook_subscriptions::id)
        .select(SubscriptionRow::as_select())
        .load(conn)
        .await
}

pub async fn find_subscription(conn: &mut Conn, id: Uuid) -> QueryResult<Option<SubscriptionRow>> {
    webhook_subscriptions::table
        .find(id)
        .filter(webhook_subscriptions::active.eq(true))
        .for_update()
        .select(SubscriptionRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn end_subscription(conn: &mut Conn, id: Uuid) -> QueryResult<()> {
    // What was still to be sent there is not sent any more.
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::subscription_id.eq(id))
            .filter(webhook_deliveries::status.eq("pending")),
    )
    .set((
        webhook_deliveries::status.eq("dead"),
        webhook_deliveries::last_error.eq("subscription ended"),
        webhook_deliveries::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?;
    diesel::update(webhook_subscriptions::table.find(id))
        .set((
            webhook_subscriptions::active.eq(false),
            webhook_subscriptions::version.eq(webhook_subscriptions::version + 1),
            webhook_subscriptions::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Writes the event to the outbox and one delivery per active subscription of the organisation,
/// in the caller's transaction.
pub async fn emit(
    conn: &mut Conn,
    organisation: &str,
    event_type: &str,
    payload: serde_json::Value,
) -> QueryResult<()> {
    let id = Uuid::now_v7();
    let shared: &Conn = conn;
    let (mut a, mut b) = (shared, shared);
    // Two statements built with the DSL, not one `sql_query` with a CTE: Diesel never caches a
    // `sql_query`, so PostgreSQL parsed and planned it on every call (93 µs of planning against
    // 78 µs of execution on a provider's update, by pg_stat_statements); these two are
    // prepared once per connection. Sent together, they cost one round trip as before.
    let event = diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(id),
            outbox::event_type.eq(event_type),
            outbox::organisation.eq(organisation),
            outbox::payload.eq(payload),
        ))
        .execute(&mut a);
    let fan_out = diesel::insert_into(webhook_deliveries::table)
        .values(
            webhook_subscriptions::table
                .filter(webhook_subscriptions::organisation.eq(organisation))
                .filter(webhook_subscriptions::active)
                .select((
                    gen_random_uuid(),
                    id.into_sql::<diesel::sql_types::Uuid>(),
                    webhook_subscriptions::id,
                )),
        )
        .into_columns((
            webhook_deliveries::id,
            webhook_deliveries::outbox_id,
            webhook_deliveries::subscription_id,
        ))
        .execute(&mut b);
    let (event, fan_out) = futures_util::future::join(event, fan_out).await;
    event?;
    fan_out?;
    Ok(())
}

diesel::define_sql_function! {
    fn gen_random_uuid() -> diesel::sql_types::Uuid;
}

/// A delivery due now, with what sending it needs.
#[derive(QueryableByName, Debug)]
pub struct Due {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub lease_token: Uuid,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub url: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub secret: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub event_type: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub payload: serde_json::Value,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// Leases up to `limit` due deliveries, as jobs are leased: skip-locked, with a token of their
/// own, taken over from a holder silent for `stale_seconds`. Only the holder of the token
/// records the outcome.
pub async fn claim(conn: &mut Conn, limit: i64, stale_seconds: i32) -> QueryResult<Vec<Due>> {
    diesel::sql_query(
        "WITH due AS (
           SELECT id FROM webhook_deliveries
            WHERE status = 'pending' AND next_attempt_at <= now()
              AND (lease_token IS NULL OR heartbeat_at < now() - make_interval(secs => $2))
            ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         UPDATE webhook_deliveries d
            SET lease_token = gen_random_uuid(), heartbeat_at = now(), updated_at = now()
           FROM due, webhook_subscriptions s, outbox o
          WHERE d.id = due.id AND s.id = d.subscription_id AND o.id = d.outbox_id
         RETURNING d.id, d.lease_token, d.attempts, s.url, s.secret, o.event_type, o.payload, o.created_at",
    )
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .bind::<diesel::sql_types::Double, _>(f64::from(stale_seconds))
    .load(conn)
    .await
}

/// The holder is alive: renews the leases it still holds.
pub async fn heartbeat(conn: &mut Conn, tokens: &[Uuid]) -> QueryResult<usize> {
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::lease_token.eq_any(tokens)))
        .set(webhook_deliveries::heartbeat_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
}

/// Records a delivery, if this worker still holds its lease. `false` when another took it over.
pub async fn delivered(conn: &mut Conn, id: Uuid, lease: Uuid) -> QueryResult<bool> {
    diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::status.eq("pending"))
            .filter(webhook_deliveries::lease_token.eq(lease)),
    )
    .set((
        webhook_deliveries::status.eq("delivered"),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::delivered_at.eq(diesel::dsl::now),
        webhook_deliveries::last_error.eq(None::<String>),
        webhook_deliveries::lease_token.eq(None::<Uuid>),
        webhook_deliveries::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Records a failed attempt (due again at `next`, or dead without one), if this worker still
/// holds the lease.
pub async fn failed(
    conn: &mut Conn,
    id: Uuid,
    lease: Uuid,
    error: &str,
    next: Option<DateTime<Utc>>,
) -> QueryResult<bool> {
    let status = if next.is_some() { "pending" } else { "dead" };
    diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::status.eq("pending"))
            .filter(webhook_deliveries::lease_token.eq(lease)),
    )
    .set((
        webhook_deliveries::status.eq(status),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::next_attempt_at.eq(next.unwrap_or_else(Utc::now)),
        webhook_deliveries::last_error.eq(error),
        webhook_deliveries::lease_token.eq(None::<Uuid>),
        webhook_deliveries::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

pub async fn deliveries(
    conn: &mut Conn,
    organisation: Option<&str>,
    status: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(DeliveryRow, String)>> {
    use super::schema::outbox;
    let mut q = webhook_deliveries::table
        .inner_join(webhook_subscriptions::table)
        .inner_join(outbox::table)
        .into_boxed();
    if let Some(o) = organisation {
        q = q.filter(webhook_subscriptions::organisation.eq(o.to_string()));
    }
    if let Some(s) = status {
        q = q.filter(webhook_deliveries::status.eq(s.to_string()));
    }
    q.order(webhook_deliveries::id.desc())
        .limit(limit)
        .select((DeliveryRow::as_select(), outbox::event_type))
        .load(conn)
        .await
}
