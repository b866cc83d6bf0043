use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::evidence;
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub kind: String,
    pub source: String,
    pub occurred_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub intervention_kind: Option<String>,
    pub academic_year: Option<i16>,
    pub term: Option<String>,
    pub possible_sessions: Option<i32>,
    pub sessions_attended: Option<i32>,
    pub unauthorised_absences: Option<i32>,
    pub fixed_term_exclusions: Option<i32>,
    pub benefit_type: Option<String>,
    pub hours_per_week: Option<i16>,
    pub programme: Option<String>,
    pub filter: Option<String>,
    pub indicator: Option<String>,
    pub notes: Option<String>,
    pub supersedes_id: Option<Uuid>,
    pub retracts: bool,
    pub recorded_by: String,
    /// Set on imported records: the identity that makes a re-upload add nothing.
    pub import_key: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, row: EvidenceRow) -> QueryResult<EvidenceRow> {
    diesel::insert_into(evidence::table)
        .values(row)
        .returning(EvidenceRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(conn: &mut Conn, family_id: Uuid, id: Uuid) -> QueryResult<Option<EvidenceRow>> {
    evidence::table
        .find(id)
        .filter(evidence::family_id.eq(family_id))
        .select(EvidenceRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The id of the record that superseded this one, if any.
pub async fn superseded_by(conn: &mut Conn, ids: &[Uuid]) -> QueryResult<Vec<(Uuid, Uuid)>> {
    evidence::table
        .filter(evidence::supersedes_id.eq_any(ids))
        .select((evidence::supersedes_id.assume_not_null(), evidence::id))
        .load(conn)
        .await
}

/// A page of a family's evidence, newest first.
pub async fn list(
    conn: &mut Conn,
    family_id: Uuid,
    before_id: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<EvidenceRow>> {
    let mut q = evidence::table
        .filter(evidence::family_id.eq(family_id))
        .into_boxed();
    if let Some(b) = before_id {
        q = q.filter(evidence::id.lt(b));
    }
    q.order(evidence::id.desc())
        .limit(limit)
        .select(EvidenceRow::as_select())
        .load(conn)
        .await
}

/// The columns the eligibility rules read, and no more (the identification run loads hundreds of
/// thousands of these).
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = evidence)]
pub struct RuleFactRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub academic_year: Option<i16>,
    pub term: Option<String>,
    pub possible_sessions: Option<i32>,
    pub sessions_attended: Option<i32>,
    pub unauthorised_absences: Option<i32>,
    pub fixed_term_exclusions: Option<i32>,
    pub filter: Option<String>,
    pub indicator: Option<String>,
}

/// Every record of the given families that is in force: not superseded and not a retraction.
/// One query for any number of families (the identification job passes thousands).
pub async fn in_force_for(conn: &mut Conn, family_ids: &[Uuid]) -> QueryResult<Vec<RuleFactRow>> {
    let successors = diesel::alias!(evidence as successors);
    evidence::table
        .filter(evidence::family_id.eq_any(family_ids))
        .filter(evidence::retracts.eq(false))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            successors.filter(
                successors
                    .field(evidence::supersedes_id)
                    .eq(evidence::id.nullable()),
            ),
        )))
        .order((evidence::family_id, evidence::id))
        .select(RuleFactRow::as_select())
        .load(conn)
        .await
}

/// Inserts imported records, skipping any already imported (same import key); returns the ids
/// of the new ones.
pub async fn insert_imported(conn: &mut Conn, rows: Vec<EvidenceRow>) -> QueryResult<Vec<Uuid>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    diesel::insert_into(evidence::table)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(evidence::id)
        .get_results(conn)
        .await
}
