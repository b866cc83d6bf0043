use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{ruleset_revisions, rulesets};
use super::Conn;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = rulesets)]
pub struct RulesetRow {
    pub code: String,
    pub name: String,
    pub family: String,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = ruleset_revisions)]
pub struct RevisionRow {
    pub id: Uuid,
    pub ruleset_code: String,
    pub revision: i32,
    pub effective_from: NaiveDate,
    pub parameters: serde_json::Value,
    pub note: String,
    pub created_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

pub async fn all(conn: &mut Conn) -> QueryResult<Vec<RulesetRow>> {
    rulesets::table
        .order(rulesets::code)
        .select(RulesetRow::as_select())
        .load(conn)
        .await
}

pub async fn find(conn: &mut Conn, code: &str) -> QueryResult<Option<RulesetRow>> {
    rulesets::table
        .find(code)
        .select(RulesetRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn revisions(conn: &mut Conn, codes: &[String]) -> QueryResult<Vec<RevisionRow>> {
    ruleset_revisions::table
        .filter(ruleset_revisions::ruleset_code.eq_any(codes))
        .order((ruleset_revisions::ruleset_code, ruleset_revisions::revision))
        .select(RevisionRow::as_select())
        .load(conn)
        .await
}

/// The revision in force on a date: the latest to have taken effect by then.
pub async fn in_force(
    conn: &mut Conn,
    code: &str,
    on: NaiveDate,
) -> QueryResult<Option<RevisionRow>> {
    ruleset_revisions::table
        .filter(ruleset_revisions::ruleset_code.eq(code))
        .filter(ruleset_revisions::effective_from.le(on))
        .order(ruleset_revisions::effective_from.desc())
        .select(RevisionRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The ruleset's row, locked, so revisions are numbered one at a time.
pub async fn lock(conn: &mut Conn, code: &str) -> QueryResult<Option<RulesetRow>> {
    rulesets::table
        .find(code)
        .for_update()
        .select(RulesetRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_revision(conn: &mut Conn, row: RevisionRow) -> QueryResult<RevisionRow> {
    diesel::insert_into(ruleset_revisions::table)
        .values(row)
        .returning(RevisionRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn revision(conn: &mut Conn, id: Uuid) -> QueryResult<RevisionRow> {
    ruleset_revisions::table
        .find(id)
        .select(RevisionRow::as_select())
        .first(conn)
        .await
}
