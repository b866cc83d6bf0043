use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{attachments, families};
use super::Conn;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub ruleset_code: String,
    pub revision_id: Uuid,
    pub attached_on: NaiveDate,
    pub financial_year: i16,
    pub attachment_fee_pence: i64,
    pub eligible: bool,
    pub eligibility: serde_json::Value,
    pub override_justification: Option<String>,
    pub attached_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

pub async fn insert(conn: &mut Conn, row: AttachmentRow) -> QueryResult<AttachmentRow> {
    diesel::insert_into(attachments::table)
        .values(row)
        .returning(AttachmentRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn of_family(conn: &mut Conn, family_id: Uuid) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::family_id.eq(family_id))
        .order(attachments::attached_on.desc())
        .select(AttachmentRow::as_select())
        .load(conn)
        .await
}

/// The family becomes attached (from identified, or closed under an earlier ruleset).
pub async fn mark_attached(conn: &mut Conn, family_id: Uuid) -> QueryResult<()> {
    diesel::update(
        families::table
            .find(family_id)
            .filter(families::status.eq_any(["identified", "closed"])),
    )
    .set((
        families::status.eq("attached"),
        families::version.eq(families::version + 1),
        families::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|_| ())
}
