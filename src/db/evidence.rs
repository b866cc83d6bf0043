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
    /// Set on the records an information request's answer gave.
    pub information_request_id: Option<Uuid>,
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
    kinds: Option<&[&str]>,
    before_id: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<EvidenceRow>> {
    let mut q = evidence::table
        .filter(evidence::family_id.eq(family_id))
        .into_boxed();
    if let Some(k) = kinds {
        q = q.filter(evidence::kind.eq_any(k));
    }
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
#[derive(Queryable, QueryableByName, Selectable, Debug, Clone)]
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

/// A family's record as read for the rules, with what decides whether it is in force.
#[derive(QueryableByName)]
#[diesel(table_name = evidence)]
struct Candidate {
    #[diesel(embed)]
    fact: RuleFactRow,
    supersedes_id: Option<Uuid>,
    retracts: bool,
}

/// Every record of the given families that is in force: not superseded and not a retraction,
/// ordered by family and id. One query for any number of families (the identification job
/// passes thousands; a family named twice is read once): each family's records are one
/// index-only range of the family index (migration 000029, `each_family!`), and since a correction is always of
/// the same family (a trigger holds it), the corrected and retracted records are dropped here
/// from the family's own records, with no lookup per record.
pub async fn in_force_for(conn: &mut Conn, family_ids: &[Uuid]) -> QueryResult<Vec<RuleFactRow>> {
    let rows: Vec<Candidate> = diesel::sql_query(concat!(
        "SELECT e.id, e.family_id, e.member_id, e.kind, e.occurred_on, e.ends_on, e.academic_year,
                e.term, e.possible_sessions, e.sessions_attended, e.unauthorised_absences,
                e.fixed_term_exclusions, e.filter, e.indicator, e.supersedes_id, e.retracts ",
        each_family!("SELECT * FROM evidence e WHERE e.family_id = f.id"),
        " e"
    ))
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(family_ids)
    .load(conn)
    .await?;
    let superseded: std::collections::HashSet<Uuid> =
        rows.iter().filter_map(|r| r.supersedes_id).collect();
    let mut rows: Vec<RuleFactRow> = rows
        .into_iter()
        .filter(|r| !r.retracts && !superseded.contains(&r.fact.id))
        .map(|r| r.fact)
        .collect();
    // Sorted here, cheaply, rather than by PostgreSQL after the lookups.
    rows.sort_unstable_by_key(|r| (r.family_id, r.id));
    Ok(rows)
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
