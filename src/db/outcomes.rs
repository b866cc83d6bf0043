//! What the results engine reads beyond evidence: the casework Supporting Families requires.

use chrono::NaiveDate;
use diesel::sql_types::{Array, BigInt, Date, Nullable, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use diesel::QueryResult;

#[derive(QueryableByName, Debug, Clone)]
pub struct CaseRow {
    #[diesel(sql_type = SqlUuid)]
    pub family_id: Uuid,
    #[diesel(sql_type = Date)]
    pub activated_on: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    pub closed_on: Option<NaiveDate>,
    #[diesel(sql_type = BigInt)]
    pub plan_actions: i64,
}

/// Every agreed FCAF of the families (its lead practitioner is required by the table), when it
/// closed and how many actions its plan has: one query for any number of families. The rules
/// choose the case worked after attachment, so all are read, not only the latest.
pub async fn cases_of(conn: &mut Conn, family_ids: &[Uuid]) -> QueryResult<Vec<CaseRow>> {
    diesel::sql_query(
        "SELECT a.family_id, a.activated_on, a.closed_on,
                (SELECT count(*) FROM plan_actions p
                  WHERE p.family_id = a.family_id AND p.assessment_id = a.id) AS plan_actions
           FROM assessments a
          WHERE a.family_id = ANY($1) AND a.activated_on IS NOT NULL
          ORDER BY a.family_id, a.activated_on, a.id",
    )
    .bind::<Array<SqlUuid>, _>(family_ids)
    .load(conn)
    .await
}
