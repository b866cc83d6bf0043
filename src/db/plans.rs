use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::schema::{action_progress, assessments, families, plan_actions, staff, taf_meetings};
use super::Conn;
use crate::domain::casework::{ActionStatus, MeetingStatus};

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = taf_meetings)]
pub struct MeetingRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub assessment_id: Uuid,
    pub meeting_on: NaiveDate,
    pub status: MeetingStatus,
    pub family_attended: Option<bool>,
    pub attendee_staff_ids: Vec<Uuid>,
    pub attendee_agencies: Vec<String>,
    pub decisions: Option<String>,
    pub notes: Option<String>,
    pub next_review_on: Option<NaiveDate>,
    pub recorded_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

/// What an edit of a meeting replaces.
#[derive(AsChangeset)]
#[diesel(table_name = taf_meetings, treat_none_as_null = true)]
pub struct MeetingChange {
    pub meeting_on: NaiveDate,
    pub status: MeetingStatus,
    pub family_attended: Option<bool>,
    pub attendee_staff_ids: Vec<Uuid>,
    pub attendee_agencies: Vec<String>,
    pub decisions: Option<String>,
    pub notes: Option<String>,
    pub next_review_on: Option<NaiveDate>,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = plan_actions)]
pub struct ActionRow {
    pub id: Uuid,
    pub family_id: Uuid,
    pub assessment_id: Uuid,
    pub description: String,
    pub owner_staff_id: Option<Uuid>,
    pub owner_organisation: Option<String>,
    pub member_id: Option<Uuid>,
    pub need: String,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub closed_on: Option<NaiveDate>,
    pub outcome: Option<String>,
    pub closed_by: Option<String>,
    pub created_by: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i32,
}

/// What an edit of an open action replaces.
#[derive(AsChangeset)]
#[diesel(table_name = plan_actions, treat_none_as_null = true)]
pub struct ActionChange {
    pub description: String,
    pub owner_staff_id: Option<Uuid>,
    pub owner_organisation: Option<String>,
    pub member_id: Option<Uuid>,
    pub need: String,
    pub due_on: NaiveDate,
}

#[derive(Queryable, Selectable, Insertable, Debug, Clone)]
#[diesel(table_name = action_progress)]
pub struct ProgressRow {
    pub id: Uuid,
    pub action_id: Uuid,
    pub note: String,
    pub author: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
}

