use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::{exists, now};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{families, members, relatives};
use super::Conn;

#[derive(Queryable, QueryableByName, Selectable, Debug, Clone)]
#[diesel(table_name = families)]
pub struct FamilyRow {
    pub id: Uuid,
    pub reference: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub town: String,
    pub postcode: String,
    pub lsoa: Option<String>,
    pub housing_tenure: String,
    pub bedrooms: Option<i16>,
    pub status: String,
    pub notes: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Insertable)]
#[diesel(table_name = families)]
// None is NULL, as on NewAuditEvent (prepared once, not per row).
#[diesel(treat_none_as_default_value = false)]
pub struct NewFamily {
    pub id: Uuid,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub town: String,
    pub postcode: String,
    pub lsoa: Option<String>,
    pub housing_tenure: String,
    pub bedrooms: Option<i16>,
    pub notes: Option<String>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = families)]
pub struct FamilyChanges {
    pub address_line1: Option<String>,
    pub address_line2: Option<Option<String>>,
    pub town: Option<String>,
    pub postcode: Option<String>,
    pub lsoa: Option<Option<String>>,
    pub housing_tenure: Option<String>,
    pub bedrooms: Option<Option<i16>>,
    pub notes: Option<Option<String>>,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = members)]
pub struct MemberRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_role: String,
    pub relationship: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub upn: Option<String>,
    pub nhs_number: Option<String>,
    pub ni_number: Option<String>,
    pub school_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Insertable)]
#[diesel(table_name = members)]
// None is NULL, as on NewAuditEvent (prepared once, not per row).
#[diesel(treat_none_as_default_value = false)]
pub struct NewMember {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_role: String,
    pub relationship: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: String,
    pub upn: Option<String>,
    pub nhs_number: Option<String>,
    pub ni_number: Option<String>,
    pub school_name: Option<String>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = members)]
pub struct MemberChanges {
    pub member_role: Option<String>,
    pub relationship: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<String>,
    pub upn: Option<Option<String>>,
    pub nhs_number: Option<Option<String>>,
    pub ni_number: Option<Option<String>>,
    pub school_name: Option<Option<String>>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = relatives)]
pub struct RelativeRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub related_member_id: Option<Uuid>,
    pub relationship: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub notes: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

pub async fn insert_family(conn: &mut Conn, f: NewFamily) -> QueryResult<FamilyRow> {
    diesel::insert_into(families::table)
        .values(f)
        .returning(FamilyRow::as_returning())
        .get_result(conn)
        .await
}

/// A family with its members and relatives: three statements sent together, one round trip
/// (PostgreSQL still runs them one after the other, in this transaction).
pub async fn family_with_people(
    conn: &mut Conn,
    id: Uuid,
) -> QueryResult<(Option<FamilyRow>, Vec<MemberRow>, Vec<RelativeRow>)> {
    let shared: &Conn = conn;
    let mut a = shared;
    let (family, people) =
        futures_util::future::join(find_family(&mut a, id, false), people(shared, id)).await;
    // The first statement's error is the cause (a timeout, say): those sent after it only
    // report the transaction aborted. The same holds for the order inside `people`.
    let family = family?;
    let (members, relatives) = people?;
    Ok((family, members, relatives))
}

/// A family's current members and relatives, the two reads sent together.
pub async fn members_and_relatives(
    conn: &mut Conn,
    family_id: Uuid,
) -> QueryResult<(Vec<MemberRow>, Vec<RelativeRow>)> {
    people(conn, family_id).await
}

async fn people(conn: &Conn, family_id: Uuid) -> QueryResult<(Vec<MemberRow>, Vec<RelativeRow>)> {
    let (mut a, mut b) = (conn, conn);
    let (members, relatives) = futures_util::future::join(
        members_of_family(&mut a, family_id),
        relatives_of(&mut b, family_id),
    )
    .await;
    Ok((members?, relatives?))
}

