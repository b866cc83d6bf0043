//! Identification runs: every current family judged under a ruleset on a date, in the background.
//! Evidence is loaded a batch of families at a time with a few set-based queries, and the verdict
//! comes from the same pure rule functions as the single-family endpoint.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use diesel::QueryResult;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::rulesets::{facts, judge, parse_params, revision_for};
use super::{audit, idem_begin, idem_finish, Idem};
use crate::api::identification::*;
use crate::api::rulesets::RulesetFamily;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::identification::{self as q, Progress, ResultRow, RunRow};
use crate::db::jobs::{self as jq, JobRow};
use crate::db::{evidence as eq, families as fq, rulesets as rq, Pool};
use crate::domain::jobs::JobKind;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::bad_param;
use crate::http::reply::Reply;
use crate::jobs::context::{Ending, JobCtx, JobError};
use crate::jobs::registry;

/// Coordinators and managers identify the cohort; auditors may read what a run found.
pub const START: &[Role] = &[Role::Coordinator, Role::Manager];
pub const READ: &[Role] = &[Role::Coordinator, Role::Manager, Role::Auditor];

pub struct Start;
impl Policy for Start {
    const ROLES: &'static [Role] = START;
}
pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}

/// Families judged per batch: each batch is three queries and one transaction of results.
pub const BATCH: i64 = 2000;

pub fn location(id: Uuid) -> String {
    format!("/api/v1/identification-runs/{id}")
}

