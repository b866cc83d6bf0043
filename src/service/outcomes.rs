//! Outcomes: each result of a family's ruleset judged and explained. The rules are in
//! `domain::outcomes`; this module loads what they read, in as few queries for one family as for
//! thousands.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use super::audit;
use super::rulesets::{facts, parse_params, Params};
use crate::api::outcomes::*;
use crate::api::rulesets::RulesetFamily;
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::attachments::AttachmentRow;
use crate::db::{evidence as eq, families as fq, outcomes as oq, rulesets as rq, Conn, Pool};
use crate::domain::eligibility::FamilyFacts;
use crate::domain::outcomes::{self as rules, Case, CaseFacts, Outcome};
use crate::domain::payments;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::bad_param;
use crate::http::reply::Reply;

/// Who may read a family's results: those who read families (workers their own), and claims
/// officers, who prepare claims for every attached family.
pub const READ: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
    Role::Auditor,
    Role::LeadWorker,
    Role::KeyWorker,
    Role::ClaimsOfficer,
];

pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}

/// Applies a revision's outcome rules.
pub fn judge(
    params: &Params,
    fam: &FamilyFacts,
    case: &CaseFacts,
    attached_on: NaiveDate,
    as_of: NaiveDate,
) -> Vec<Outcome> {
    match params {
        Params::Phase1(p) => rules::phase1(p, fam, attached_on, as_of),
        Params::Phase2(p) => rules::phase2(p, fam, attached_on, as_of),
        Params::SupportingFamilies(p) => {
            rules::supporting_families(p, fam, case, attached_on, as_of)
        }
    }
}

/// The schedule's amount for a result of a family attached in `year`.
pub fn schedule(params: &Params, result: &str, year: i32) -> i64 {
    match params {
        Params::Phase1(p) => payments::phase1_result(p, result, year).unwrap_or(0),
        Params::Phase2(p) => p.payments.result_pence,
        Params::SupportingFamilies(p) => p.payments.result_pence,
    }
}

/// The per-family maximum, where the ruleset has one.
pub fn maximum(params: &Params) -> Option<i64> {
    match params {
        Params::Phase1(p) => Some(p.payments.max_per_family_pence),
        _ => None,
    }
}

/// Parsed parameters of a stored revision.
pub async fn revision_params(
    conn: &mut Conn,
    ruleset: &str,
    revision_id: Uuid,
) -> ApiResult<(i32, Params)> {
    let rev = rq::revision(conn, revision_id).await?;
    let set = rq::find(conn, ruleset)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("ruleset {ruleset} vanished")))?;
    let params =
        parse_params(RulesetFamily::from_db(&set.family), &rev.parameters).map_err(|e| {
            ApiError::Internal(format!("stored parameters of {ruleset}: {}", e.message))
        })?;
    Ok((rev.revision, params))
}

/// The casework Supporting Families reads, per family, in one query.
pub async fn cases(conn: &mut Conn, ids: &[Uuid]) -> ApiResult<HashMap<Uuid, CaseFacts>> {
    let mut out: HashMap<Uuid, CaseFacts> = HashMap::new();
    for c in oq::cases_of(conn, ids).await? {
        out.entry(c.family_id).or_default().cases.push(Case {
            agreed_on: c.activated_on,
            plan_actions: c.plan_actions,
            closed_on: c.closed_on,
        });
    }
    Ok(out)
}

pub async fn family(
    pool: &Pool,
    ctx: &Allowed<Read>,
    family_id: Uuid,
    query: HashMap<String, String>,
) -> ApiResult<Reply> {
    let today = super::families::today();
    let as_of = match query.get("as_of") {
        Some(d) => d
            .parse::<NaiveDate>()
            .map_err(|_| bad_param("as_of", "a date, YYYY-MM-DD"))?,
        None => today,
    };
    super::read(pool, async |conn| {
        let family = if ctx.principal.has(Role::ClaimsOfficer) {
            fq::find_family(conn, family_id, false)
                .await?
                .ok_or_else(|| ApiError::not_found("family"))?
        } else {
            super::families::visible_family(conn, ctx, family_id, false).await?
        };
        let attachments = crate::db::attachments::of_family(conn, family_id).await?;
        let attachment: &AttachmentRow = match query.get("ruleset") {
            Some(code) => attachments.iter().find(|a| &a.ruleset_code == code),
            None => attachments.first(),
        }
        .ok_or_else(|| {
            ApiError::validation("ruleset", "the family is not attached under that ruleset")
        })?;
        if as_of < attachment.attached_on || as_of > today {
            return Err(ApiError::validation(
                "as_of",
                format!(
                    "results are judged from the attachment date ({}) to today ({today})",
                    attachment.attached_on
                ),
            ));
        }
        let (revision, params) =
            revision_params(conn, &attachment.ruleset_code, attachment.revision_id).await?;
        let members = fq::people_of(conn, &[family_id]).await?;
        let evidence = eq::in_force_for(conn, &[family_id]).await?;
        let case = cases(conn, &[family_id])
            .await?
            .remove(&family_id)
            .unwrap_or_default();
        let fam = facts(&family, &members, &evidence);
        let year = attachment.financial_year as i32;
        let results = judge(&params, &fam, &case, attachment.attached_on, as_of)
            .into_iter()
            .map(|o| ResultView {
                schedule_pence: schedule(&params, &o.result, year),
                outcome: o,
            })
            .collect();
        let mut ids = vec![family_id];
        ids.extend(members.iter().map(|m| m.id));
        audit(conn, ctx, "outcomes.read", "family", &ids).await?;
        Ok(Reply::ok(
            &FamilyOutcomes {
                family_id,
                attachment_id: attachment.id,
                ruleset: attachment.ruleset_code.clone(),
                revision,
                attached_on: attachment.attached_on,
                financial_year: payments::financial_year_label(year),
                as_of,
                results,
            },
            None,
        ))
    })
    .await
}
