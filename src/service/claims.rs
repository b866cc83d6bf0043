//! Payment-by-Results claims: windows computed in the background as of a cut-off, reviewed,
//! validated by someone else, submitted, and later withdrawn result by result if found invalid.
//! A result is claimed for a family at most once: the decision is taken under one lock for all
//! windows, and the database's unique index holds it regardless.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::outcomes::{cases, judge, maximum, revision_params, schedule};
use super::rulesets::{facts, parse_params, Params};
use super::{audit, idem_begin, idem_finish, Idem};
use crate::api::claims::*;
use crate::api::rulesets::RulesetFamily;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::attachments::AttachmentRow;
use crate::db::claims::{self as q, NewItem, WindowRow};
use crate::db::jobs::{self as jq, JobRow, Lease};
use crate::db::{evidence as eq, families as fq, rulesets as rq, Conn, Pool};
use crate::domain::claims::WindowMove;
use crate::domain::jobs::JobKind;
use crate::domain::outcomes::{self as rules, Outcome};
use crate::domain::payments;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{bad_param, check_version};
use crate::http::reply::Reply;
use crate::jobs::context::{Ending, JobCtx, JobError};
use crate::jobs::registry;

/// Claims officers run windows; auditors validate and read; managers read.
pub const RUN: &[Role] = &[Role::ClaimsOfficer];
pub const VALIDATE: &[Role] = &[Role::Auditor];
pub const READ: &[Role] = &[Role::ClaimsOfficer, Role::Auditor, Role::Manager];

pub struct Run;
impl Policy for Run {
    const ROLES: &'static [Role] = RUN;
}
pub struct Validate;
impl Policy for Validate {
    const ROLES: &'static [Role] = VALIDATE;
}
pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}

/// Serialises the claiming decision of every window, so that two windows computed at once
/// neither claim one result twice nor pay a family past its maximum.
const CLAIM_LOCK: i64 = 0x6666_635f_636c_6169;
/// Serialises opening and submitting windows, so that "windows run forward" is decided on the
/// submitted windows as they are.
const ORDER_LOCK: i64 = 0x6666_635f_6f72_6472;

/// A stored ruleset revision with its parameters parsed.
struct StoredRevision {
    id: Uuid,
    ruleset: String,
    revision: i32,
    params: Params,
}

/// Every ruleset revision: a handful of small rows, read whole, once per request or run.
async fn load_revisions(conn: &mut Conn) -> ApiResult<Vec<StoredRevision>> {
    let sets = rq::all(conn).await?;
    let codes: Vec<String> = sets.iter().map(|s| s.code.clone()).collect();
    let mut out = Vec::new();
    for r in rq::revisions(conn, &codes).await? {
        let Some(set) = sets.iter().find(|s| s.code == r.ruleset_code) else {
            continue;
        };
        let params =
            parse_params(RulesetFamily::from_db(&set.family), &r.parameters).map_err(|e| {
                ApiError::Internal(format!(
                    "stored parameters of {}: {}",
                    r.ruleset_code, e.message
                ))
            })?;
        out.push(StoredRevision {
            id: r.id,
            ruleset: r.ruleset_code,
            revision: r.revision,
            params,
        });
    }
    Ok(out)
}

/// How a window with this cut-off and selection treats a revision.
fn scope(r: &StoredRevision, cut_off: NaiveDate, selected: Option<&[String]>) -> WindowRevision {
    let last = r.params.last_claim_on();
    let name = format!("{} revision {}", r.ruleset, r.revision);
    let (scope, detail) = if selected.is_some_and(|s| !s.contains(&r.ruleset)) {
        (
            RevisionScope::NotSelected,
            format!("{name}: the window is limited to other rulesets"),
        )
    } else if !rules::open_for_claims(last, cut_off) {
        (
            RevisionScope::ClaimsEnded,
            format!(
                "{name}: claims ended on {}, before the cut-off; nothing is claimed under it",
                last.map(|d| d.to_string()).unwrap_or_default()
            ),
        )
    } else {
        (
            RevisionScope::Claimed,
            format!("{name}: judged and claimed"),
        )
    };
    WindowRevision {
        ruleset: r.ruleset.clone(),
        revision: r.revision,
        last_claim_on: last,
        scope,
        detail,
    }
}