pub async fn insert_meeting(conn: &mut Conn, row: MeetingRow) -> QueryResult<MeetingRow> {
    diesel::insert_into(taf_meetings::table)
        .values(row)
        .returning(MeetingRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find_meeting(
    conn: &mut Conn,
    family_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<MeetingRow>> {
    taf_meetings::table
        .filter(taf_meetings::family_id.eq(family_id))
        .filter(taf_meetings::id.eq(id))
        .for_update()
        .select(MeetingRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn update_meeting(
    conn: &mut Conn,
    id: Uuid,
    change: MeetingChange,
) -> QueryResult<MeetingRow> {
    diesel::update(taf_meetings::table.find(id))
        .set((
            change,
            taf_meetings::version.eq(taf_meetings::version + 1),
            taf_meetings::updated_at.eq(diesel::dsl::now),
        ))
        .returning(MeetingRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn meetings_of(conn: &mut Conn, family_id: Uuid) -> QueryResult<Vec<MeetingRow>> {
    taf_meetings::table
        .filter(taf_meetings::family_id.eq(family_id))
        .order((taf_meetings::meeting_on.desc(), taf_meetings::id.desc()))
        .select(MeetingRow::as_select())
        .load(conn)
        .await
}

/// The next review the latest held meeting of the assessment set, if one was held.
pub async fn latest_review(conn: &mut Conn, assessment_id: Uuid) -> QueryResult<Option<NaiveDate>> {
    taf_meetings::table
        .filter(taf_meetings::assessment_id.eq(assessment_id))
        .filter(taf_meetings::status.eq(MeetingStatus::Held))
        .order((taf_meetings::meeting_on.desc(), taf_meetings::id.desc()))
        .select(taf_meetings::next_review_on)
        .first::<Option<NaiveDate>>(conn)
        .await
        .optional()
        .map(Option::flatten)
}

pub async fn set_review_due(
    conn: &mut Conn,
    assessment_id: Uuid,
    due: NaiveDate,
) -> QueryResult<()> {
    diesel::update(
        assessments::table
            .find(assessment_id)
            .filter(assessments::review_due_on.ne(due)),
    )
    .set((
        assessments::review_due_on.eq(due),
        assessments::version.eq(assessments::version + 1),
        assessments::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|_| ())
}

pub async fn insert_action(conn: &mut Conn, row: ActionRow) -> QueryResult<ActionRow> {
    diesel::insert_into(plan_actions::table)
        .values(row)
        .returning(ActionRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn find_action(
    conn: &mut Conn,
    family_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<ActionRow>> {
    plan_actions::table
        .filter(plan_actions::family_id.eq(family_id))
        .filter(plan_actions::id.eq(id))
        .for_update()
        .select(ActionRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub struct ActionFilter {
    pub status: Option<ActionStatus>,
    pub assessment_id: Option<Uuid>,
    pub before_id: Option<Uuid>,
    /// Only the actions shared with the active member of staff with this token subject
    /// (`shares`): a partner on the team sees their own part of the plan.
    pub shared_with: Option<String>,
}

/// Whether the action is the partner's to work: they own it, or it is owned by the organisation
/// their staff record names.
pub async fn shares(conn: &mut Conn, action_id: Uuid, subject: &str) -> QueryResult<bool> {
    let found: Option<Uuid> = plan_actions::table
        .filter(plan_actions::id.eq(action_id))
        .filter(shared_with(subject))
        .select(plan_actions::id)
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

type SharedWith = Box<
    dyn BoxableExpression<
        plan_actions::table,
        diesel::pg::Pg,
        SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
    >,
>;

/// The actions owned by this token subject's active staff record, or by its organisation.
fn shared_with(subject: &str) -> SharedWith {
    let me = || {
        staff::table
            .filter(staff::subject.eq(subject.to_string()))
            .filter(staff::active.eq(true))
    };
    Box::new(
        plan_actions::owner_staff_id
            .eq_any(me().select(staff::id.nullable()))
            .or(plan_actions::owner_organisation
                .eq_any(me().select(staff::organisation.nullable()))),
    )
}

pub async fn actions_of(
    conn: &mut Conn,
    family_id: Uuid,
    f: &ActionFilter,
    limit: i64,
) -> QueryResult<Vec<ActionRow>> {
    let mut q = plan_actions::table
        .filter(plan_actions::family_id.eq(family_id))
        .into_boxed();
    if let Some(s) = f.status {
        q = q.filter(plan_actions::status.eq(s));
    }
    if let Some(a) = f.assessment_id {
        q = q.filter(plan_actions::assessment_id.eq(a));
    }
    if let Some(b) = f.before_id {
        q = q.filter(plan_actions::id.lt(b));
    }
    if let Some(subject) = &f.shared_with {
        q = q.filter(shared_with(subject));
    }
    q.order(plan_actions::id.desc())
        .limit(limit)
        .select(ActionRow::as_select())
        .load(conn)
        .await
}

pub async fn open_actions(conn: &mut Conn, assessment_id: Uuid) -> QueryResult<i64> {
    plan_actions::table
        .filter(plan_actions::assessment_id.eq(assessment_id))
        .filter(plan_actions::status.eq(ActionStatus::Open))
        .count()
        .get_result(conn)
        .await
}

pub async fn update_action(
    conn: &mut Conn,
    id: Uuid,
    change: ActionChange,
) -> QueryResult<ActionRow> {
    diesel::update(plan_actions::table.find(id))
        .set((
            change,
            plan_actions::version.eq(plan_actions::version + 1),
            plan_actions::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ActionRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn close_action(
    conn: &mut Conn,
    id: Uuid,
    status: ActionStatus,
    on: NaiveDate,
    outcome: &str,
    by: &str,
) -> QueryResult<ActionRow> {
    diesel::update(plan_actions::table.find(id))
        .set((
            plan_actions::status.eq(status),
            plan_actions::closed_on.eq(on),
            plan_actions::outcome.eq(outcome),
            plan_actions::closed_by.eq(by),
            plan_actions::version.eq(plan_actions::version + 1),
            plan_actions::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ActionRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn insert_progress(conn: &mut Conn, row: ProgressRow) -> QueryResult<ProgressRow> {
    diesel::insert_into(action_progress::table)
        .values(row)
        .returning(ProgressRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn progress_of(conn: &mut Conn, action_ids: &[Uuid]) -> QueryResult<Vec<ProgressRow>> {
    action_progress::table
        .filter(action_progress::action_id.eq_any(action_ids))
        .order((action_progress::action_id, action_progress::id))
        .select(ProgressRow::as_select())
        .load(conn)
        .await
}

/// The id of the active member of staff with this token subject.
pub async fn staff_id_of(conn: &mut Conn, subject: &str) -> QueryResult<Option<Uuid>> {
    staff::table
        .filter(staff::subject.eq(subject))
        .filter(staff::active.eq(true))
        .select(staff::id)
        .first(conn)
        .await
        .optional()
}

/// An active assessment whose review is overdue, with its family's reference.
#[derive(Queryable, Debug)]
pub struct OverdueReviewRow {
    pub assessment_id: Uuid,
    pub family_id: Uuid,
    pub reference: String,
    pub lead_worker_id: Uuid,
    pub review_due_on: Option<NaiveDate>,
}

/// Active assessments with a review due before `today`, most overdue first; keyset after
/// `(due, id)` of the previous page's last row.
pub async fn overdue_reviews(
    conn: &mut Conn,
    today: NaiveDate,
    lead_worker: Option<Uuid>,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<OverdueReviewRow>> {
    let mut q = assessments::table
        .inner_join(families::table)
        .filter(assessments::status.eq(crate::domain::casework::AssessmentStatus::Active))
        .filter(assessments::review_due_on.lt(today))
        .filter(families::archived_at.is_null())
        .into_boxed();
    if let Some(l) = lead_worker {
        q = q.filter(assessments::lead_worker_id.eq(l));
    }
    if let Some((due, id)) = after {
        q = q.filter(
            assessments::review_due_on
                .gt(due)
                .or(assessments::review_due_on
                    .eq(due)
                    .and(assessments::id.gt(id))),
        );
    }
    q.order((assessments::review_due_on, assessments::id))
        .limit(limit)
        .select((
            assessments::id,
            assessments::family_id,
            families::reference,
            assessments::lead_worker_id,
            assessments::review_due_on,
        ))
        .load(conn)
        .await
}

pub struct OverdueActionFilter {
    /// Only actions of families the worker with this token subject sees (`worker_sees`).
    pub visible_to: Option<String>,
    pub owner_staff_id: Option<Uuid>,
    pub owner_organisation: Option<String>,
    pub after: Option<(NaiveDate, Uuid)>,
}

/// Open actions due before `today`, most overdue first, with their family's reference.
pub async fn overdue_actions(
    conn: &mut Conn,
    today: NaiveDate,
    f: &OverdueActionFilter,
    limit: i64,
) -> QueryResult<Vec<(ActionRow, String)>> {
    let mut q = plan_actions::table
        .inner_join(families::table)
        .filter(plan_actions::status.eq(ActionStatus::Open))
        .filter(plan_actions::due_on.lt(today))
        .filter(families::archived_at.is_null())
        .into_boxed();
    if let Some(subject) = &f.visible_to {
        use super::schema::{allocations, taf_members};
        let me = || {
            staff::table
                .filter(staff::subject.eq(subject.clone()))
                .filter(staff::active.eq(true))
                .select(staff::id)
        };
        q = q.filter(
            plan_actions::family_id
                .eq_any(
                    allocations::table
                        .filter(allocations::ended_at.is_null())
                        .filter(allocations::staff_id.eq_any(me()))
                        .select(allocations::family_id),
                )
                .or(plan_actions::family_id.eq_any(
                    taf_members::table
                        .filter(taf_members::left_on.is_null())
                        .filter(taf_members::staff_id.eq_any(me()))
                        .select(taf_members::family_id),
                )),
        );
    }
    if let Some(s) = f.owner_staff_id {
        q = q.filter(plan_actions::owner_staff_id.eq(s));
    }
    if let Some(o) = &f.owner_organisation {
        q = q.filter(plan_actions::owner_organisation.eq(o.clone()));
    }
    if let Some((due, id)) = f.after {
        q = q.filter(
            plan_actions::due_on
                .gt(due)
                .or(plan_actions::due_on.eq(due).and(plan_actions::id.gt(id))),
        );
    }
    q.order((plan_actions::due_on, plan_actions::id))
        .limit(limit)
        .select((ActionRow::as_select(), families::reference))
        .load(conn)
        .await
}

/// Hands every open action `from` owns to `to`, in the caller's transaction; returns each moved
/// action's id and family.
pub async fn hand_over_owned(
    conn: &mut Conn,
    from: Uuid,
    to: Uuid,
) -> QueryResult<Vec<(Uuid, Uuid)>> {
    diesel::update(
        plan_actions::table
            .filter(plan_actions::owner_staff_id.eq(from))
            .filter(plan_actions::status.eq(ActionStatus::Open)),
    )
    .set((
        plan_actions::owner_staff_id.eq(to),
        plan_actions::updated_at.eq(diesel::dsl::now),
        plan_actions::version.eq(plan_actions::version + 1),
    ))
    .returning((plan_actions::id, plan_actions::family_id))
    .get_results(conn)
    .await
}

/// How many open actions `staff_id` owns.
pub async fn open_owned_by(conn: &mut Conn, staff_id: Uuid) -> QueryResult<i64> {
    plan_actions::table
        .filter(plan_actions::owner_staff_id.eq(staff_id))
        .filter(plan_actions::status.eq(ActionStatus::Open))
        .count()
        .get_result(conn)
        .await
}
