use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not, now};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{allocations, families};
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = allocations)]
pub struct AllocationRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub staff_id: Uuid,
    pub team_code: Option<String>,
    #[diesel(skip_insertion)]
    pub started_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub ended_at: Option<DateTime<Utc>>,
    #[diesel(skip_insertion)]
    pub end_reason: Option<String>,
    pub allocated_by: String,
    #[diesel(skip_insertion)]
    pub ended_by: Option<String>,
}

pub async fn insert(conn: &mut Conn, row: AllocationRow) -> QueryResult<AllocationRow> {
    diesel::insert_into(allocations::table)
        .values(row)
        .returning(AllocationRow::as_returning())
        .get_result(conn)
        .await
}

/// Whether the family is allocated now to the (active) member of staff with this token subject.
pub async fn allocated_to(conn: &mut Conn, family_id: Uuid, subject: &str) -> QueryResult<bool> {
    use super::schema::staff;
    diesel::select(exists(
        allocations::table
            .inner_join(staff::table)
            .filter(allocations::family_id.eq(family_id))
            .filter(allocations::ended_at.is_null())
            .filter(staff::subject.eq(subject))
            .filter(staff::active.eq(true)),
    ))
    .get_result(conn)
    .await
}

pub async fn open_for_family(
    conn: &mut Conn,
    family_id: Uuid,
) -> QueryResult<Option<AllocationRow>> {
    allocations::table
        .filter(allocations::family_id.eq(family_id))
        .filter(allocations::ended_at.is_null())
        .select(AllocationRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn open_for_staff(conn: &mut Conn, staff_id: Uuid) -> QueryResult<Vec<AllocationRow>> {
    allocations::table
        .filter(allocations::staff_id.eq(staff_id))
        .filter(allocations::ended_at.is_null())
        .order(allocations::family_id)
        .select(AllocationRow::as_select())
        .load(conn)
        .await
}

pub async fn history(conn: &mut Conn, family_id: Uuid) -> QueryResult<Vec<AllocationRow>> {
    allocations::table
        .filter(allocations::family_id.eq(family_id))
        .order(allocations::started_at.desc())
        .select(AllocationRow::as_select())
        .load(conn)
        .await
}

/// Ends open allocations (of one family, or all of a worker's) with a reason.
pub async fn end(conn: &mut Conn, ids: &[Uuid], reason: &str, by: &str) -> QueryResult<usize> {
    diesel::update(
        allocations::table
            .filter(allocations::id.eq_any(ids))
            .filter(allocations::ended_at.is_null()),
    )
    .set((
        allocations::ended_at.eq(now),
        allocations::end_reason.eq(reason),
        allocations::ended_by.eq(by),
        allocations::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// Attached families with no open allocation, in id order.
pub async fn unallocated(
    conn: &mut Conn,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<(Uuid, String, String)>> {
    let mut q = families::table
        .filter(families::status.eq("attached"))
        .filter(not(exists(
            allocations::table
                .filter(allocations::family_id.eq(families::id))
                .filter(allocations::ended_at.is_null()),
        )))
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(families::id.gt(a));
    }
    q.order(families::id)
        .limit(limit)
        .select((families::id, families::reference, families::postcode))
        .load(conn)
        .await
}