/// Whether two windows' rulesets meet (`None`: every ruleset).
fn overlap(a: Option<&[String]>, b: Option<&[String]>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.iter().any(|x| b.contains(x)),
        _ => true,
    }
}

fn scope_words(rulesets: Option<&[String]>) -> String {
    rulesets.map_or("every ruleset".into(), |r| r.join(", "))
}

/// Windows run forward: a window whose cut-off is earlier than a submitted window's, for any of
/// the same rulesets, would judge again as of a day already claimed for. Taken under the order
/// lock, so that a window opened and another submitted at once see each other.
async fn runs_forward(
    conn: &mut Conn,
    cut_off: NaiveDate,
    rulesets: Option<&[String]>,
) -> ApiResult<()> {
    crate::db::advisory_xact_lock(conn, ORDER_LOCK).await?;
    if let Some(later) = q::submitted_after(conn, cut_off)
        .await?
        .into_iter()
        .find(|w| overlap(w.rulesets.as_deref(), rulesets))
    {
        return Err(ApiError::Conflict(format!(
            "Window \"{}\" ({}) was submitted with cut-off {} for {}; windows run forward, so a cut-off before {} is refused for {}.",
            later.name,
            later.id,
            later.cut_off,
            scope_words(later.rulesets.as_deref()),
            later.cut_off,
            scope_words(rulesets)
        )));
    }
    Ok(())
}

pub fn location(id: Uuid) -> String {
    format!("/api/v1/claim-windows/{id}")
}

async fn view(conn: &mut Conn, w: WindowRow) -> ApiResult<Window> {
    let revisions = load_revisions(conn).await?;
    let job = jobs_of(conn, &[w.id]).await?.remove(&w.id);
    view_with(conn, w, job, &revisions).await
}

/// The latest job of each window (a window computed again has one per computation).
async fn jobs_of(conn: &mut Conn, ids: &[Uuid]) -> ApiResult<HashMap<Uuid, JobRow>> {
    Ok(jq::latest_for(conn, JobKind::ClaimWindow, ids)
        .await?
        .into_iter()
        .filter_map(|j| j.subject_id.map(|s| (s, j)))
        .collect())
}

/// A window's view with the revisions already read (a page of windows reads them once).
async fn view_with(
    conn: &mut Conn,
    w: WindowRow,
    job: Option<JobRow>,
    revisions: &[StoredRevision],
) -> ApiResult<Window> {
    let job = job.ok_or_else(|| ApiError::Internal(format!("claim window {} has no job", w.id)))?;
    let revisions = revisions
        .iter()
        .map(|r| scope(r, w.cut_off, w.rulesets.as_deref()))
        .collect();
    let rows = q::totals(conn, Some(w.id)).await?;
    let mut totals: Vec<ResultTotal> = Vec::new();
    for r in rows {
        let result = ResultType::from_db(&r.result);
        let t = match totals.iter_mut().find(|t| t.result == result) {
            Some(t) => t,
            None => {
                totals.push(ResultTotal {
                    result,
                    included: 0,
                    included_pence: 0,
                    excluded: 0,
                    withdrawn: 0,
                    recovered_pence: 0,
                });
                totals.last_mut().expect("pushed")
            }
        };
        match r.status {
            ItemStatus::Included => {
                t.included += r.items;
                t.included_pence += r.amount_pence;
            }
            ItemStatus::Excluded => t.excluded += r.items,
            ItemStatus::Withdrawn => {
                t.withdrawn += r.items;
                t.recovered_pence += r.recovered_pence;
            }
        }
    }
    Ok(Window::from_row(w, &job, totals, revisions))
}

