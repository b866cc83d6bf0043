use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{assessment_findings, assessments};
use super::Conn;
use crate::domain::casework::AssessmentStatus;

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = assessments)]
pub struct AssessmentRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub status: AssessmentStatus,
    pub lead_worker_id: Uuid,
    pub started_on: NaiveDate,
    pub consent_id: Uuid,
    pub completed_with: Vec<String>,
    pub family_priorities: Option<String>,
    pub practitioner_priorities: Option<String>,
    pub activated_on: Option<NaiveDate>,
    pub activated_by: Option<String>,
    pub review_due_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub closure_reason: Option<String>,
    pub closure_note: Option<String>,
    pub closed_by: Option<String>,
    pub created_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = assessment_findings)]
pub struct FindingRow {
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub member_id: Option<Uuid>,
    pub domain: String,
    pub strengths: Option<String>,
    pub needs: Option<String>,
}

/// The content an edit replaces.
#[derive(AsChangeset)]
#[diesel(table_name = assessments, treat_none_as_null = true)]
pub struct AssessmentContent {
    pub lead_worker_id: Uuid,
    pub completed_with: Vec<String>,
    pub family_priorities: Option<String>,
    pub practitioner_priorities: Option<String>,
}

pub async fn insert(conn: &mut Conn, row: AssessmentRow) -> QueryResult<AssessmentRow> {
    diesel::insert_into(assessments::table)
        .values(row)
        .returning(AssessmentRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find(
    conn: &mut Conn,
    family_id: Uuid,
    id: Uuid,
    for_update: bool,
) -> QueryResult<Option<AssessmentRow>> {
    let q = assessments::table
        .filter(assessments::family_id.eq(family_id))
        .filter(assessments::id.eq(id))
        .select(AssessmentRow::as_select());
    if for_update {
        q.for_update().first(conn).await.optional()
    } else {
        q.first(conn).await.optional()
    }
}

/// The family's assessment that is not closed (there is at most one), locked.
pub async fn open_for_family(
    conn: &mut Conn,
    family_id: Uuid,
) -> QueryResult<Option<AssessmentRow>> {
    assessments::table
        .filter(assessments::family_id.eq(family_id))
        .filter(assessments::status.ne(AssessmentStatus::Closed))
        .for_update()
        .select(AssessmentRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn list(conn: &mut Conn, family_id: Uuid) -> QueryResult<Vec<AssessmentRow>> {
    assessments::table
        .filter(assessments::family_id.eq(family_id))
        .order(assessments::id.desc())
        .select(AssessmentRow::as_select())
        .load(conn)
        .await
}

pub async fn findings_of(conn: &mut Conn, ids: &[Uuid]) -> QueryResult<Vec<FindingRow>> {
    assessment_findings::table
        .filter(assessment_findings::assessment_id.eq_any(ids))
        .order((
            assessment_findings::assessment_id,
            assessment_findings::member_id.asc().nulls_first(),
            assessment_findings::domain,
        ))
        .select(FindingRow::as_select())
        .load(conn)
        .await
}

pub async fn replace_findings(
    conn: &mut Conn,
    assessment_id: Uuid,
    rows: Vec<FindingRow>,
) -> QueryResult<()> {
    diesel::delete(
        assessment_findings::table.filter(assessment_findings::assessment_id.eq(assessment_id)),
    )
    .execute(conn)
    .await?;
    diesel::insert_into(assessment_findings::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_content(
    conn: &mut Conn,
    id: Uuid,
    content: AssessmentContent,
) -> QueryResult<AssessmentRow> {
    diesel::update(assessments::table.find(id))
        .set((
            content,
            assessments::version.eq(assessments::version + 1),
            assessments::updated_at.eq(diesel::dsl::now),
        ))
        .returning(AssessmentRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn activate(
    conn: &mut Conn,
    id: Uuid,
    on: NaiveDate,
    by: &str,
    review_due_on: NaiveDate,
) -> QueryResult<AssessmentRow> {
    diesel::update(assessments::table.find(id))
        .set((
            assessments::status.eq(AssessmentStatus::Active),
            assessments::activated_on.eq(on),
            assessments::activated_by.eq(by),
            assessments::review_due_on.eq(review_due_on),
            assessments::version.eq(assessments::version + 1),
            assessments::updated_at.eq(diesel::dsl::now),
        ))
        .returning(AssessmentRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn close(
    conn: &mut Conn,
    id: Uuid,
    on: NaiveDate,
    reason: &str,
    note: Option<&str>,
    by: &str,
) -> QueryResult<AssessmentRow> {
    diesel::update(assessments::table.find(id))
        .set((
            assessments::status.eq(AssessmentStatus::Closed),
            assessments::closed_on.eq(on),
            assessments::closure_reason.eq(reason),
            assessments::closure_note.eq(note),
            assessments::closed_by.eq(by),
            assessments::version.eq(assessments::version + 1),
            assessments::updated_at.eq(diesel::dsl::now),
        ))
        .returning(AssessmentRow::as_returning())
        .get_result(conn)
        .await
}

/// Hands every FCAF `from` leads that is not closed to `to`, in the caller's transaction;
/// returns each moved assessment's id and family.
pub async fn hand_over_led(
    conn: &mut Conn,
    from: Uuid,
    to: Uuid,
) -> QueryResult<Vec<(Uuid, Uuid)>> {
    diesel::update(
        assessments::table
            .filter(assessments::lead_worker_id.eq(from))
            .filter(assessments::status.ne(AssessmentStatus::Closed)),
    )
    .set((
        assessments::lead_worker_id.eq(to),
        assessments::updated_at.eq(diesel::dsl::now),
        assessments::version.eq(assessments::version + 1),
    ))
    .returning((assessments::id, assessments::family_id))
    .get_results(conn)
    .await
}

/// How many FCAFs that are not closed `staff_id` leads.
pub async fn open_led_by(conn: &mut Conn, staff_id: Uuid) -> QueryResult<i64> {
    assessments::table
        .filter(assessments::lead_worker_id.eq(staff_id))
        .filter(assessments::status.ne(AssessmentStatus::Closed))
        .count()
        .get_result(conn)
        .await
}
