use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{consents, information_sharing, organisations};
use super::Conn;
use crate::domain::information::SharingDirection;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = consents)]
pub struct ConsentRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub decision: String,
    pub organisations: Vec<String>,
    pub purposes: Vec<String>,
    pub categories: Option<Vec<String>>,
    pub excluded_categories: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    pub notes: Option<String>,
    pub recorded_by: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_reason: Option<String>,
    pub withdrawn_by: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = information_sharing)]
pub struct SharingRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub shared_with: String,
    pub lawful_basis: String,
    pub categories: Vec<String>,
    pub what_was_shared: String,
    pub reason: String,
    pub shared_on: NaiveDate,
    pub shared_by: String,
    pub direction: SharingDirection,
    pub information_request_id: Option<Uuid>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

pub async fn organisations(conn: &mut Conn) -> QueryResult<Vec<OrganisationRow>> {
    organisations::table
        .order(organisations::code)
        .select(OrganisationRow::as_select())
        .load(conn)
        .await
}

pub async fn insert_organisation(
    conn: &mut Conn,
    row: OrganisationRow,
) -> QueryResult<OrganisationRow> {
    diesel::insert_into(organisations::table)
        .values(row)
        .returning(OrganisationRow::as_returning())
        .get_result(conn)
        .await
}

/// Those of `codes` that name no organisation.
pub async fn unknown_organisations(conn: &mut Conn, codes: &[String]) -> QueryResult<Vec<String>> {
    let known: Vec<String> = organisations::table
        .filter(organisations::code.eq_any(codes))
        .select(organisations::code)
        .load(conn)
        .await?;
    Ok(codes
        .iter()
        .filter(|c| !known.contains(c))
        .cloned()
        .collect())
}

pub async fn insert_consent(conn: &mut Conn, row: ConsentRow) -> QueryResult<ConsentRow> {
    diesel::insert_into(consents::table)
        .values(row)
        .returning(ConsentRow::as_returning())
        .get_result(conn)
        .await
}

/// Every grant recorded for the family, oldest first (a family has a handful).
pub async fn consents_of(conn: &mut Conn, family_id: Uuid) -> QueryResult<Vec<ConsentRow>> {
    consents::table
        .filter(consents::family_id.eq(family_id))
        .order(consents::id)
        .select(ConsentRow::as_select())
        .load(conn)
        .await
}

pub async fn find_consent(
    conn: &mut Conn,
    family_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<ConsentRow>> {
    consents::table
        .filter(consents::family_id.eq(family_id))
        .filter(consents::id.eq(id))
        .for_update()
        .select(ConsentRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn withdraw(
    conn: &mut Conn,
    id: Uuid,
    on: NaiveDate,
    reason: &str,
    by: &str,
) -> QueryResult<ConsentRow> {
    diesel::update(consents::table.find(id))
        .set((
            consents::withdrawn_on.eq(on),
            consents::withdrawn_reason.eq(reason),
            consents::withdrawn_by.eq(by),
            consents::version.eq(consents::version + 1),
            consents::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ConsentRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn insert_sharing(conn: &mut Conn, row: SharingRow) -> QueryResult<SharingRow> {
    diesel::insert_into(information_sharing::table)
        .values(row)
        .returning(SharingRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn sharing_of(
    conn: &mut Conn,
    family_id: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<SharingRow>> {
    let mut q = information_sharing::table
        .filter(information_sharing::family_id.eq(family_id))
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(information_sharing::id.lt(b));
    }
    q.order(information_sharing::id.desc())
        .limit(limit)
        .select(SharingRow::as_select())
        .load(conn)
        .await
}
