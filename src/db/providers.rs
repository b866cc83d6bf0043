use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{provider_users, services};
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = services)]
pub struct ServiceRow {
    pub code: String,
    pub organisation: String,
    pub name: String,
    pub need: String,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub required_plans: Vec<String>,
    pub capacity: Option<i32>,
    pub contract_start: NaiveDate,
    pub contract_end: Option<NaiveDate>,
    pub contract_value_pence: Option<i64>,
    pub notes: Option<String>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

/// What an edit of a service replaces (all but its code and organisation).
#[derive(AsChangeset)]
#[diesel(table_name = services, treat_none_as_null = true)]
pub struct ServiceChange {
    pub name: String,
    pub need: String,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub required_plans: Vec<String>,
    pub capacity: Option<i32>,
    pub contract_start: NaiveDate,
    pub contract_end: Option<NaiveDate>,
    pub contract_value_pence: Option<i64>,
    pub notes: Option<String>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = provider_users)]
pub struct ProviderUserRow {
    pub id: Uuid,
    pub subject: String,
    pub issuer: String,
    pub organisation: String,
    pub created_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

pub async fn services(conn: &mut Conn, organisation: Option<&str>) -> QueryResult<Vec<ServiceRow>> {
    let mut q = services::table.into_boxed();
    if let Some(o) = organisation {
        q = q.filter(services::organisation.eq(o.to_string()));
    }
    q.order(services::code)
        .select(ServiceRow::as_select())
        .load(conn)
        .await
}

pub async fn find_service(
    conn: &mut Conn,
    code: &str,
    for_update: bool,
) -> QueryResult<Option<ServiceRow>> {
    let q = services::table
        .find(code.to_string())
        .select(ServiceRow::as_select());
    if for_update {
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

pub async fn insert_service(conn: &mut Conn, row: ServiceRow) -> QueryResult<ServiceRow> {
    diesel::insert_into(services::table)
        .values(row)
        .returning(ServiceRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn update_service(
    conn: &mut Conn,
    code: &str,
    change: ServiceChange,
) -> QueryResult<ServiceRow> {
    diesel::update(services::table.find(code.to_string()))
        .set((
            change,
            services::version.eq(services::version + 1),
            services::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ServiceRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn insert_user(conn: &mut Conn, row: ProviderUserRow) -> QueryResult<ProviderUserRow> {
    diesel::insert_into(provider_users::table)
        .values(row)
        .returning(ProviderUserRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn users(conn: &mut Conn) -> QueryResult<Vec<ProviderUserRow>> {
    provider_users::table
        .order(provider_users::subject)
        .select(ProviderUserRow::as_select())
        .load(conn)
        .await
}

pub async fn delete_user(conn: &mut Conn, id: Uuid) -> QueryResult<bool> {
    diesel::delete(provider_users::table.find(id))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// The organisation a provider's token (its issuer and subject) is bound to, if any.
pub async fn organisation_of(
    conn: &mut Conn,
    issuer: &str,
    subject: &str,
) -> QueryResult<Option<String>> {
    provider_users::table
        .filter(provider_users::issuer.eq(issuer))
        .filter(provider_users::subject.eq(subject))
        .select(provider_users::organisation)
        .first(conn)
        .await
        .optional()
}