pub async fn start(
    pool: &Pool,
    ctx: &Allowed<Start>,
    input: RunCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        let (set, rev, _) = revision_for(conn, &input.ruleset, input.as_of).await?;
        let run = q::insert_run(
            conn,
            RunRow {
                id: Uuid::now_v7(),
                ruleset_code: set.code,
                revision_id: rev.id,
                as_of: input.as_of,
                status: String::new(),
                eligible: 0,
                eligible_not_attached: 0,
                not_eligible: 0,
                last_family_id: None,
                error: None,
                requested_by: ctx.principal.subject.clone(),
                started_at: None,
                finished_at: None,
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
        let job = registry::enqueue(conn, JobKind::IdentificationRun, run.id).await?;
        audit(
            conn,
            ctx,
            "identification.start",
            "identification_run",
            &[run.id],
        )
        .await?;
        let body = Run::of(run, &job);
        let reply = Reply {
            status: 202,
            location: Some(location(body.id)),
            body: Some(serde_json::to_value(&body).expect("serialises")),
            etag: None,
            replayed: false,
        };
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn get(pool: &Pool, _: &Allowed<Read>, id: Uuid) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    let run = q::find_run(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("identification run"))?;
    let job = job_of(&mut conn, id).await?;
    Ok(Reply::ok(&Run::of(run, &job), None))
}

/// A run's job (each run has one).
async fn job_of(conn: &mut crate::db::Conn, id: Uuid) -> ApiResult<JobRow> {
    jq::latest_for(conn, JobKind::IdentificationRun, &[id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal(format!("identification run {id} has no job")))
}

fn code_param(params: &HashMap<String, String>, name: &str) -> ApiResult<Option<String>> {
    params
        .get(name)
        .map(|v| {
            if !v.is_empty()
                && v.len() <= 60
                && v.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                Ok(v.clone())
            } else {
                Err(bad_param(name, "a code such as deprived_area"))
            }
        })
        .transpose()
}

pub async fn results(
    pool: &Pool,
    ctx: &Allowed<Read>,
    id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let after = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    let criterion = code_param(&params, "criterion")?;
    let filter = code_param(&params, "local_filter")?;
    super::read(pool, async |conn| {
        q::find_run(conn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("identification run"))?;
        let mut rows = q::results(
            conn,
            id,
            criterion.as_deref(),
            filter.as_deref(),
            after,
            limit + 1,
        )
        .await?;
        let next_cursor = end_page(&mut rows, limit, |r| r.0.family_id);
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.0.family_id).collect();
        ids.push(id);
        audit(conn, ctx, "identification.results", "family", &ids).await?;
        let items: Vec<RunResult> = rows
            .into_iter()
            .map(|(r, reference, postcode)| RunResult {
                family_id: r.family_id,
                reference,
                postcode,
                criteria_met: r.criteria_met,
                local_filters: r.local_filters,
                reason: r.reason,
            })
            .collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}

/// The run's ending, in the transaction that ends its job.
pub async fn end(conn: &mut crate::db::Conn, id: Uuid, how: &Ending<'_>) -> QueryResult<()> {
    match how {
        Ending::Succeeded => q::finish(conn, id, "succeeded", None).await,
        Ending::Failed(why) => q::finish(conn, id, "failed", Some(why)).await,
        Ending::Cancelled(by) => {
            q::finish(conn, id, "cancelled", Some(&format!("Cancelled by {by}."))).await
        }
    }
}

/// The job of a run: every current family judged, a batch per step, resumed after the last
/// family of the last committed step.
pub async fn run_job(ctx: &JobCtx) -> Result<(), JobError> {
    let mut conn = ctx.conn().await?;
    let run = q::set_running(&mut conn, ctx.subject()?).await?;
    let started = std::time::Instant::now();
    let judged = process(ctx, &mut conn, &run).await?;
    log::info!(
        "identification run {} judged {judged} families in {:.1}s",
        run.id,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn process(ctx: &JobCtx, conn: &mut crate::db::Conn, run: &RunRow) -> Result<i64, JobError> {
    let rev = rq::revision(conn, run.revision_id).await?;
    let set = rq::find(conn, &run.ruleset_code)
        .await?
        .ok_or_else(|| JobError::Failed("ruleset vanished".into()))?;
    let params = parse_params(RulesetFamily::from_db(&set.family), &rev.parameters)
        .map_err(|e| JobError::Failed(e.message))?;
    if ctx.job.total.is_none() {
        let total = q::count_families(conn).await?;
        ctx.set_total(conn, total).await?;
    }
    let mut after = run.last_family_id;
    let mut judged = 0i64;
    // Where the time goes, for the log (and BENCHMARKS.md).
    let (mut t_load, mut t_judge, mut t_write) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    loop {
        ctx.check()?;
        let t = std::time::Instant::now();
        let families = q::next_families(conn, after, BATCH).await?;
        let Some(last) = families.last().map(|f| f.id) else {
            break;
        };
        let ids: Vec<Uuid> = families.iter().map(|f| f.id).collect();
        let mut members: HashMap<Uuid, Vec<_>> = HashMap::new();
        for m in fq::people_of(conn, &ids).await? {
            members.entry(m.family_id).or_default().push(m);
        }
        let mut evidence: HashMap<Uuid, Vec<_>> = HashMap::new();
        for e in eq::in_force_for(conn, &ids).await? {
            evidence.entry(e.family_id).or_default().push(e);
        }
        let attached: HashSet<Uuid> = q::attached_among(conn, &run.ruleset_code, &ids)
            .await?
            .into_iter()
            .collect();
        t_load += t.elapsed();
        let t = std::time::Instant::now();
        let mut progress = Progress {
            eligible: 0,
            eligible_not_attached: 0,
            not_eligible: 0,
            last_family_id: last,
        };
        let mut rows = Vec::new();
        for f in &families {
            let fam = facts(
                f,
                members.get(&f.id).map_or(&[][..], Vec::as_slice),
                evidence.get(&f.id).map_or(&[][..], Vec::as_slice),
            );
            let verdict = judge(&params, &fam, run.as_of);
            if !verdict.eligible {
                progress.not_eligible += 1;
                continue;
            }
            progress.eligible += 1;
            if attached.contains(&f.id) {
                continue;
            }
            progress.eligible_not_attached += 1;
            rows.push(ResultRow {
                run_id: run.id,
                family_id: f.id,
                criteria_met: verdict
                    .criteria
                    .iter()
                    .filter(|c| c.met)
                    .map(|c| c.code.clone())
                    .collect(),
                local_filters: verdict
                    .local_filters
                    .iter()
                    .map(|c| c.code.clone())
                    .collect(),
                reason: verdict.reason,
            });
        }
        judged += families.len() as i64;
        t_judge += t.elapsed();
        let t = std::time::Instant::now();
        let n = families.len() as i64;
        conn.transaction::<_, JobError, _>(async |c| {
            q::insert_results(c, rows).await?;
            q::advance(c, run.id, &progress).await?;
            ctx.step(c, n).await
        })
        .await?;
        t_write += t.elapsed();
        after = Some(last);
    }
    log::info!(
        "identification run {}: loading {:.2}s, judging {:.2}s, writing {:.2}s",
        run.id,
        t_load.as_secs_f64(),
        t_judge.as_secs_f64(),
        t_write.as_secs_f64()
    );
    Ok(judged)
}
