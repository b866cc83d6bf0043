//! The programme's dashboards: a few grouped queries each, whatever the number of families.

use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, SmallInt, Text, Uuid as SqlUuid};
use diesel::{QueryResult, QueryableByName};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use crate::domain::claims::{ItemStatus, WindowStatus};

#[derive(QueryableByName, Debug, Clone)]
pub struct AttachedRow {
    #[diesel(sql_type = Text)]
    pub ruleset_code: String,
    #[diesel(sql_type = SmallInt)]
    pub financial_year: i16,
    #[diesel(sql_type = BigInt)]
    pub attached: i64,
    /// The fee per family they were attached with (one per year by the schedule).
    #[diesel(sql_type = BigInt)]
    pub fee_per_family: i64,
}

/// Families attached per ruleset and financial year.
pub async fn attached(conn: &mut Conn) -> QueryResult<Vec<AttachedRow>> {
    diesel::sql_query(
        "SELECT ruleset_code, financial_year, count(*) AS attached,
                max(attachment_fee_pence)::bigint AS fee_per_family
           FROM attachments GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct ClaimRow {
    #[diesel(sql_type = SqlUuid)]
    pub window_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Date)]
    pub cut_off: NaiveDate,
    #[diesel(sql_type = Text)]
    pub window_status: WindowStatus,
    #[diesel(sql_type = Text)]
    pub ruleset_code: String,
    #[diesel(sql_type = SmallInt)]
    pub financial_year: i16,
    #[diesel(sql_type = Text)]
    pub result: String,
    #[diesel(sql_type = Text)]
    pub status: ItemStatus,
    #[diesel(sql_type = BigInt)]
    pub items: i64,
    #[diesel(sql_type = BigInt)]
    pub amount_pence: i64,
    #[diesel(sql_type = BigInt)]
    pub recovered_pence: i64,
}

/// Claimed results per window, ruleset, attachment year, result and status (excluded ones are
/// not claims and are left out).
pub async fn claims(conn: &mut Conn) -> QueryResult<Vec<ClaimRow>> {
    diesel::sql_query(
        "SELECT w.id AS window_id, w.name, w.cut_off, w.status AS window_status,
                i.ruleset_code, i.financial_year, i.result, i.status, count(*) AS items,
                sum(i.amount_pence)::bigint AS amount_pence,
                coalesce(sum(i.recovered_pence), 0)::bigint AS recovered_pence
           FROM claim_items i JOIN claim_windows w ON w.id = i.window_id
          WHERE i.status <> 'excluded'
          GROUP BY w.id, i.ruleset_code, i.financial_year, i.result, i.status
          ORDER BY w.cut_off, w.id, i.ruleset_code, i.financial_year, i.result, i.status",
    )
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct CountRow {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Current families by status (identified, attached, closed...).
pub async fn families_by_status(conn: &mut Conn) -> QueryResult<Vec<CountRow>> {
    diesel::sql_query(
        "SELECT status AS key, count(*) AS n FROM families
          WHERE archived_at IS NULL GROUP BY 1 ORDER BY 1",
    )
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct TeamRow {
    #[diesel(sql_type = Text)]
    pub team_code: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Integer>)]
    pub open_case_limit: Option<i32>,
    #[diesel(sql_type = BigInt)]
    pub open: i64,
}

pub async fn teams(conn: &mut Conn) -> QueryResult<Vec<TeamRow>> {
    diesel::sql_query(
        "SELECT t.code AS team_code, t.name, t.open_case_limit,
                count(a.id) FILTER (WHERE a.ended_at IS NULL) AS open
           FROM teams t LEFT JOIN allocations a ON a.team_code = t.code
          GROUP BY t.code ORDER BY t.code",
    )
    .load(conn)
    .await
}

#[derive(QueryableByName, Debug, Clone)]
pub struct WorkerRow {
    #[diesel(sql_type = SqlUuid)]
    pub staff_id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub staff_role: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub team_code: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub open: i64,
}

/// Each active worker's open cases (families allocated to them now).
pub async fn workers(conn: &mut Conn) -> QueryResult<Vec<WorkerRow>> {
    diesel::sql_query(
        "SELECT s.id AS staff_id, s.name, s.staff_role, s.team_code,
                count(a.id) AS open
           FROM staff s LEFT JOIN allocations a ON a.staff_id = s.id AND a.ended_at IS NULL
          WHERE s.active AND s.staff_role IN ('lead_worker', 'key_worker', 'employment_adviser')
          GROUP BY s.id ORDER BY s.name, s.id",
    )
    .load(conn)
    .await
}

/// The revision each ruleset's families were most recently attached under.
pub async fn latest_revisions(conn: &mut Conn) -> QueryResult<Vec<(String, Uuid)>> {
    use super::schema::attachments as a;
    use diesel::{ExpressionMethods, QueryDsl};
    a::table
        .distinct_on(a::ruleset_code)
        .order((a::ruleset_code, a::attached_on.desc(), a::id.desc()))
        .select((a::ruleset_code, a::revision_id))
        .load(conn)
        .await
}
