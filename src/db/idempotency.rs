use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
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

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Takes a transaction-scoped advisory lock on (caller, key) without waiting: false means another
/// request with the same key is in flight right now.
pub async fn try_lock(conn: &mut Conn, caller: &str, key: &str) -> QueryResult<bool> {
    let row: Locked = diesel::sql_query(
        "SELECT pg_try_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0)) AS locked",
    )
    .bind::<Text, _>(caller)
    .bind::<Text, _>(key)
    .get_result(conn)
    .await?;
    Ok(row.locked)
}

pub async fn find(conn: &mut Conn, caller: &str, key: &str) -> QueryResult<Option<StoredResponse>> {
    idempotency_keys::table
        .find((caller, key))
        .select(StoredResponse::as_select())
        .first(conn)
        .await
        .optional()
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
