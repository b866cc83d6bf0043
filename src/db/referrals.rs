use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{care_episodes, referral_events, referrals};
use super::Conn;
use crate::domain::referrals::ReferralStatus;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = referrals)]
pub struct ReferralRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub service_code: String,
    pub organisation: String,
    pub status: ReferralStatus,
    pub reason: String,
    pub referred_on: NaiveDate,
    pub consent_id: Option<Uuid>,
    pub consent_override: Option<String>,
    pub override_by: Option<String>,
    pub queued_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub referred_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = referral_events)]
pub struct EventRow {
    pub id: Uuid,
    pub referral_id: Uuid,
    pub action: String,
    pub from_status: Option<ReferralStatus>,
    pub to_status: ReferralStatus,
    pub reason: Option<String>,
    pub actor: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, row: ReferralRow) -> QueryResult<ReferralRow> {
    diesel::insert_into(referrals::table)
        .values(row)
        .returning(ReferralRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn event(
    conn: &mut Conn,
    referral_id: Uuid,
    action: &str,
    from: Option<ReferralStatus>,
    to: ReferralStatus,
    reason: Option<&str>,
    actor: &str,
) -> QueryResult<()> {
    diesel::insert_into(referral_events::table)
        .values(EventRow {
            id: Uuid::now_v7(),
            referral_id,
            action: action.into(),
            from_status: from,
            to_status: to,
            reason: reason.map(Into::into),
            actor: actor.into(),
            created_at: Utc::now(),
        })
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn find(conn: &mut Conn, id: Uuid, for_update: bool) -> QueryResult<Option<ReferralRow>> {
    let q = referrals::table.find(id).select(ReferralRow::as_select());
    if for_update {
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

pub async fn events_of(conn: &mut Conn, id: Uuid) -> QueryResult<Vec<EventRow>> {
    referral_events::table
        .filter(referral_events::referral_id.eq(id))
        .order(referral_events::id)
        .select(EventRow::as_select())
        .load(conn)
        .await
}

/// Places taken in the service now.
pub async fn taken(conn: &mut Conn, service: &str) -> QueryResult<i64> {
    referrals::table
        .filter(referrals::service_code.eq(service))
        .filter(referrals::status.eq_any(ReferralStatus::HOLDING_A_PLACE))
        .count()
        .get_result(conn)
        .await
}

/// The first referral waiting for the service, locked.
pub async fn next_waiting(conn: &mut Conn, service: &str) -> QueryResult<Option<ReferralRow>> {
    referrals::table
        .filter(referrals::service_code.eq(service))
        .filter(referrals::status.eq(ReferralStatus::Waiting))
        .order((referrals::queued_at, referrals::id))
        .for_update()
        .select(ReferralRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn set_status(
    conn: &mut Conn,
    id: Uuid,
    status: ReferralStatus,
    outcome: Option<&str>,
) -> QueryResult<ReferralRow> {
    let queued: Option<DateTime<Utc>> = None;
    diesel::update(referrals::table.find(id))
        .set((
            referrals::status.eq(status),
            referrals::queued_at.eq(queued),
            referrals::outcome.eq(outcome),
            referrals::version.eq(referrals::version + 1),
            referrals::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ReferralRow::as_returning())
        .get_result(conn)
        .await
}

/// The kinds of plan the member is on that day.
pub async fn plans_on(conn: &mut Conn, member_id: Uuid, on: NaiveDate) -> QueryResult<Vec<String>> {
    care_episodes::table
        .filter(care_episodes::member_id.eq(member_id))
        .filter(care_episodes::started_on.le(on))
        .filter(
            care_episodes::ended_on
                .is_null()
                .or(care_episodes::ended_on.ge(on)),
        )
        .select(care_episodes::kind)
        .load(conn)
        .await
}

pub struct ReferralFilter {
    pub family_id: Option<Uuid>,
    pub organisation: Option<String>,
    pub service_code: Option<String>,
    pub status: Option<ReferralStatus>,
    pub before_id: Option<Uuid>,
}

pub async fn list(
    conn: &mut Conn,
    f: &ReferralFilter,
    limit: i64,
) -> QueryResult<Vec<ReferralRow>> {
    let mut q = referrals::table.into_boxed();
    if let Some(v) = f.family_id {
        q = q.filter(referrals::family_id.eq(v));
    }
    if let Some(v) = &f.organisation {
        q = q.filter(referrals::organisation.eq(v.clone()));
    }
    if let Some(v) = &f.service_code {
        q = q.filter(referrals::service_code.eq(v.clone()));
    }
    if let Some(v) = f.status {
        q = q.filter(referrals::status.eq(v));
    }
    if let Some(b) = f.before_id {
        q = q.filter(referrals::id.lt(b));
    }
    q.order(referrals::id.desc())
        .limit(limit)
        .select(ReferralRow::as_select())
        .load(conn)
        .await
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    position: i64,
}

/// Queue positions of the waiting referrals among `ids`, in one query.
pub async fn positions(
    conn: &mut Conn,
    ids: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, i64>> {
    let rows: Vec<Position> = diesel::sql_query(
        "SELECT id, position FROM (
           SELECT id, row_number() OVER (PARTITION BY service_code ORDER BY queued_at, id) AS position
             FROM referrals
            WHERE status = 'waiting'
              AND service_code IN (SELECT service_code FROM referrals WHERE id = ANY($1))
         ) q WHERE id = ANY($1)",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|p| (p.id, p.position)).collect())
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = super::schema::referral_updates)]
// None is NULL, as on NewAuditEvent (prepared once, not per row).
#[diesel(treat_none_as_default_value = false)]
pub struct UpdateRow {
    pub id: Uuid,
    pub referral_id: Uuid,
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub session_held: Option<bool>,
    pub family_engaged: Option<bool>,
    pub note: Option<String>,
    pub measures: serde_json::Value,
    pub corrects_id: Option<Uuid>,
    pub posted_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

pub async fn insert_update(conn: &mut Conn, row: UpdateRow) -> QueryResult<UpdateRow> {
    use super::schema::referral_updates;
    diesel::insert_into(referral_updates::table)
        .values(row)
        .returning(UpdateRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn updates_of(
    conn: &mut Conn,
    referral_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<UpdateRow>> {
    use super::schema::referral_updates;
    let mut q = referral_updates::table
        .filter(referral_updates::referral_id.eq(referral_id))
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(referral_updates::id.lt(b));
    }
    q.order(referral_updates::id.desc())
        .limit(limit)
        .select(UpdateRow::as_select())
        .load(conn)
        .await
}

/// Whether the update belongs to the referral (a correction names one of its own).
pub async fn update_of(conn: &mut Conn, referral_id: Uuid, id: Uuid) -> QueryResult<bool> {
    use super::schema::referral_updates;
    diesel::select(diesel::dsl::exists(
        referral_updates::table
            .filter(referral_updates::id.eq(id))
            .filter(referral_updates::referral_id.eq(referral_id)),
    ))
    .get_result(conn)
    .await
}

#[derive(QueryableByName, Debug)]
pub struct SummaryRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub organisation: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub service_code: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub status: ReferralStatus,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub age_band: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub referrals: i64,
}

/// Referrals made between two days (inclusive), counted by organisation, service, status and the
/// age band of the member referred on the referral date, in one query.
pub async fn summary(
    conn: &mut Conn,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<SummaryRow>> {
    diesel::sql_query(
        "SELECT r.organisation, r.service_code, r.status,
                CASE WHEN m.id IS NULL THEN 'family'
                     WHEN date_part('year', age(r.referred_on, m.date_of_birth)) < 11 THEN '0-10'
                     WHEN date_part('year', age(r.referred_on, m.date_of_birth)) < 18 THEN '11-17'
                     ELSE '18+' END AS age_band,
                count(*) AS referrals
           FROM referrals r LEFT JOIN members m ON m.id = r.member_id
          WHERE r.referred_on BETWEEN $1 AND $2
          GROUP BY 1, 2, 3, 4
          ORDER BY 1, 2, 3, 4",
    )
    .bind::<diesel::sql_types::Date, _>(from)
    .bind::<diesel::sql_types::Date, _>(to)
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug)]
pub struct CapacityRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub service_code: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub organisation: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    pub capacity: Option<i32>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub open: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub waiting: i64,
}

/// Every service's open referrals and queue, in one query.
pub async fn capacity(conn: &mut Conn) -> QueryResult<Vec<CapacityRow>> {
    diesel::sql_query(
        "SELECT s.code AS service_code, s.organisation, s.capacity,
                count(r.id) FILTER (WHERE r.status = ANY($1)) AS open,
                count(r.id) FILTER (WHERE r.status = $2) AS waiting
           FROM services s LEFT JOIN referrals r ON r.service_code = s.code
            AND (r.status = ANY($1) OR r.status = $2)
          GROUP BY s.code, s.organisation, s.capacity
          ORDER BY s.organisation, s.code",
    )
    // The places held are the domain's one list, bound, not written again here.
    .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(
        ReferralStatus::HOLDING_A_PLACE.to_vec(),
    )
    .bind::<diesel::sql_types::Text, _>(ReferralStatus::Waiting)
    .load(conn)
    .await
}
