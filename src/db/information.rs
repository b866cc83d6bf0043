//! Information requests to partner organisations, and who answers for an organisation.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{evidence, information_requests, staff};
use super::Conn;
use crate::domain::information::{RequestOutcome, RequestStatus};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = information_requests)]
pub struct RequestRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub organisation: String,
    pub asked: String,
    pub purpose: String,
    pub lawful_basis: String,
    pub categories: Vec<String>,
    pub due_on: NaiveDate,
    pub status: RequestStatus,
    pub requested_by: String,
    pub requested_on: NaiveDate,
    pub outcome: Option<RequestOutcome>,
    pub response: Option<String>,
    pub responded_by: Option<String>,
    pub responded_at: Option<DateTime<Utc>>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

pub async fn insert(conn: &mut Conn, row: RequestRow) -> QueryResult<RequestRow> {
    diesel::insert_into(information_requests::table)
        .values(row)
        .returning(RequestRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(conn: &mut Conn, id: Uuid, for_update: bool) -> QueryResult<Option<RequestRow>> {
    let q = information_requests::table
        .find(id)
        .select(RequestRow::as_select());
    if for_update {
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

/// Records the answer or the refusal; the request is open (the caller holds its row lock).
pub async fn respond(
    conn: &mut Conn,
    id: Uuid,
    status: RequestStatus,
    outcome: Option<RequestOutcome>,
    response: Option<String>,
    by: &str,
) -> QueryResult<RequestRow> {
    diesel::update(information_requests::table.find(id))
        .set((
            information_requests::status.eq(status),
            information_requests::outcome.eq(outcome),
            information_requests::response.eq(response),
            information_requests::responded_by.eq(Some(by)),
            information_requests::responded_at.eq(Some(Utc::now())),
            information_requests::updated_at.eq(Utc::now()),
            information_requests::version.eq(information_requests::version + 1),
        ))
        .returning(RequestRow::as_returning())
        .get_result(conn)
        .await
}

/// Which requests a list shows. Each filter is optional; together they narrow.
#[derive(Default)]
pub struct RequestFilter {
    pub family_id: Option<Uuid>,
    pub organisation: Option<String>,
    pub requested_by: Option<String>,
    pub status: Option<RequestStatus>,
    /// Open and due before this day.
    pub overdue_on: Option<NaiveDate>,
    pub before_id: Option<Uuid>,
}

pub async fn list(conn: &mut Conn, f: &RequestFilter, limit: i64) -> QueryResult<Vec<RequestRow>> {
    let mut q = information_requests::table.into_boxed();
    if let Some(id) = f.family_id {
        q = q.filter(information_requests::family_id.eq(id));
    }
    if let Some(o) = &f.organisation {
        q = q.filter(information_requests::organisation.eq(o.clone()));
    }
    if let Some(s) = &f.requested_by {
        q = q.filter(information_requests::requested_by.eq(s.clone()));
    }
    if let Some(s) = f.status {
        q = q.filter(information_requests::status.eq(s));
    }
    if let Some(day) = f.overdue_on {
        q = q
            .filter(information_requests::status.eq(RequestStatus::Open))
            .filter(information_requests::due_on.lt(day));
    }
    if let Some(b) = f.before_id {
        q = q.filter(information_requests::id.lt(b));
    }
    q.order(information_requests::id.desc())
        .limit(limit)
        .select(RequestRow::as_select())
        .load(conn)
        .await
}

/// The evidence each request's answer gave, by request.
pub async fn evidence_of(conn: &mut Conn, request_ids: &[Uuid]) -> QueryResult<Vec<(Uuid, Uuid)>> {
    let rows: Vec<(Option<Uuid>, Uuid)> = evidence::table
        .filter(evidence::information_request_id.eq_any(request_ids))
        .order(evidence::id)
        .select((evidence::information_request_id, evidence::id))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, e)| r.map(|r| (r, e)))
        .collect())
}

/// The organisation a partner contact answers for: the one their active staff record names.
pub async fn contact_organisation(conn: &mut Conn, subject: &str) -> QueryResult<Option<String>> {
    staff::table
        .filter(staff::subject.eq(subject))
        .filter(staff::active.eq(true))
        .filter(staff::staff_role.eq("police_contact"))
        .select(staff::organisation)
        .first(conn)
        .await
        .optional()
}

/// The kind of the organisation with this code, if there is one.
pub async fn organisation_kind(conn: &mut Conn, code: &str) -> QueryResult<Option<String>> {
    use super::schema::organisations;
    organisations::table
        .find(code)
        .select(organisations::kind)
        .first(conn)
        .await
        .optional()
}
