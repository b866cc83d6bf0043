//! Identification runs: every current family judged under a ruleset on a date, in the background.
//! Evidence is loaded a batch of families at a time with a few set-based queries, and the verdict
//! comes from the same pure rule functions as the single-family endpoint.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use diesel_async::AsyncConnection;
use tokio::sync::Notify;
use uuid::Uuid;

use super::rulesets::{facts, judge, parse_params, revision_for};
use super::{audit, idem_begin, idem_finish, Idem};
use crate::api::identification::*;
use crate::api::rulesets::RulesetFamily;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::Ctx;
use crate::db::identification::{self as q, Progress, ResultRow, RunRow};
use crate::db::{evidence as eq, families as fq, rulesets as rq, Pool};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{bad_param, Policy};
use crate::http::reply::Reply;

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
/// A run whose worker has not reported for this long is taken over by another instance.
pub const STALE_SECONDS: i32 = 60;

pub fn location(id: Uuid) -> String {
    format!("/api/v1/identification-runs/{id}")
}

pub async fn start(
    pool: &Pool,
    ctx: &Ctx,
    input: RunCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    ctx.principal.require(START)?;
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
                total: 0,
                done: 0,
                eligible: 0,
                eligible_not_attached: 0,
                not_eligible: 0,
                last_family_id: None,
                error: None,
                claim_token: None,
                requested_by: ctx.principal.subject.clone(),
                started_at: None,
                finished_at: None,
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
        audit(
            conn,
            ctx,
            "identification.start",
            "identification_run",
            &[run.id],
        )
        .await?;
        let body = Run::from(run);
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

pub async fn get(pool: &Pool, ctx: &Ctx, id: Uuid) -> ApiResult<Reply> {
    ctx.principal.require(READ)?;
    let mut conn = pool.get().await?;
    let run = q::find_run(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("identification run"))?;
    Ok(Reply::ok(&Run::from(run), None))
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
    ctx: &Ctx,
    id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    ctx.principal.require(READ)?;
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let after = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    let criterion = code_param(&params, "criterion")?;
    let filter = code_param(&params, "local_filter")?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
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

/// Works through queued runs for as long as the process lives; woken at once by a new run, and
/// otherwise looks every few seconds (for runs queued by other instances or left by a dead one).
pub async fn run_forever(pool: Pool, wake: Arc<Notify>, claim_batch: i64) {
    let mut last_cleanup: Option<std::time::Instant> = None;
    loop {
        // Housekeeping rides on the same loop: expired idempotency keys, once an hour.
        if last_cleanup.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
            last_cleanup = Some(std::time::Instant::now());
            if let Ok(mut conn) = pool.get().await {
                match crate::db::idempotency::expire(&mut conn).await {
                    Ok(n) if n > 0 => log::info!("expired {n} idempotency keys"),
                    Ok(_) => {}
                    Err(e) => log::warn!("expiring idempotency keys: {e}"),
                }
            }
        }
        let run = claim_and_process(&pool).await;
        if let Err(e) = &run {
            log::error!("identification runner: {e}");
        }
        // Claim windows are computed by the same loop: one background job at a time per
        // instance keeps the pool free for requests.
        let window = super::claims::claim_and_process(&pool, claim_batch).await;
        if let Err(e) = &window {
            log::error!("claim window runner: {e}");
        }
        if matches!(run, Ok(true)) || matches!(window, Ok(true)) {
            continue;
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), wake.notified()).await;
    }
}

/// Processes one claimable run, if there is one.
pub async fn claim_and_process(pool: &Pool) -> Result<bool, String> {
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let Some(run) = q::claim(&mut conn, STALE_SECONDS)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(false);
    };
    drop(conn);
    let started = std::time::Instant::now();
    let outcome = process(pool, &run).await;
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let token = run.claim_token.ok_or("claimed run without a token")?;
    // The stored error is for the people reading the run; the detail goes to the log only.
    let stored = outcome.as_ref().err().map(|_| {
        format!(
            "The run stopped on the server; the service log has the details for run {}.",
            run.id
        )
    });
    q::finish(&mut conn, run.id, token, stored)
        .await
        .map_err(|e| e.to_string())?;
    match outcome {
        Ok(n) => log::info!(
            "identification run {} judged {n} families in {:.1}s",
            run.id,
            started.elapsed().as_secs_f64()
        ),
        Err(e) => log::error!("identification run {} failed: {e}", run.id),
    }
    Ok(true)
}

async fn process(pool: &Pool, run: &RunRow) -> Result<i64, String> {
    let err = |e: diesel::result::Error| e.to_string();
    let mut conn = pool.get().await.map_err(|e| e.to_string())?;
    let rev = rq::revision(&mut conn, run.revision_id)
        .await
        .map_err(err)?;
    let set = rq::find(&mut conn, &run.ruleset_code)
        .await
        .map_err(err)?
        .ok_or("ruleset vanished")?;
    let params = parse_params(RulesetFamily::from_db(&set.family), &rev.parameters)
        .map_err(|e| e.message)?;
    if run.total == 0 {
        let total = q::count_families(&mut conn).await.map_err(err)?;
        q::set_total(&mut conn, run.id, total as i32)
            .await
            .map_err(err)?;
    }
    let token = run.claim_token.ok_or("claimed run without a token")?;
    let mut after = run.last_family_id;
    let mut judged = 0i64;
    // Where the time goes, for the log (and BENCHMARKS.md).
    let (mut t_load, mut t_judge, mut t_write) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    loop {
        let t = std::time::Instant::now();
        let families = q::next_families(&mut conn, after, BATCH)
            .await
            .map_err(err)?;
        let Some(last) = families.last().map(|f| f.id) else {
            break;
        };
        let ids: Vec<Uuid> = families.iter().map(|f| f.id).collect();
        let mut members: HashMap<Uuid, Vec<_>> = HashMap::new();
        for m in fq::people_of(&mut conn, &ids).await.map_err(err)? {
            members.entry(m.family_id).or_default().push(m);
        }
        let mut evidence: HashMap<Uuid, Vec<_>> = HashMap::new();
        for e in eq::in_force_for(&mut conn, &ids).await.map_err(err)? {
            evidence.entry(e.family_id).or_default().push(e);
        }
        let attached: HashSet<Uuid> = q::attached_among(&mut conn, &run.ruleset_code, &ids)
            .await
            .map_err(err)?
            .into_iter()
            .collect();
        t_load += t.elapsed();
        let t = std::time::Instant::now();
        let mut progress = Progress {
            done: families.len() as i32,
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
        conn.transaction::<_, diesel::result::Error, _>(async |c| {
            q::insert_results(c, rows).await?;
            q::advance(c, run.id, token, &progress).await
        })
        .await
        .map_err(err)?;
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
