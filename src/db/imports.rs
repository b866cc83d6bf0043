use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{families, import_review_rows, imports, members};
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = imports)]
pub struct ImportRow {
    pub id: Uuid,
    pub kind: String,
    pub file_sha256: String,
    pub rows_total: i32,
    pub imported: i32,
    pub duplicates: i32,
    pub for_review: i32,
    pub uploaded_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = import_review_rows)]
pub struct ReviewRow {
    pub import_id: Uuid,
    pub line: i32,
    pub problem: String,
    pub detail: String,
    pub fields: serde_json::Value,
}

pub async fn insert(
    conn: &mut Conn,
    row: ImportRow,
    review: Vec<ReviewRow>,
) -> QueryResult<ImportRow> {
    let saved = diesel::insert_into(imports::table)
        .values(row)
        .returning(ImportRow::as_returning())
        .get_result(conn)
        .await?;
    // Large files: insert review rows in chunks (PostgreSQL allows 65,535 bind parameters).
    for chunk in review.chunks(5000) {
        diesel::insert_into(import_review_rows::table)
            .values(chunk.to_vec())
            .execute(conn)
            .await?;
    }
    Ok(saved)
}

pub async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<(ImportRow, Vec<ReviewRow>)>> {
    let Some(row) = imports::table
        .find(id)
        .select(ImportRow::as_select())
        .first(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    let review = import_review_rows::table
        .filter(import_review_rows::import_id.eq(id))
        .order(import_review_rows::line)
        .select(ReviewRow::as_select())
        .load(conn)
        .await?;
    Ok(Some((row, review)))
}

/// A current member a partner's row may name.
#[derive(QueryableByName, Debug, Clone)]
pub struct Candidate {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub family_id: Uuid,
    #[diesel(sql_type = Text)]
    pub key: String,
}

/// Members by UPN, in one query for the whole file.
pub async fn by_upn(conn: &mut Conn, upns: &[String]) -> QueryResult<Vec<Candidate>> {
    members::table
        .inner_join(families::table)
        .filter(members::upn.eq_any(upns))
        .filter(members::archived_at.is_null())
        .filter(families::archived_at.is_null())
        .select((
            members::id,
            members::family_id,
            members::upn.assume_not_null(),
        ))
        .load::<(Uuid, Uuid, String)>(conn)
        .await
        .map(|v| {
            v.into_iter()
                .map(|(id, family_id, key)| Candidate { id, family_id, key })
                .collect()
        })
}

/// Members by NI number, in one query for the whole file.
pub async fn by_ni(conn: &mut Conn, nis: &[String]) -> QueryResult<Vec<Candidate>> {
    members::table
        .inner_join(families::table)
        .filter(members::ni_number.eq_any(nis))
        .filter(members::archived_at.is_null())
        .filter(families::archived_at.is_null())
        .select((
            members::id,
            members::family_id,
            members::ni_number.assume_not_null(),
        ))
        .load::<(Uuid, Uuid, String)>(conn)
        .await
        .map(|v| {
            v.into_iter()
                .map(|(id, family_id, key)| Candidate { id, family_id, key })
                .collect()
        })
}

/// Members by exact name (any case) and date of birth, in one query for the whole file; `key`
/// is `family|given|yyyy-mm-dd` in lower case.
pub async fn by_name_dob(
    conn: &mut Conn,
    family_names: Vec<String>,
    given_names: Vec<String>,
    dobs: Vec<NaiveDate>,
) -> QueryResult<Vec<Candidate>> {
    diesel::sql_query(
        "SELECT m.id, m.family_id, k.fam || '|' || k.giv || '|' || to_char(k.dob, 'YYYY-MM-DD') AS key
         FROM unnest($1::text[], $2::text[], $3::date[]) AS k(fam, giv, dob)
         JOIN members m ON lower(m.family_name) = k.fam AND lower(m.given_name) = k.giv
                       AND m.date_of_birth = k.dob
         JOIN families f ON f.id = m.family_id AND f.archived_at IS NULL
         WHERE m.archived_at IS NULL",
    )
    .bind::<Array<Text>, _>(family_names)
    .bind::<Array<Text>, _>(given_names)
    .bind::<Array<Date>, _>(dobs)
    .load(conn)
    .await
}
