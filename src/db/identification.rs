use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{attachments, families, identification_results, identification_runs};
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = identification_runs)]
pub struct RunRow {
    pub id: Uuid,
    pub ruleset_code: String,
    pub revision_id: Uuid,
    pub as_of: NaiveDate,
    #[diesel(skip_insertion)]
    pub status: String,
    #[diesel(skip_insertion)]
    pub eligible: i32,
    #[diesel(skip_insertion)]
    pub eligible_not_attached: i32,
    #[diesel(skip_insertion)]
    pub not_eligible: i32,
    #[diesel(skip_insertion)]
    pub last_family_id: Option<Uuid>,
    #[diesel(skip_insertion)]
    pub error: Option<String>,
    pub requested_by: String,
    #[diesel(skip_insertion)]
    pub started_at: Option<DateTime<Utc>>,
    #[diesel(skip_insertion)]
    pub finished_at: Option<DateTime<Utc>>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = identification_results)]
pub struct ResultRow {
    pub run_id: Uuid,
    pub family_id: Uuid,
    pub criteria_met: Vec<String>,
    pub local_filters: Vec<String>,
    pub reason: String,
}

pub async fn insert_run(conn: &mut Conn, row: RunRow) -> QueryResult<RunRow> {
    diesel::insert_into(identification_runs::table)
        .values(row)
        .returning(RunRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find_run(conn: &mut Conn, id: Uuid) -> QueryResult<Option<RunRow>> {
    identification_runs::table
        .find(id)
        .select(RunRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The run's job has started (or started again after a takeover).
pub async fn set_running(conn: &mut Conn, id: Uuid) -> QueryResult<RunRow> {
    use identification_runs as r;
    diesel::update(r::table.find(id))
        .set((
            r::status.eq("running"),
            r::started_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >("coalesce(started_at, now())")),
            r::updated_at.eq(now),
        ))
        .returning(RunRow::as_returning())
        .get_result(conn)
        .await
}

pub struct Progress {
    pub eligible: i32,
    pub eligible_not_attached: i32,
    pub not_eligible: i32,
    pub last_family_id: Uuid,
}

/// Adds a batch's counts and moves the resume point on, in the step's transaction (the job's
/// lease is checked there).
pub async fn advance(conn: &mut Conn, id: Uuid, p: &Progress) -> QueryResult<()> {
    use identification_runs as r;
    let n = diesel::update(r::table.find(id))
        .set((
            r::eligible.eq(r::eligible + p.eligible),
            r::eligible_not_attached.eq(r::eligible_not_attached + p.eligible_not_attached),
            r::not_eligible.eq(r::not_eligible + p.not_eligible),
            r::last_family_id.eq(Some(p.last_family_id)),
            r::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    if n == 1 {
        Ok(())
    } else {
        Err(diesel::result::Error::NotFound)
    }
}

/// Ends the run: `succeeded`, `failed` or `cancelled`, with the reason for the last two.
pub async fn finish(
    conn: &mut Conn,
    id: Uuid,
    status: &str,
    error: Option<&str>,
) -> QueryResult<()> {
    use identification_runs as r;
    diesel::update(r::table.find(id))
        .set((
            r::status.eq(status),
            r::error.eq(error),
            r::finished_at.eq(now),
            r::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn count_families(conn: &mut Conn) -> QueryResult<i64> {
    families::table
        .filter(families::archived_at.is_null())
        .count()
        .get_result(conn)
        .await
}

/// The next batch of current families after `after`, in id order.
pub async fn next_families(
    conn: &mut Conn,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<super::families::FamilyRow>> {
    let mut q = families::table
        .filter(families::archived_at.is_null())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(families::id.gt(a));
    }
    q.order(families::id)
        .limit(limit)
        .select(super::families::FamilyRow::as_select())
        .load(conn)
        .await
}

/// Which of these families are attached under the ruleset.
pub async fn attached_among(conn: &mut Conn, code: &str, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    attachments::table
        .filter(attachments::ruleset_code.eq(code))
        .filter(attachments::family_id.eq_any(ids))
        .select(attachments::family_id)
        .load(conn)
        .await
}

pub async fn insert_results(conn: &mut Conn, rows: Vec<ResultRow>) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(identification_results::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|_| ())
}

/// A page of a run's results with each family's reference and postcode.
pub async fn results(
    conn: &mut Conn,
    run_id: Uuid,
    criterion: Option<&str>,
    local_filter: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<(ResultRow, String, String)>> {
    let mut q = identification_results::table
        .inner_join(families::table)
        .filter(identification_results::run_id.eq(run_id))
        // A family archived since the run is no longer offered.
        .filter(families::archived_at.is_null())
        .into_boxed();
    if let Some(c) = criterion {
        q = q.filter(identification_results::criteria_met.contains(vec![c.to_string()]));
    }
    if let Some(f) = local_filter {
        q = q.filter(identification_results::local_filters.contains(vec![f.to_string()]));
    }
    if let Some(a) = after {
        q = q.filter(identification_results::family_id.gt(a));
    }
    q.order(identification_results::family_id)
        .limit(limit)
        .select((
            ResultRow::as_select(),
            families::reference,
            families::postcode,
        ))
        .load(conn)
        .await
}