pub async fn open(
    pool: &Pool,
    ctx: &Allowed<Run>,
    input: WindowCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let today = super::families::today();
    if input.cut_off > today {
        return Err(ApiError::validation(
            "cut_off",
            format!("must not be later than today ({today}): results not yet achieved cannot be claimed"),
        ));
    }
    if input.cut_off < NaiveDate::from_ymd_opt(1990, 1, 1).expect("date") {
        return Err(ApiError::validation("cut_off", "must be 1990 or later"));
    }
    let mut conn = pool.get().await?;
    if let Some(codes) = &input.rulesets {
        let known = rq::all(&mut conn).await?;
        for (i, code) in codes.iter().enumerate() {
            if !known.iter().any(|r| &r.code == code) {
                return Err(ApiError::validation(
                    format!("rulesets[{i}]"),
                    format!("no ruleset {code:?}"),
                ));
            }
            if codes[..i].contains(code) {
                return Err(ApiError::validation(
                    format!("rulesets[{i}]"),
                    "named twice",
                ));
            }
        }
    }
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        runs_forward(conn, input.cut_off, input.rulesets.as_deref()).await?;
        let row = q::insert_window(
            conn,
            WindowRow {
                id: Uuid::now_v7(),
                name: input.name.trim().to_string(),
                cut_off: input.cut_off,
                status: WindowStatus::Computing,
                last_attachment_id: None,
                started_at: None,
                computed_at: None,
                error: None,
                prepared_by: ctx.principal.subject.clone(),
                validated_by: None,
                validated_at: None,
                submitted_by: None,
                submitted_at: None,
                created_at: chrono::Utc::now(),
                version: 1,
                rulesets: input.rulesets.clone(),
            },
        )
        .await?;
        registry::enqueue(conn, JobKind::ClaimWindow, row.id).await?;
        audit(conn, ctx, "claim_window.open", "claim_window", &[row.id]).await?;
        let body = view(conn, row).await?;
        let reply = Reply {
            status: 202,
            location: Some(location(body.id)),
            etag: Some(crate::http::reply::etag(body.version)),
            body: Some(serde_json::to_value(&body).expect("serialises")),
            replayed: false,
        };
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn get(pool: &Pool, _: &Allowed<Read>, id: Uuid) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    let w = q::find_window(&mut conn, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("claim window"))?;
    let version = w.version;
    Ok(Reply::ok(&view(&mut conn, w).await?, Some(version)))
}

pub async fn list(
    pool: &Pool,
    _: &Allowed<Read>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let after = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    let status = params
        .get("status")
        .map(|s| WindowStatus::parse(s).ok_or_else(|| bad_param("status", "not a window status")))
        .transpose()?;
    let mut conn = pool.get().await?;
    let mut rows = q::list_windows(&mut conn, status, after, limit + 1).await?;
    let next_cursor = end_page(&mut rows, limit, |w| w.id);
    let revisions = load_revisions(&mut conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|w| w.id).collect();
    let mut jobs = jobs_of(&mut conn, &ids).await?;
    let mut items = Vec::new();
    for w in rows {
        // At most one small grouped query per window on a page of windows (a handful a year).
        let job = jobs.remove(&w.id);
        items.push(view_with(&mut conn, w, job, &revisions).await?);
    }
    Ok(Reply::ok(&Page { items, next_cursor }, None))
}

