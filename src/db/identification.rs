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
    pub total: i32,
    #[diesel(skip_insertion)]
    pub done: i32,
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
    #[diesel(skip_insertion)]
    pub claim_token: Option<Uuid>,
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

/// Claims the oldest run waiting, or one whose worker stopped sending heartbeats (its instance
/// died), so any instance can carry a run through. The row stays locked from the choice to the
/// update (one transaction), and the claim gets a fresh token.
pub async fn claim(conn: &mut Conn, stale_after_seconds: i32) -> QueryResult<Option<RunRow>> {
    use diesel_async::AsyncConnection;
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        let stale = diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>>(
            &format!("now() - interval '{stale_after_seconds} seconds'"),
        );
        let candidate = identification_runs::table
            .filter(
                identification_runs::status
                    .eq("queued")
                    .or(identification_runs::status
                        .eq("running")
                        .and(identification_runs::heartbeat_at.lt(stale))),
            )
            .order(identification_runs::created_at)
            .select(identification_runs::id)
            .limit(1)
            .for_update()
            .skip_locked()
            .first::<Uuid>(conn)
            .await
            .optional()?;
        let Some(id) = candidate else { return Ok(None) };
        diesel::update(identification_runs::table.find(id))
            .set((
                identification_runs::status.eq("running"),
                identification_runs::claim_token.eq(Some(Uuid::now_v7())),
                identification_runs::heartbeat_at.eq(now),
                identification_runs::started_at.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                >("coalesce(started_at, now())")),
                identification_runs::updated_at.eq(now),
            ))
            .returning(RunRow::as_returning())
            .get_result(conn)
            .await
            .map(Some)
    })
    .await
}

pub async fn set_total(conn: &mut Conn, id: Uuid, total: i32) -> QueryResult<()> {
    diesel::update(identification_runs::table.find(id))
        .set((
            identification_runs::total.eq(total),
            identification_runs::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub struct Progress {
    pub done: i32,
    pub eligible: i32,
    pub eligible_not_attached: i32,
    pub not_eligible: i32,
    pub last_family_id: Uuid,
}

/// Adds a batch's counts and moves the resume point on; also the worker's heartbeat. `NotFound`
/// when the claim was lost to another worker.
pub async fn advance(conn: &mut Conn, id: Uuid, token: Uuid, p: &Progress) -> QueryResult<()> {
    use identification_runs as r;
    let n = diesel::update(r::table.find(id).filter(r::claim_token.eq(token)))
        .set((
            r::done.eq(r::done + p.done),
            r::eligible.eq(r::eligible + p.eligible),
            r::eligible_not_attached.eq(r::eligible_not_attached + p.eligible_not_attached),
            r::not_eligible.eq(r::not_eligible + p.not_eligible),
            r::last_family_id.eq(Some(p.last_family_id)),
            r::heartbeat_at.eq(now),
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

/// Ends the run, if this worker still holds the claim.
pub async fn finish(
    conn: &mut Conn,
    id: Uuid,
    token: Uuid,
    error: Option<String>,
) -> QueryResult<()> {
    use identification_runs as r;
    let status = if error.is_some() {
        "failed"
    } else {
        "succeeded"
    };
    diesel::update(r::table.find(id).filter(r::claim_token.eq(token)))
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