/// A family that is not archived, locked for the rest of the transaction when `for_update`.
pub async fn find_family<C>(
    conn: &mut C,
    id: Uuid,
    for_update: bool,
) -> QueryResult<Option<FamilyRow>>
where
    C: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send,
{
    let q = families::table
        .find(id)
        .filter(families::archived_at.is_null())
        .select(FamilyRow::as_select());
    if for_update {
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

/// Applies changes when the version still matches; `None` means someone else changed it first.
pub async fn update_family(
    conn: &mut Conn,
    id: Uuid,
    expected_version: i32,
    changes: FamilyChanges,
) -> QueryResult<Option<FamilyRow>> {
    diesel::update(
        families::table
            .find(id)
            .filter(families::version.eq(expected_version))
            .filter(families::archived_at.is_null()),
    )
    .set((
        changes,
        families::version.eq(families::version + 1),
        families::updated_at.eq(now),
    ))
    .returning(FamilyRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Records that something inside the family changed, so the family's ETag moves on.
pub async fn touch_family(conn: &mut Conn, id: Uuid) -> QueryResult<()> {
    diesel::update(families::table.find(id))
        .set((
            families::version.eq(families::version + 1),
            families::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn archive_family(conn: &mut Conn, id: Uuid, expected_version: i32) -> QueryResult<bool> {
    diesel::update(
        families::table
            .find(id)
            .filter(families::version.eq(expected_version))
            .filter(families::archived_at.is_null()),
    )
    .set((
        families::status.eq("archived"),
        families::archived_at.eq(now),
        families::version.eq(families::version + 1),
        families::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Whether the (active) member of staff with this token subject works with the family now: it is
/// allocated to them, or they sit on its Team Around the Family.
pub async fn worker_sees(conn: &mut Conn, family_id: Uuid, subject: &str) -> QueryResult<bool> {
    use super::schema::{allocations, staff, taf_members};
    let me = || {
        staff::table
            .filter(staff::subject.eq(subject))
            .filter(staff::active.eq(true))
            .select(staff::id)
    };
    diesel::select(
        exists(
            allocations::table
                .filter(allocations::family_id.eq(family_id))
                .filter(allocations::ended_at.is_null())
                .filter(allocations::staff_id.eq_any(me())),
        )
        .or(exists(
            taf_members::table
                .filter(taf_members::family_id.eq(family_id))
                .filter(taf_members::left_on.is_null())
                .filter(taf_members::staff_id.eq_any(me())),
        )),
    )
    .get_result(conn)
    .await
}

/// Where list text is looked for, with its LIKE pattern (already escaped). One place or the
/// other: a reference-or-name filter made PostgreSQL hash every matching member of the whole
/// table for each page (100 ms a page for a common surname at 100,000 families).
pub enum TextSearch {
    Reference(String),
    Names(String),
}

pub struct FamilyFilter {
    pub postcode: Option<String>,
    pub status: Option<String>,
    pub text: Option<TextSearch>,
    pub before_id: Option<Uuid>,
    /// Only the families the worker with this token subject sees (`worker_sees`).
    pub worker: Option<String>,
}

pub async fn list_families(
    conn: &mut Conn,
    f: &FamilyFilter,
    limit: i64,
) -> QueryResult<Vec<FamilyRow>> {
    let mut q = families::table.into_boxed();
    if let Some(pc) = &f.postcode {
        q = q.filter(families::postcode.eq(pc.clone()));
    }
    q = match &f.status {
        Some(s) => q.filter(families::status.eq(s.clone())),
        None => q.filter(families::status.ne("archived")),
    };
    match &f.text {
        Some(TextSearch::Reference(pat)) => q = q.filter(families::reference.ilike(pat.clone())),
        Some(TextSearch::Names(pat)) => {
            q = q.filter(exists(
                members::table
                    .filter(members::family_id.eq(families::id))
                    .filter(members::archived_at.is_null())
                    .filter(members::full_name.ilike(pat.clone())),
            ))
        }
        None => {}
    }
    if let Some(before) = f.before_id {
        q = q.filter(families::id.lt(before));
    }
    if let Some(subject) = &f.worker {
        use super::schema::{allocations, staff, taf_members};
        let me = || {
            staff::table
                .filter(staff::subject.eq(subject.clone()))
                .filter(staff::active.eq(true))
                .select(staff::id)
        };
        q = q.filter(
            exists(
                allocations::table
                    .filter(allocations::family_id.eq(families::id))
                    .filter(allocations::ended_at.is_null())
                    .filter(allocations::staff_id.eq_any(me())),
            )
            .or(exists(
                taf_members::table
                    .filter(taf_members::family_id.eq(families::id))
                    .filter(taf_members::left_on.is_null())
                    .filter(taf_members::staff_id.eq_any(me())),
            )),
        );
    }
    q.order(families::id.desc())
        .limit(limit)
        .select(FamilyRow::as_select())
        .load(conn)
        .await
}

/// A member as the eligibility rules see them.
#[derive(Queryable, QueryableByName, Selectable, Debug, Clone)]
#[diesel(table_name = members)]
pub struct PersonRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_role: String,
    pub date_of_birth: NaiveDate,
}

/// Current members of the given families, only what the rules read, in one query, ordered by
/// family and id, each family looked up in the family index (`each_family!`).
pub async fn people_of(conn: &mut Conn, family_ids: &[Uuid]) -> QueryResult<Vec<PersonRow>> {
    let mut rows: Vec<PersonRow> = diesel::sql_query(concat!(
        "SELECT m.id, m.family_id, m.member_role, m.date_of_birth ",
        each_family!("SELECT * FROM members m WHERE m.family_id = f.id AND m.archived_at IS NULL"),
        " m"
    ))
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(family_ids)
    .load(conn)
    .await?;
    rows.sort_unstable_by_key(|r| (r.family_id, r.id));
    Ok(rows)
}

/// Current members of the given families, in one query.
/// Generic over the connection so that a shared reference can pipeline it with other reads.
pub async fn members_of<C>(conn: &mut C, family_ids: &[Uuid]) -> QueryResult<Vec<MemberRow>>
where
    C: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send,
{
    members::table
        .filter(members::family_id.eq_any(family_ids))
        .filter(members::archived_at.is_null())
        .order((members::family_id, members::date_of_birth, members::id))
        .select(MemberRow::as_select())
        .load(conn)
        .await
}

/// One family's current members. Not `members_of(&[id])`: PostgreSQL plans `= ANY($1)` again
/// on every call (its generic plan, costed for an array of unknown length, never looks cheaper
/// than the custom one), which was two thirds of that statement's time on a family read
/// (42 of 63 µs, by pg_stat_statements with track_planning); `= $1` keeps its generic plan.
pub async fn members_of_family<C>(conn: &mut C, family_id: Uuid) -> QueryResult<Vec<MemberRow>>
where
    C: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send,
{
    members::table
        .filter(members::family_id.eq(family_id))
        .filter(members::archived_at.is_null())
        .order((members::date_of_birth, members::id))
        .select(MemberRow::as_select())
        .load(conn)
        .await
}

pub async fn relatives_of<C>(conn: &mut C, family_id: Uuid) -> QueryResult<Vec<RelativeRow>>
where
    C: diesel_async::AsyncConnectionCore<Backend = diesel::pg::Pg> + Send,
{
    relatives::table
        .filter(relatives::family_id.eq(family_id))
        .filter(relatives::archived_at.is_null())
        .order(relatives::id)
        .select(RelativeRow::as_select())
        .load(conn)
        .await
}

pub async fn insert_members(conn: &mut Conn, rows: Vec<NewMember>) -> QueryResult<Vec<MemberRow>> {
    diesel::insert_into(members::table)
        .values(rows)
        .returning(MemberRow::as_returning())
        .get_results(conn)
        .await
}

pub async fn find_member(
    conn: &mut Conn,
    family_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<MemberRow>> {
    members::table
        .find(id)
        .filter(members::family_id.eq(family_id))
        .filter(members::archived_at.is_null())
        .select(MemberRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn update_member(
    conn: &mut Conn,
    id: Uuid,
    expected_version: i32,
    changes: MemberChanges,
) -> QueryResult<Option<MemberRow>> {
    diesel::update(
        members::table
            .find(id)
            .filter(members::version.eq(expected_version))
            .filter(members::archived_at.is_null()),
    )
    .set((
        changes,
        members::version.eq(members::version + 1),
        members::updated_at.eq(now),
    ))
    .returning(MemberRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

pub async fn archive_member(conn: &mut Conn, id: Uuid, expected_version: i32) -> QueryResult<bool> {
    diesel::update(
        members::table
            .find(id)
            .filter(members::version.eq(expected_version))
            .filter(members::archived_at.is_null()),
    )
    .set((
        members::archived_at.eq(now),
        members::version.eq(members::version + 1),
        members::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

pub async fn insert_relative(conn: &mut Conn, row: RelativeRow) -> QueryResult<RelativeRow> {
    diesel::insert_into(relatives::table)
        .values(row)
        .returning(RelativeRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find_relative(
    conn: &mut Conn,
    family_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<RelativeRow>> {
    relatives::table
        .find(id)
        .filter(relatives::family_id.eq(family_id))
        .filter(relatives::archived_at.is_null())
        .select(RelativeRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn archive_relative(
    conn: &mut Conn,
    id: Uuid,
    expected_version: i32,
) -> QueryResult<bool> {
    diesel::update(
        relatives::table
            .find(id)
            .filter(relatives::version.eq(expected_version))
            .filter(relatives::archived_at.is_null()),
    )
    .set((
        relatives::archived_at.eq(now),
        relatives::version.eq(relatives::version + 1),
        relatives::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// The given families (archived or not: results stay claimable), in one query.
pub async fn families_by_ids(conn: &mut Conn, ids: &[Uuid]) -> QueryResult<Vec<FamilyRow>> {
    // One primary-key lookup per family (`each_family!`).
    diesel::sql_query(concat!(
        "SELECT fam.* ",
        each_family!("SELECT * FROM families WHERE id = f.id"),
        " fam"
    ))
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids)
    .load(conn)
    .await
}
