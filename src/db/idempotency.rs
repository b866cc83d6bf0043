use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;

use super::schema::idempotency_keys;
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredResponse {
    pub caller: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub response_status: i16,
    pub response_body: serde_json::Value,
    pub response_headers: serde_json::Value,
}

// Declared so the lock is a statement Diesel prepares once per connection, not parsed each time.
diesel::define_sql_function! {
    fn pg_try_advisory_xact_lock(key: BigInt) -> Bool;
}
diesel::define_sql_function! {
    fn hashtextextended(text: Text, seed: BigInt) -> BigInt;
}

/// Takes the key's transaction-scoped advisory lock without waiting (false: a request with the
/// same key is in flight right now) and reads what is stored under the key: two statements sent together, one round trip. They stay two statements, so the read's
/// snapshot is taken after the lock: a request that held the key and committed is seen.
pub async fn lock_and_find(
    conn: &mut Conn,
    caller: &str,
    key: &str,
) -> QueryResult<(bool, Option<StoredResponse>)> {
    let shared: &Conn = conn;
    let (mut a, mut b) = (shared, shared);
    // The same lock key as before (caller, unit separator, key), so versions agree.
    let lock_key = format!("{caller}\u{1f}{key}");
    let (locked, found) = futures_util::future::join(
        diesel::select(pg_try_advisory_xact_lock(hashtextextended(lock_key, 0i64)))
            .get_result::<bool>(&mut a),
        idempotency_keys::table
            .find((caller, key))
            .select(StoredResponse::as_select())
            .first(&mut b),
    )
    .await;
    Ok((locked?, found.optional()?))
}

/// Keys are kept for a day: long enough for any client's retries.
pub async fn expire(conn: &mut Conn) -> QueryResult<usize> {
    diesel::delete(
        idempotency_keys::table.filter(
            idempotency_keys::created_at.lt(chrono::Utc::now() - chrono::Duration::hours(24)),
        ),
    )
    .execute(conn)
    .await
}

pub async fn insert(conn: &mut Conn, row: &StoredResponse) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(row.clone())
        .execute(conn)
        .await
        .map(|_| ())
}
