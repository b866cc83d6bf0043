use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::audit_events;
use super::Conn;

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
// None is NULL (no column here has a default): with DEFAULT the SQL would vary with the
// values, and Diesel would prepare the statement again for every row instead of caching it.
#[diesel(treat_none_as_default_value = false)]
pub struct NewAuditEvent<'a> {
    pub id: Uuid,
    pub actor: &'a str,
    pub actor_roles: Vec<String>,
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_ids: &'a [Uuid],
    pub resource_keys: &'a [&'a str],
    pub request_id: &'a str,
    pub purpose: Option<&'a str>,
    pub actor_issuer: Option<&'a str>,
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub actor: String,
    pub actor_roles: Vec<String>,
    pub action: String,
    pub resource_type: String,
    pub resource_ids: Vec<Uuid>,
    pub resource_keys: Vec<String>,
    pub request_id: String,
    pub purpose: Option<String>,
    pub actor_issuer: Option<String>,
}

pub async fn insert(conn: &mut Conn, event: NewAuditEvent<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)
        .await
        .map(|_| ())
}

#[derive(Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub before_id: Option<Uuid>,
}

pub async fn list(conn: &mut Conn, f: &AuditFilter, limit: i64) -> QueryResult<Vec<AuditEventRow>> {
    let mut q = audit_events::table.into_boxed();
    if let Some(a) = &f.actor {
        q = q.filter(audit_events::actor.eq(a.clone()));
    }
    if let Some(t) = &f.resource_type {
        q = q.filter(audit_events::resource_type.eq(t.clone()));
    }
    if let Some(id) = f.resource_id {
        q = q.filter(audit_events::resource_ids.contains(vec![id]));
    }
    if let Some(from) = f.from {
        q = q.filter(audit_events::created_at.ge(from));
    }
    if let Some(to) = f.to {
        q = q.filter(audit_events::created_at.lt(to));
    }
    if let Some(before) = f.before_id {
        q = q.filter(audit_events::id.lt(before));
    }
    q.order(audit_events::id.desc())
        .limit(limit)
        .select(AuditEventRow::as_select())
        .load(conn)
        .await
}
