use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{staff, taf_members};
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = taf_members)]
pub struct TafMemberRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub staff_id: Uuid,
    pub joined_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub added_by: String,
    pub removed_by: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

pub async fn insert(conn: &mut Conn, row: TafMemberRow) -> QueryResult<TafMemberRow> {
    diesel::insert_into(taf_members::table)
        .values(row)
        .returning(TafMemberRow::as_returning())
        .get_result(conn)
        .await
}

/// Whether this member of staff sits on the family's team now.
pub async fn sits_on(conn: &mut Conn, family_id: Uuid, staff_id: Uuid) -> QueryResult<bool> {
    diesel::select(exists(
        taf_members::table
            .filter(taf_members::family_id.eq(family_id))
            .filter(taf_members::staff_id.eq(staff_id))
            .filter(taf_members::left_on.is_null()),
    ))
    .get_result(conn)
    .await
}

/// Whether the (active) member of staff with this token subject sits on the family's team now.
pub async fn subject_sits_on(conn: &mut Conn, family_id: Uuid, subject: &str) -> QueryResult<bool> {
    diesel::select(exists(
        taf_members::table
            .inner_join(staff::table)
            .filter(taf_members::family_id.eq(family_id))
            .filter(taf_members::left_on.is_null())
            .filter(staff::subject.eq(subject))
            .filter(staff::active.eq(true)),
    ))
    .get_result(conn)
    .await
}

pub async fn list(conn: &mut Conn, family_id: Uuid) -> QueryResult<Vec<TafMemberRow>> {
    taf_members::table
        .filter(taf_members::family_id.eq(family_id))
        .order(taf_members::id)
        .select(TafMemberRow::as_select())
        .load(conn)
        .await
}

pub async fn find(conn: &mut Conn, family_id: Uuid, id: Uuid) -> QueryResult<Option<TafMemberRow>> {
    taf_members::table
        .filter(taf_members::family_id.eq(family_id))
        .filter(taf_members::id.eq(id))
        .for_update()
        .select(TafMemberRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn leave(
    conn: &mut Conn,
    id: Uuid,
    on: NaiveDate,
    by: &str,
) -> QueryResult<TafMemberRow> {
    diesel::update(taf_members::table.find(id))
        .set((
            taf_members::left_on.eq(on),
            taf_members::removed_by.eq(by),
            taf_members::version.eq(taf_members::version + 1),
            taf_members::updated_at.eq(diesel::dsl::now),
        ))
        .returning(TafMemberRow::as_returning())
        .get_result(conn)
        .await
}
