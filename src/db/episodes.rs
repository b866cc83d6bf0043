use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::care_episodes;
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = care_episodes)]
pub struct EpisodeRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub kind: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub direction: String,
    pub follows_id: Option<Uuid>,
    pub assessment_id: Option<Uuid>,
    pub agreed_by: String,
    pub recorded_by: String,
    pub end_agreed_by: Option<String>,
    pub end_reason: Option<String>,
    pub ended_by: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

pub async fn insert(conn: &mut Conn, row: EpisodeRow) -> QueryResult<EpisodeRow> {
    diesel::insert_into(care_episodes::table)
        .values(row)
        .returning(EpisodeRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(conn: &mut Conn, family_id: Uuid, id: Uuid) -> QueryResult<Option<EpisodeRow>> {
    care_episodes::table
        .filter(care_episodes::family_id.eq(family_id))
        .filter(care_episodes::id.eq(id))
        .for_update()
        .select(EpisodeRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn of_assessment(
    conn: &mut Conn,
    assessment_id: Uuid,
) -> QueryResult<Option<EpisodeRow>> {
    care_episodes::table
        .filter(care_episodes::assessment_id.eq(assessment_id))
        .for_update()
        .select(EpisodeRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The family's timeline, in order.
pub async fn timeline(conn: &mut Conn, family_id: Uuid) -> QueryResult<Vec<EpisodeRow>> {
    care_episodes::table
        .filter(care_episodes::family_id.eq(family_id))
        .order((care_episodes::started_on, care_episodes::id))
        .select(EpisodeRow::as_select())
        .load(conn)
        .await
}

pub async fn end(
    conn: &mut Conn,
    id: Uuid,
    on: NaiveDate,
    agreed_by: &str,
    reason: Option<&str>,
    by: &str,
) -> QueryResult<EpisodeRow> {
    diesel::update(care_episodes::table.find(id))
        .set((
            care_episodes::ended_on.eq(on),
            care_episodes::end_agreed_by.eq(agreed_by),
            care_episodes::end_reason.eq(reason),
            care_episodes::ended_by.eq(by),
            care_episodes::version.eq(care_episodes::version + 1),
            care_episodes::updated_at.eq(diesel::dsl::now),
        ))
        .returning(EpisodeRow::as_returning())
        .get_result(conn)
        .await
}

/// The day the family's last FCAF episode ended, if one has.
pub async fn last_fcaf_end(conn: &mut Conn, family_id: Uuid) -> QueryResult<Option<NaiveDate>> {
    care_episodes::table
        .filter(care_episodes::family_id.eq(family_id))
        .filter(care_episodes::kind.eq("fcaf"))
        .select(diesel::dsl::max(care_episodes::ended_on))
        .first(conn)
        .await
}
