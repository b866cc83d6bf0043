//! Claim windows and the results they claim.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::attachments::AttachmentRow;
use super::schema::{attachments, claim_items, claim_windows};
use super::Conn;
use crate::domain::claims::{ItemStatus, WindowMove, WindowStatus};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = claim_windows)]
pub struct WindowRow {
    pub id: Uuid,
    pub name: String,
    pub cut_off: NaiveDate,
    #[diesel(skip_insertion)]
    pub status: WindowStatus,
    #[diesel(skip_insertion)]
    pub last_attachment_id: Option<Uuid>,
    #[diesel(skip_insertion)]
    pub started_at: Option<DateTime<Utc>>,
    #[diesel(skip_insertion)]
    pub computed_at: Option<DateTime<Utc>>,
    #[diesel(skip_insertion)]
    pub error: Option<String>,
    pub prepared_by: String,
    #[diesel(skip_insertion)]
    pub validated_by: Option<String>,
    #[diesel(skip_insertion)]
    pub validated_at: Option<DateTime<Utc>>,
    #[diesel(skip_insertion)]
    pub submitted_by: Option<String>,
    #[diesel(skip_insertion)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
    /// The rulesets the window claims under; `None`: every ruleset.
    pub rulesets: Option<Vec<String>>,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = claim_items)]
pub struct ItemRow {
    pub id: Uuid,
    pub window_id: Uuid,
    pub family_id: Uuid,
    pub attachment_id: Uuid,
    pub ruleset_code: String,
    pub revision_id: Uuid,
    pub financial_year: i16,
    pub result: String,
    pub slot: String,
    pub achieved_on: NaiveDate,
    pub amount_pence: i64,
    pub snapshot: serde_json::Value,
    pub evidence_ids: Vec<Uuid>,
    pub status: ItemStatus,
    pub excluded_reason: Option<String>,
    pub excluded_by: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawn_by: Option<String>,
    pub recovered_pence: Option<i64>,
    pub version: i32,
}