pub async fn items(
    pool: &Pool,
    ctx: &Allowed<Read>,
    id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let after = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    let status = params
        .get("status")
        .map(|s| ItemStatus::parse(s).ok_or_else(|| bad_param("status", "not an item status")))
        .transpose()?;
    let result = params
        .get("result")
        .map(|s| ResultType::parse(s).ok_or_else(|| bad_param("result", "not a result type")))
        .transpose()?;
    super::read(pool, async |conn| {
        q::find_window(conn, id, false)
            .await?
            .ok_or_else(|| ApiError::not_found("claim window"))?;
        let mut rows = q::items(
            conn,
            id,
            status,
            result.map(|r| r.as_str()),
            after,
            limit + 1,
        )
        .await?;
        let next_cursor = end_page(&mut rows, limit, |i| i.id);
        let mut ids: Vec<Uuid> = rows.iter().map(|i| i.family_id).collect();
        ids.push(id);
        audit(conn, ctx, "claim_window.items", "family", &ids).await?;
        let items: Vec<Item> = rows.into_iter().map(Item::from).collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}

/// A window locked for a change, which must be in one of `allowed` states.
async fn window_in(
    conn: &mut Conn,
    id: Uuid,
    allowed: &[WindowStatus],
    doing: &str,
) -> ApiResult<WindowRow> {
    let w = q::find_window(conn, id, true)
        .await?
        .ok_or_else(|| ApiError::not_found("claim window"))?;
    let status = w.status;
    if !allowed.contains(&status) {
        return Err(ApiError::Conflict(format!(
            "The window is {}; {doing} needs it to be {}.",
            status.as_str(),
            allowed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        )));
    }
    Ok(w)
}

fn not_preparer(ctx: &Ctx, w: &WindowRow, doing: &str) -> ApiResult<()> {
    if w.prepared_by == ctx.principal.subject {
        return Err(ApiError::Forbidden(format!(
            "You prepared this window; someone else must {doing} it."
        )));
    }
    Ok(())
}

async fn moved(conn: &mut Conn, ctx: &Ctx, w: WindowRow, action: &str) -> ApiResult<Reply> {
    audit(conn, ctx, action, "claim_window", &[w.id]).await?;
    let version = w.version;
    Ok(Reply::ok(&view(conn, w).await?, Some(version)))
}

/// Computes the window again (after a failure, or to take in evidence recorded since): results
/// already in it stay as they are, and newly achieved ones are added.
pub async fn recompute(pool: &Pool, ctx: &Allowed<Run>, id: Uuid) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        window_in(
            conn,
            id,
            &[WindowStatus::Review, WindowStatus::Failed],
            "computing again",
        )
        .await?;
        let w = q::set_status(conn, id, WindowMove::ComputeAgain, &ctx.principal.subject).await?;
        registry::enqueue(conn, JobKind::ClaimWindow, id).await?;
        let mut reply = moved(conn, ctx, w, "claim_window.recompute").await?;
        reply.status = 202;
        Ok(reply)
    })
    .await
}

/// Validates the version of the window the auditor reviewed (`If-Match`): a window computed
/// again or changed by an exclusion since is a new version, and 412.
pub async fn validate(
    pool: &Pool,
    ctx: &Allowed<Validate>,
    id: Uuid,
    expected: Option<i32>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let w = window_in(conn, id, &[WindowStatus::Review], "validation").await?;
        not_preparer(ctx, &w, "validate")?;
        check_version(expected, w.version)?;
        let w = q::set_status(conn, id, WindowMove::Validate, &ctx.principal.subject).await?;
        moved(conn, ctx, w, "claim_window.validate").await
    })
    .await
}

pub async fn submit(
    pool: &Pool,
    ctx: &Allowed<Run>,
    id: Uuid,
    expected: Option<i32>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let w = window_in(conn, id, &[WindowStatus::Validated], "submission").await?;
        not_preparer(ctx, &w, "submit")?;
        if w.validated_by.as_deref() == Some(ctx.principal.subject.as_str()) {
            return Err(ApiError::Forbidden(
                "You validated this window; someone else must submit it.".into(),
            ));
        }
        check_version(expected, w.version)?;
        runs_forward(conn, w.cut_off, w.rulesets.as_deref()).await?;
        let w = q::set_status(conn, id, WindowMove::Submit, &ctx.principal.subject).await?;
        moved(conn, ctx, w, "claim_window.submit").await
    })
    .await
}

async fn item_of(conn: &mut Conn, window_id: Uuid, item_id: Uuid) -> ApiResult<q::ItemRow> {
    q::find_item(conn, item_id, true)
        .await?
        .filter(|i| i.window_id == window_id)
        .ok_or_else(|| ApiError::not_found("claim item"))
}

pub async fn exclude(
    pool: &Pool,
    ctx: &Allowed<Run>,
    window_id: Uuid,
    item_id: Uuid,
    input: Exclusion,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        window_in(
            conn,
            window_id,
            &[WindowStatus::Review],
            "excluding a result",
        )
        .await?;
        let item = item_of(conn, window_id, item_id).await?;
        if item.status != ItemStatus::Included {
            return Err(ApiError::Conflict(format!(
                "The result is already {}.",
                item.status.as_str()
            )));
        }
        let row = q::exclude(conn, item_id, input.reason.trim(), &ctx.principal.subject).await?;
        q::touch_window(conn, window_id).await?;
        audit(
            conn,
            ctx,
            "claim_item.exclude",
            "claim_item",
            &[row.id, row.family_id],
        )
        .await?;
        let version = row.version;
        Ok(Reply::ok(&Item::from(row), Some(version)))
    })
    .await
}

