use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::case_notes;
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = case_notes)]
pub struct NoteRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub author: String,
    pub body: String,
    pub sensitive: bool,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, row: NoteRow) -> QueryResult<NoteRow> {
    diesel::insert_into(case_notes::table)
        .values(row)
        .returning(NoteRow::as_returning())
        .get_result(conn)
        .await
}

/// A page of a family's notes, newest first; sensitive ones only when `with_sensitive`.
pub async fn list(
    conn: &mut Conn,
    family_id: Uuid,
    with_sensitive: bool,
    author: Option<&str>,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<NoteRow>> {
    let mut q = case_notes::table
        .filter(case_notes::family_id.eq(family_id))
        .into_boxed();
    if !with_sensitive {
        q = q.filter(case_notes::sensitive.eq(false));
    }
    if let Some(a) = author {
        q = q.filter(case_notes::author.eq(a));
    }
    if let Some(b) = before {
        q = q.filter(case_notes::id.lt(b));
    }
    q.order(case_notes::id.desc())
        .limit(limit)
        .select(NoteRow::as_select())
        .load(conn)
        .await
}