pub async fn insert_window(conn: &mut Conn, row: WindowRow) -> QueryResult<WindowRow> {
    diesel::insert_into(claim_windows::table)
        .values(row)
        .returning(WindowRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find_window(
    conn: &mut Conn,
    id: Uuid,
    for_update: bool,
) -> QueryResult<Option<WindowRow>> {
    let q = claim_windows::table.find(id).select(WindowRow::as_select());
    if for_update {
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

pub async fn list_windows(
    conn: &mut Conn,
    status: Option<WindowStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<WindowRow>> {
    let mut q = claim_windows::table
        .select(WindowRow::as_select())
        .order(claim_windows::id)
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(claim_windows::status.eq(s));
    }
    if let Some(a) = after {
        q = q.filter(claim_windows::id.gt(a));
    }
    q.load(conn).await
}

/// Moves a window to a new status (with who did it); the caller holds the row lock and has
/// checked the version.
pub async fn set_status(
    conn: &mut Conn,
    id: Uuid,
    step: WindowMove,
    by: &str,
) -> QueryResult<WindowRow> {
    use claim_windows as w;
    let q = diesel::update(w::table.find(id));
    let now_ = Utc::now();
    let status = step.from_to().1;
    match step {
        WindowMove::Validate => {
            q.set((
                w::status.eq(status),
                w::validated_by.eq(Some(by)),
                w::validated_at.eq(Some(now_)),
                w::version.eq(w::version + 1),
                w::updated_at.eq(now),
            ))
            .returning(WindowRow::as_returning())
            .get_result(conn)
            .await
        }
        WindowMove::Submit => {
            q.set((
                w::status.eq(status),
                w::submitted_by.eq(Some(by)),
                w::submitted_at.eq(Some(now_)),
                w::version.eq(w::version + 1),
                w::updated_at.eq(now),
            ))
            .returning(WindowRow::as_returning())
            .get_result(conn)
            .await
        }
        // Computing again: the job starts over and adds what is newly achieved.
        WindowMove::ComputeAgain => {
            q.set((
                w::status.eq(status),
                w::last_attachment_id.eq(None::<Uuid>),
                w::started_at.eq(None::<DateTime<Utc>>),
                w::computed_at.eq(None::<DateTime<Utc>>),
                w::error.eq(None::<String>),
                w::version.eq(w::version + 1),
                w::updated_at.eq(now),
            ))
            .returning(WindowRow::as_returning())
            .get_result(conn)
            .await
        }
    }
}

/// The window's job has started (or started again after a takeover).
pub async fn set_started(conn: &mut Conn, id: Uuid) -> QueryResult<WindowRow> {
    use claim_windows as w;
    diesel::update(w::table.find(id))
        .set((
            w::started_at.eq(diesel::dsl::sql::<
                diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
            >("coalesce(started_at, now())")),
            w::updated_at.eq(now),
        ))
        .returning(WindowRow::as_returning())
        .get_result(conn)
        .await
}

/// Submitted windows with a cut-off later than `cut_off`, latest first.
pub async fn submitted_after(conn: &mut Conn, cut_off: NaiveDate) -> QueryResult<Vec<WindowRow>> {
    claim_windows::table
        .filter(claim_windows::status.eq(WindowStatus::Submitted))
        .filter(claim_windows::cut_off.gt(cut_off))
        .order((claim_windows::cut_off.desc(), claim_windows::id))
        .select(WindowRow::as_select())
        .load(conn)
        .await
}

/// Attachments made on or before the cut-off under the revisions a window claims under.
pub async fn count_attached(
    conn: &mut Conn,
    cut_off: NaiveDate,
    revisions: &[Uuid],
) -> QueryResult<i64> {
    attachments::table
        .filter(attachments::attached_on.le(cut_off))
        .filter(attachments::revision_id.eq_any(revisions))
        .count()
        .get_result(conn)
        .await
}

/// The next attachments in id order made on or before the cut-off under the revisions a window
/// claims under.
pub async fn next_attachments(
    conn: &mut Conn,
    after: Option<Uuid>,
    (cut_off, revisions): (NaiveDate, &[Uuid]),
    limit: i64,
) -> QueryResult<Vec<AttachmentRow>> {
    let mut q = attachments::table
        .filter(attachments::attached_on.le(cut_off))
        .filter(attachments::revision_id.eq_any(revisions))
        .order(attachments::id)
        .limit(limit)
        .select(AttachmentRow::as_select())
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(attachments::id.gt(a));
    }
    q.load(conn).await
}

/// Slots already taken for the attachments from `first` to `last` in id order (included or
/// withdrawn, in any window), with the amounts claimed. A batch is a run of consecutive
/// attachments, so one range scan of the index finds them, not thousands of probes.
pub async fn held(
    conn: &mut Conn,
    first: Uuid,
    last: Uuid,
) -> QueryResult<Vec<(Uuid, String, i64, ItemStatus)>> {
    claim_items::table
        .filter(claim_items::attachment_id.between(first, last))
        .filter(claim_items::status.ne(ItemStatus::Excluded))
        .select((
            claim_items::attachment_id,
            claim_items::slot,
            claim_items::amount_pence,
            claim_items::status,
        ))
        .load(conn)
        .await
}

/// Results already in this window for the attachments from `first` to `last`, whatever became
/// of them (an excluded one is not re-added): id, attachment, result and status. The range holds
/// the batch's items alone: a window's items are written only by its own computation, for
/// attachments made by its cut-off under the revisions it claims under, and neither an
/// attachment's date (a trigger), a window's cut-off or rulesets (a trigger), nor a revision
/// ever changes, so an attachment in the range but not in the batch has none here.
pub async fn in_window(
    conn: &mut Conn,
    window_id: Uuid,
    first: Uuid,
    last: Uuid,
) -> QueryResult<Vec<(Uuid, Uuid, String, ItemStatus)>> {
    claim_items::table
        .filter(claim_items::window_id.eq(window_id))
        .filter(claim_items::attachment_id.between(first, last))
        .select((
            claim_items::id,
            claim_items::attachment_id,
            claim_items::result,
            claim_items::status,
        ))
        .load(conn)
        .await
}

/// Excludes, in one statement, included items that no longer hold when computed again.
pub async fn exclude_many(
    conn: &mut Conn,
    ids: &[Uuid],
    reason: &str,
    by: &str,
) -> QueryResult<usize> {
    use claim_items as i;
    diesel::update(
        i::table
            .filter(i::id.eq_any(ids))
            .filter(i::status.eq(ItemStatus::Included)),
    )
    .set((
        i::status.eq(ItemStatus::Excluded),
        i::excluded_reason.eq(Some(reason)),
        i::excluded_by.eq(Some(by)),
        i::excluded_at.eq(Some(Utc::now())),
        i::version.eq(i::version + 1),
        i::updated_at.eq(now),
    ))
    .execute(conn)
    .await
}

/// A change to a window's items makes it a new version: a validation must name it.
pub async fn touch_window(conn: &mut Conn, id: Uuid) -> QueryResult<()> {
    use claim_windows as w;
    diesel::update(w::table.find(id))
        .set((w::version.eq(w::version + 1), w::updated_at.eq(now)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// A claim item as computed, before it is written.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub id: Uuid,
    pub window_id: Uuid,
    pub family_id: Uuid,
    pub attachment_id: Uuid,
    pub ruleset_code: String,
    pub revision_id: Uuid,
    pub financial_year: i16,
    pub result: String,
    pub slot: String,
    pub achieved_on: NaiveDate,
    pub amount_pence: i64,
    /// The explained result as JSON text: serialised once, straight from the result, with no
    /// intermediate tree (a window writes tens of thousands).
    pub snapshot: String,
    pub evidence_ids: Vec<Uuid>,
}

/// Adds items; one that another window (or this one) already holds is skipped, not an error:
/// the unique indexes decide, also between windows computed at the same time. The rows go as
/// one array per column (a dozen parameters, not a dozen per row): PostgreSQL reads them far
/// faster than a multi-row VALUES list.
pub async fn insert_items(conn: &mut Conn, rows: Vec<NewItem>) -> QueryResult<usize> {
    use diesel::sql_types::{Array, BigInt, Date, SmallInt, Text, Uuid as U};
    if rows.is_empty() {
        return Ok(0);
    }
    let col = |f: fn(&NewItem) -> Uuid| rows.iter().map(f).collect::<Vec<Uuid>>();
    let text = |f: fn(&NewItem) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
    // uuid[] per row travels as its text form; PostgreSQL has no arrays of arrays of varying length.
    let evidence: Vec<String> = rows
        .iter()
        .map(|r| {
            let ids: Vec<String> = r.evidence_ids.iter().map(Uuid::to_string).collect();
            format!("{{{}}}", ids.join(","))
        })
        .collect();
    diesel::sql_query(
        "INSERT INTO claim_items (id, window_id, family_id, attachment_id, ruleset_code, revision_id,
                                  financial_year, result, slot, achieved_on, amount_pence, snapshot,
                                  evidence_ids)
         SELECT id, window_id, family_id, attachment_id, ruleset_code, revision_id, financial_year,
                result, slot, achieved_on, amount_pence, snapshot::json, evidence::uuid[]
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[],
                       $7::int2[], $8::text[], $9::text[], $10::date[], $11::int8[], $12::text[],
                       $13::text[])
             AS t(id, window_id, family_id, attachment_id, ruleset_code, revision_id,
                  financial_year, result, slot, achieved_on, amount_pence, snapshot, evidence)
         ON CONFLICT DO NOTHING",
    )
    .bind::<Array<U>, _>(col(|r| r.id))
    .bind::<Array<U>, _>(col(|r| r.window_id))
    .bind::<Array<U>, _>(col(|r| r.family_id))
    .bind::<Array<U>, _>(col(|r| r.attachment_id))
    .bind::<Array<Text>, _>(text(|r| &r.ruleset_code))
    .bind::<Array<U>, _>(col(|r| r.revision_id))
    .bind::<Array<SmallInt>, _>(rows.iter().map(|r| r.financial_year).collect::<Vec<i16>>())
    .bind::<Array<Text>, _>(text(|r| &r.result))
    .bind::<Array<Text>, _>(text(|r| &r.slot))
    .bind::<Array<Date>, _>(rows.iter().map(|r| r.achieved_on).collect::<Vec<NaiveDate>>())
    .bind::<Array<BigInt>, _>(rows.iter().map(|r| r.amount_pence).collect::<Vec<i64>>())
    .bind::<Array<Text>, _>(text(|r| &r.snapshot))
    .bind::<Array<Text>, _>(evidence)
    .execute(conn)
    .await
}

/// Moves the resume point on, in the step's transaction (the job's lease is checked there).
pub async fn advance(conn: &mut Conn, id: Uuid, last: Uuid) -> QueryResult<()> {
    use claim_windows as w;
    diesel::update(w::table.find(id))
        .set((w::last_attachment_id.eq(Some(last)), w::updated_at.eq(now)))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Ends the computation, in the transaction that ends its job: ready for review, or failed
/// (with the reason). Only a window still computing moves.
pub async fn finish(conn: &mut Conn, id: Uuid, error: Option<&str>) -> QueryResult<()> {
    use claim_windows as w;
    let status = if error.is_some() {
        WindowStatus::Failed
    } else {
        WindowStatus::Review
    };
    diesel::update(
        w::table
            .find(id)
            .filter(w::status.eq(WindowStatus::Computing)),
    )
    .set((
        w::status.eq(status),
        w::error.eq(error),
        w::computed_at.eq(now),
        w::version.eq(w::version + 1),
        w::updated_at.eq(now),
    ))
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn items(
    conn: &mut Conn,
    window_id: Uuid,
    status: Option<ItemStatus>,
    result: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<ItemRow>> {
    let mut q = claim_items::table
        .filter(claim_items::window_id.eq(window_id))
        .select(ItemRow::as_select())
        .order(claim_items::id)
        .limit(limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(claim_items::status.eq(s));
    }
    if let Some(r) = result {
        q = q.filter(claim_items::result.eq(r.to_string()));
    }
    if let Some(a) = after {
        q = q.filter(claim_items::id.gt(a));
    }
    q.load(conn).await
}

pub async fn find_item(
    conn: &mut Conn,
    id: Uuid,
    for_update: bool,
) -> QueryResult<Option<ItemRow>> {
    let q = claim_items::table.find(id).select(ItemRow::as_select());
    if for_update {
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

pub async fn exclude(conn: &mut Conn, id: Uuid, reason: &str, by: &str) -> QueryResult<ItemRow> {
    use claim_items as i;
    diesel::update(i::table.find(id))
        .set((
            i::status.eq(ItemStatus::Excluded),
            i::excluded_reason.eq(Some(reason)),
            i::excluded_by.eq(Some(by)),
            i::excluded_at.eq(Some(Utc::now())),
            i::version.eq(i::version + 1),
            i::updated_at.eq(now),
        ))
        .returning(ItemRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn withdraw(
    conn: &mut Conn,
    id: Uuid,
    reason: &str,
    on: NaiveDate,
    by: &str,
    recovered: i64,
) -> QueryResult<ItemRow> {
    use claim_items as i;
    diesel::update(i::table.find(id))
        .set((
            i::status.eq(ItemStatus::Withdrawn),
            i::withdrawn_reason.eq(Some(reason)),
            i::withdrawn_on.eq(Some(on)),
            i::withdrawn_by.eq(Some(by)),
            i::recovered_pence.eq(Some(recovered)),
            i::version.eq(i::version + 1),
            i::updated_at.eq(now),
        ))
        .returning(ItemRow::as_returning())
        .get_result(conn)
        .await
}

#[derive(diesel::QueryableByName, Debug, Clone)]
pub struct TotalRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    pub window_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub ruleset_code: String,
    #[diesel(sql_type = diesel::sql_types::SmallInt)]
    pub financial_year: i16,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub result: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub status: ItemStatus,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub items: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub amount_pence: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub recovered_pence: i64,
}

/// Items and money per window (or all windows), ruleset, attachment year, result and status,
/// summed by PostgreSQL in integers.
pub async fn totals(conn: &mut Conn, window_id: Option<Uuid>) -> QueryResult<Vec<TotalRow>> {
    diesel::sql_query(
        "SELECT CASE WHEN $1::uuid IS NULL THEN NULL ELSE window_id END AS window_id,
                ruleset_code, financial_year, result, status, count(*) AS items,
                sum(amount_pence)::bigint AS amount_pence,
                coalesce(sum(recovered_pence), 0)::bigint AS recovered_pence
           FROM claim_items
          WHERE $1::uuid IS NULL OR window_id = $1
          GROUP BY 1, 2, 3, 4, 5
          ORDER BY 1, 2, 3, 4, 5",
    )
    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Uuid>, _>(window_id)
    .load(conn)
    .await
}