pub async fn withdraw(
    pool: &Pool,
    ctx: &Allowed<Run>,
    window_id: Uuid,
    item_id: Uuid,
    input: Withdrawal,
) -> ApiResult<Reply> {
    let today = super::families::today();
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let w = window_in(
            conn,
            window_id,
            &[WindowStatus::Submitted],
            "withdrawing a result",
        )
        .await?;
        let item = item_of(conn, window_id, item_id).await?;
        if item.status != ItemStatus::Included {
            return Err(ApiError::Conflict(format!(
                "The result is {}; only an included one is withdrawn.",
                item.status.as_str()
            )));
        }
        let on = input.withdrawn_on.unwrap_or(today);
        let submitted = w
            .submitted_at
            .map(crate::domain::people::london_date)
            .unwrap_or(today);
        if on > today || on < submitted {
            return Err(ApiError::validation(
                "withdrawn_on",
                format!("from the submission ({submitted}) to today ({today})"),
            ));
        }
        let row = q::withdraw(
            conn,
            item_id,
            input.reason.trim(),
            on,
            &ctx.principal.subject,
            item.amount_pence,
        )
        .await?;
        audit(
            conn,
            ctx,
            "claim_item.withdraw",
            "claim_item",
            &[row.id, row.family_id],
        )
        .await?;
        let version = row.version;
        Ok(Reply::ok(&Item::from(row), Some(version)))
    })
    .await
}

/// The window's ending, in the transaction that ends its job.
pub async fn end(conn: &mut Conn, id: Uuid, how: &Ending<'_>) -> diesel::QueryResult<()> {
    match how {
        Ending::Succeeded => q::finish(conn, id, None).await,
        Ending::Failed(why) => q::finish(conn, id, Some(why)).await,
        Ending::Cancelled(by) => {
            q::finish(
                conn,
                id,
                Some(&format!("The computation was cancelled by {by}.")),
            )
            .await
        }
    }
}

