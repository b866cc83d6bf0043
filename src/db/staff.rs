use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{staff, teams};
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = staff)]
pub struct StaffRow {
    pub id: Uuid,
    pub subject: String,
    pub name: String,
    pub staff_role: String,
    pub team_code: Option<String>,
    pub organisation: String,
    #[diesel(skip_insertion)]
    pub active: bool,
    #[diesel(skip_insertion)]
    pub deactivated_at: Option<DateTime<Utc>>,
    #[diesel(skip_insertion)]
    pub deactivated_by: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

pub async fn insert(conn: &mut Conn, row: StaffRow) -> QueryResult<StaffRow> {
    diesel::insert_into(staff::table)
        .values(row)
        .returning(StaffRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<StaffRow>> {
    staff::table
        .find(id)
        .select(StaffRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn list(
    conn: &mut Conn,
    team: Option<&str>,
    active: Option<bool>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<StaffRow>> {
    let mut q = staff::table.into_boxed();
    if let Some(t) = team {
        q = q.filter(staff::team_code.eq(t.to_string()));
    }
    if let Some(a) = active {
        q = q.filter(staff::active.eq(a));
    }
    if let Some(a) = after {
        q = q.filter(staff::id.gt(a));
    }
    q.order(staff::id)
        .limit(limit)
        .select(StaffRow::as_select())
        .load(conn)
        .await
}

/// Deactivates a member of staff; `None` when already inactive or gone.
pub async fn deactivate(conn: &mut Conn, id: Uuid, by: &str) -> QueryResult<Option<StaffRow>> {
    diesel::update(staff::table.find(id).filter(staff::active.eq(true)))
        .set((
            staff::active.eq(false),
            staff::deactivated_at.eq(now),
            staff::deactivated_by.eq(by),
            staff::version.eq(staff::version + 1),
            staff::updated_at.eq(now),
        ))
        .returning(StaffRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The channel on which changes to staff's active flags are announced (migration 000033).
pub const ACTIVE_CHANNEL: &str = "ffc_staff_active";

/// Makes this session connection receive the announcements, naming it so that an operator (or a
/// test) can find it in `pg_stat_activity`.
pub async fn listen_for_active_changes(conn: &mut Conn) -> QueryResult<()> {
    diesel_async::SimpleAsyncConnection::batch_execute(
        conn,
        &format!("SET application_name = 'ffc-deactivations'; LISTEN {ACTIVE_CHANNEL}"),
    )
    .await
}

/// Every deactivated subject, loaded when an instance starts following the announcements.
pub async fn deactivated_subjects(conn: &mut Conn) -> QueryResult<Vec<String>> {
    staff::table
        .filter(staff::active.eq(false))
        .select(staff::subject)
        .load(conn)
        .await
}

/// Which of these subjects are deactivated now (the others are active or unknown).
pub async fn deactivated_among(conn: &mut Conn, subjects: &[String]) -> QueryResult<Vec<String>> {
    staff::table
        .filter(staff::subject.eq_any(subjects))
        .filter(staff::active.eq(false))
        .select(staff::subject)
        .load(conn)
        .await
}

/// The listening connection's heartbeat: announces an empty subject, which must come back to
/// this same session (through a transaction-pooling PgBouncer it would not), and says whether
/// the trigger that makes the announcements is there and enabled.
pub async fn heartbeat(conn: &mut Conn) -> QueryResult<bool> {
    // The NOTIFY in a materialised CTE that the SELECT reads: PostgreSQL never evaluates the
    // select list of an EXISTS subquery, so `EXISTS (SELECT pg_notify(..))` sent nothing and
    // every session ended at its first heartbeat.
    #[derive(diesel::QueryableByName)]
    struct Trigger {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        enabled: bool,
    }
    let t: Trigger = diesel::sql_query(format!(
        "WITH sent AS MATERIALIZED (SELECT pg_notify('{ACTIVE_CHANNEL}', '')) \
         SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'staff_active_notify' \
         AND tgenabled IN ('O', 'A')) AS enabled FROM sent"
    ))
    .get_result(conn)
    .await?;
    Ok(t.enabled)
}

/// Whether the token subject belongs to a deactivated member of staff (asked per request while
/// this instance's set of deactivated subjects is not current).
pub async fn is_deactivated(conn: &mut Conn, subject: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        staff::table
            .filter(staff::subject.eq(subject))
            .filter(staff::active.eq(false)),
    ))
    .get_result(conn)
    .await
}

pub async fn team_exists(conn: &mut Conn, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(teams::table.find(code)))
        .get_result(conn)
        .await
}

/// Those of `ids` that name no member of staff, in one query.
pub async fn unknown(conn: &mut Conn, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    let known: Vec<Uuid> = staff::table
        .filter(staff::id.eq_any(ids))
        .select(staff::id)
        .load(conn)
        .await?;
    Ok(ids.iter().filter(|i| !known.contains(i)).copied().collect())
}