/// The job of a window: its attached families judged a batch per step, resumed after the last
/// attachment of the last committed step.
pub async fn run_job(ctx: &JobCtx) -> Result<(), JobError> {
    let mut conn = ctx.conn().await?;
    let w = q::set_started(&mut conn, ctx.subject()?).await?;
    drop(conn);
    let started = std::time::Instant::now();
    let (judged, claimed) = compute(ctx, &w).await?;
    log::info!(
        "claim window {} judged {judged} attached families and claimed {claimed} results in {:.1}s",
        w.id,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// One attachment's newly achieved results.
struct Judged {
    attachment: AttachmentRow,
    outcomes: Vec<Achieved>,
}

/// An achieved result as a claim needs it: the explained result is serialised when judged
/// (outside the claiming lock) and its tree dropped, so a batch waiting to be written holds
/// little more than its snapshots' text.
struct Achieved {
    result: String,
    achieved_on: Option<NaiveDate>,
    evidence_ids: Vec<Uuid>,
    snapshot: String,
}

impl Achieved {
    fn of(o: Outcome) -> Self {
        let snapshot = serde_json::to_string(&o).expect("serialises");
        Achieved {
            result: o.result,
            achieved_on: o.achieved_on,
            evidence_ids: o.evidence_ids,
            snapshot,
        }
    }
}

type Revisions = HashMap<Uuid, std::sync::Arc<Params>>;

async fn compute(ctx: &JobCtx, w: &WindowRow) -> Result<(i64, i64), JobError> {
    let err = JobError::from;
    let batch_size = ctx.batch;
    let mut conn = ctx.conn().await?;
    // The revisions claimed under: selected, and not past their last claim day. Their parameters
    // are the batches' too (a revision added during the run is read when first met).
    let stored = load_revisions(&mut conn)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let open: Vec<Uuid> = stored
        .iter()
        .filter(|r| scope(r, w.cut_off, w.rulesets.as_deref()).scope == RevisionScope::Claimed)
        .map(|r| r.id)
        .collect();
    if ctx.job.total.is_none() {
        let total = q::count_attached(&mut conn, w.cut_off, &open)
            .await
            .map_err(err)?;
        ctx.set_total(&mut conn, total).await?;
    }
    let mut revisions: Revisions = stored
        .into_iter()
        .map(|r| (r.id, std::sync::Arc::new(r.params)))
        .collect();
    let mut after = w.last_attachment_id;
    let (mut judged, mut claimed) = (0i64, 0i64);
    // Where the time goes, for the log (and BENCHMARKS.md).
    let (mut t_load, mut t_judge, mut t_wait) = (
        std::time::Duration::ZERO,
        std::time::Duration::ZERO,
        std::time::Duration::ZERO,
    );
    // Each batch's claims are written on another connection while the next batch is loaded and
    // judged: the two cores work at once. Writes still happen one at a time, in order.
    let mut writer = Some(ctx.conn().await?);
    let mut reader = Some(ctx.conn().await?);
    let mut writing: Option<tokio::task::JoinHandle<WriteOutcome>> = None;
    let outcome = async {
        loop {
            ctx.check()?;
            let t = std::time::Instant::now();
            let batch = q::next_attachments(&mut conn, after, (w.cut_off, &open), batch_size)
                .await
                .map_err(err)?;
            let (Some(first), Some(last)) =
                (batch.first().map(|a| a.id), batch.last().map(|a| a.id))
            else {
                break;
            };
            let family_ids: Vec<Uuid> = batch.iter().map(|a| a.family_id).collect();
            // The evidence (the most rows) is read on a second connection meanwhile.
            let mut side = reader.take().ok_or("the reading connection was lost")?;
            let ids = family_ids.clone();
            let reading = tokio::spawn(async move {
                let loaded = eq::in_force_for(&mut side, &ids).await.map(|rows| {
                    let mut by_family: HashMap<Uuid, Vec<_>> = HashMap::new();
                    for e in rows {
                        by_family.entry(e.family_id).or_default().push(e);
                    }
                    by_family
                });
                (side, loaded)
            });
            let families: HashMap<Uuid, _> = fq::families_by_ids(&mut conn, &family_ids)
                .await
                .map_err(err)?
                .into_iter()
                .map(|f| (f.id, f))
                .collect();
            let mut members: HashMap<Uuid, Vec<_>> = HashMap::new();
            for m in fq::people_of(&mut conn, &family_ids).await.map_err(err)? {
                members.entry(m.family_id).or_default().push(m);
            }
            let case_facts = cases(&mut conn, &family_ids)
                .await
                .map_err(|e| format!("{e:?}"))?;
            for a in &batch {
                if let std::collections::hash_map::Entry::Vacant(slot) =
                    revisions.entry(a.revision_id)
                {
                    let (_, p) = revision_params(&mut conn, &a.ruleset_code, a.revision_id)
                        .await
                        .map_err(|e| format!("{e:?}"))?;
                    slot.insert(std::sync::Arc::new(p));
                }
            }
            let (side, evidence) = reading.await.map_err(|e| e.to_string())?;
            reader = Some(side);
            let evidence = evidence.map_err(err)?;
            t_load += t.elapsed();
            let size = batch.len();
            judged += size as i64;
            // Judged while the previous batch is still being written.
            let t = std::time::Instant::now();
            let verdicts = judge_batch(
                Loaded {
                    attachments: batch,
                    families,
                    members,
                    evidence,
                    cases: case_facts,
                },
                &revisions,
                w.cut_off,
            );
            t_judge += t.elapsed();
            let t = std::time::Instant::now();
            if let Some(previous) = writing.take() {
                let (conn, n) = previous.await.map_err(|e| e.to_string())?;
                writer = Some(conn);
                claimed += n? as i64;
            }
            t_wait += t.elapsed();
            let job = Batch {
                window_id: w.id,
                cut_off: w.cut_off,
                lease: ctx.lease,
                size,
                first,
                last,
                revisions: revisions.clone(),
            };
            let conn = writer.take().ok_or("the writing connection was lost")?;
            writing = Some(tokio::spawn(write_batch(conn, job, verdicts)));
            after = Some(last);
        }
        Ok::<(), JobError>(())
    }
    .await;
    // Whatever happened, the batch being written finishes (and reports) before the run ends.
    let t = std::time::Instant::now();
    if let Some(previous) = writing.take() {
        match previous.await {
            Ok((_, Ok(n))) => claimed += n as i64,
            Ok((_, Err(e))) => {
                log::error!("claim window {}: writing a batch: {e:?}", w.id);
                outcome.clone()?;
                return Err(e);
            }
            Err(e) => return Err(e.to_string().into()),
        }
    }
    outcome?;
    t_wait += t.elapsed();
    log::info!(
        "claim window {}: loading {:.2}s, judging {:.2}s, waiting for writes {:.2}s",
        w.id,
        t_load.as_secs_f64(),
        t_judge.as_secs_f64(),
        t_wait.as_secs_f64()
    );
    Ok((judged, claimed))
}

/// One batch as read: its attachments and what the rules read of their families.
struct Loaded {
    attachments: Vec<AttachmentRow>,
    families: HashMap<Uuid, crate::db::families::FamilyRow>,
    members: HashMap<Uuid, Vec<crate::db::families::PersonRow>>,
    evidence: HashMap<Uuid, Vec<crate::db::evidence::RuleFactRow>>,
    cases: HashMap<Uuid, rules::CaseFacts>,
}

/// What one batch's write needs.
struct Batch {
    window_id: Uuid,
    cut_off: NaiveDate,
    lease: Lease,
    size: usize,
    /// The batch's first and last attachments in id order.
    first: Uuid,
    last: Uuid,
    revisions: Revisions,
}

/// A batch's attachments with newly achieved results.
struct Verdicts {
    results: Vec<Judged>,
}

/// Each attachment's achieved results as of the cut-off, by the revision it was attached under.
fn judge_batch(l: Loaded, revisions: &Revisions, cut_off: NaiveDate) -> Verdicts {
    let mut results = Vec::new();
    for a in l.attachments {
        let Some(family) = l.families.get(&a.family_id) else {
            continue;
        };
        let fam = facts(
            family,
            l.members.get(&a.family_id).map_or(&[][..], Vec::as_slice),
            l.evidence.get(&a.family_id).map_or(&[][..], Vec::as_slice),
        );
        // A family attached under two rulesets has two attachments: each reads the casework.
        let case = l.cases.get(&a.family_id).cloned().unwrap_or_default();
        let outcomes: Vec<Achieved> = judge(
            &revisions[&a.revision_id],
            &fam,
            &case,
            a.attached_on,
            cut_off,
        )
        .into_iter()
        .filter(|o| o.achieved)
        .map(Achieved::of)
        .collect();
        if !outcomes.is_empty() {
            results.push(Judged {
                attachment: a,
                outcomes,
            });
        }
    }
    Verdicts { results }
}

/// The writing connection comes back with the outcome, for the next batch.
type WriteOutcome = (Conn, Result<usize, JobError>);

/// Decides and writes one batch's claims in one transaction, under the claiming lock, and moves
/// the window's progress on (only while this worker still holds the window).
async fn write_batch(mut conn: Conn, b: Batch, v: Verdicts) -> WriteOutcome {
    let n = write(&mut conn, b, v).await;
    (conn, n)
}

async fn write(conn: &mut Conn, b: Batch, v: Verdicts) -> Result<usize, JobError> {
    let achieved: HashSet<(Uuid, &str)> = v
        .results
        .iter()
        .flat_map(|j| {
            j.outcomes
                .iter()
                .map(|o| (j.attachment.id, o.result.as_str()))
        })
        .collect();
    let reason = format!(
        "No longer achieved as of {} when the window was computed again on {}.",
        b.cut_off,
        super::families::today()
    );
    conn.transaction::<_, JobError, _>(async |c| {
        // claim_items grows from nothing during a window: a generic plan cached while it was
        // small scans the whole table for every later batch (measured: 340 ms a batch at
        // 100,000 families); the two reads below are planned for the table as it is.
        plan_cache_mode(c, "force_custom_plan").await?;
        crate::db::advisory_xact_lock(c, CLAIM_LOCK).await?;
        // Computed again: what this window included but no longer holds is excluded (with the
        // reason), before anything new is decided.
        let present = q::in_window(c, b.window_id, b.first, b.last).await?;
        let lapsed: Vec<Uuid> = present
            .iter()
            .filter(|(_, a, r, s)| {
                *s == ItemStatus::Included && !achieved.contains(&(*a, r.as_str()))
            })
            .map(|(id, ..)| *id)
            .collect();
        if !lapsed.is_empty() {
            q::exclude_many(c, &lapsed, &reason, "ffc (computed again)").await?;
        }
        let held = q::held(c, b.first, b.last).await?;
        let here: HashSet<(Uuid, String)> =
            present.into_iter().map(|(_, a, r, _)| (a, r)).collect();
        let rows = decide(
            (b.window_id, b.cut_off),
            &v.results,
            &held,
            &here,
            &b.revisions,
        );
        // Not for the insert: its foreign-key checks would be planned again for every row.
        plan_cache_mode(c, "auto").await?;
        let n = q::insert_items(c, rows).await?;
        q::advance(c, b.window_id, b.last).await?;
        let held: Result<(), JobError> = jq::step(c, b.lease, b.size as i64).await?.into();
        held?;
        Ok(n)
    })
    .await
}

async fn plan_cache_mode(c: &mut Conn, mode: &str) -> diesel::QueryResult<()> {
    crate::db::set_local(c, "plan_cache_mode", mode).await
}

/// The claim items for a batch: per family and slot, the newly achieved result the revision
/// prefers when two that do not combine are both achieved (`outcomes.when_both_achieved`:
/// continuous employment by default, the larger payment), unless a result of that slot is
/// already held (claimed or withdrawn, in any window) or this window already has it; the amount
/// by the schedule, within the family's maximum counting its fee and what is already claimed.
/// Nothing is claimed for nothing: a result with no money left under the maximum is left out;
/// nor under a revision whose claims ended before the cut-off, nor for a family attached after
/// it (the batch's query leaves both out already: this is the rule's own guard).
fn decide(
    (window_id, cut_off): (Uuid, NaiveDate),
    judged: &[Judged],
    held: &[(Uuid, String, i64, ItemStatus)],
    here: &HashSet<(Uuid, String)>,
    revisions: &Revisions,
) -> Vec<NewItem> {
    let mut by_attachment: HashMap<Uuid, Vec<&(Uuid, String, i64, ItemStatus)>> = HashMap::new();
    for h in held {
        by_attachment.entry(h.0).or_default().push(h);
    }
    let mut rows = Vec::new();
    for j in judged {
        let a = &j.attachment;
        let params = &revisions[&a.revision_id];
        if !rules::open_for_claims(params.last_claim_on(), cut_off) || a.attached_on > cut_off {
            continue;
        }
        let preferred = params.preferred_result();
        let mine = by_attachment.get(&a.id).map_or(&[][..], Vec::as_slice);
        let mut taken: HashSet<&str> = mine.iter().map(|h| h.1.as_str()).collect();
        let mut claimed: i64 = mine
            .iter()
            .filter(|h| h.3 == ItemStatus::Included)
            .map(|h| h.2)
            .sum();
        for slot in ["results", "progress_to_work"] {
            if taken.contains(slot) {
                continue;
            }
            let mut candidates: Vec<&Achieved> = j
                .outcomes
                .iter()
                .filter(|o| rules::slot(&o.result) == slot)
                .filter(|o| !here.contains(&(a.id, o.result.clone())))
                .collect();
            candidates.sort_by_key(|o| o.result != preferred);
            let Some(o) = candidates.first() else {
                continue;
            };
            let year = a.financial_year as i32;
            let mut amount = schedule(params, &o.result, year);
            if let Some(max) = maximum(params) {
                amount = payments::within_maximum(amount, max, a.attachment_fee_pence, claimed);
            }
            if amount == 0 {
                continue;
            }
            claimed += amount;
            taken.insert(slot);
            rows.push(NewItem {
                id: Uuid::now_v7(),
                window_id,
                family_id: a.family_id,
                attachment_id: a.id,
                ruleset_code: a.ruleset_code.clone(),
                revision_id: a.revision_id,
                financial_year: a.financial_year,
                result: o.result.clone(),
                slot: slot.to_string(),
                achieved_on: o.achieved_on.unwrap_or(a.attached_on),
                amount_pence: amount,
                snapshot: o.snapshot.clone(),
                evidence_ids: o.evidence_ids.clone(),
            });
        }
    }
    rows
}

#[cfg(test)]
#[path = "claims_properties.rs"]
mod properties;
