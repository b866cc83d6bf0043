//! Rulesets (versioned programme rules) and eligibility.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::audit;
use crate::api::rulesets::*;
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::evidence::RuleFactRow;
use crate::db::families::{FamilyRow, PersonRow};
use crate::db::rulesets::{self as q, RevisionRow, RulesetRow};
use crate::db::{evidence as eq, families as fq, Conn, Pool};
use crate::domain::eligibility::{self as rules, Fact, FamilyFacts, Kind, Person, Term, Verdict};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::extract::bad_param;
use crate::http::reply::Reply;

/// The rules are not personal data: every staff role may read them.
pub const READ: &[Role] = &[
    Role::Coordinator,
    Role::LeadWorker,
    Role::KeyWorker,
    Role::EmploymentAdviser,
    Role::SocialWorker,
    Role::ClaimsOfficer,
    Role::Auditor,
    Role::Manager,
    Role::Admin,
];
/// Only administrators change the rules, by adding a revision.
pub const WRITE: &[Role] = &[Role::Admin];

pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}
pub struct Write;
impl Policy for Write {
    const ROLES: &'static [Role] = WRITE;
}

/// A revision's parameters, checked against its ruleset family's shape.
#[derive(Debug, Clone)]
pub enum Params {
    Phase1(rules::Phase1Params),
    Phase2(rules::Phase2Params),
    SupportingFamilies(rules::SfParams),
}

impl Params {
    /// The latest window cut-off that may claim under the revision (`outcomes.last_claim_on`).
    pub fn last_claim_on(&self) -> Option<chrono::NaiveDate> {
        match self {
            Params::Phase1(p) => p.outcomes.last_claim_on,
            Params::Phase2(p) => p.outcomes.last_claim_on,
            Params::SupportingFamilies(p) => p.outcomes.last_claim_on,
        }
    }

    /// The result claimed when two that do not combine are newly achieved in one window.
    pub fn preferred_result(&self) -> &'static str {
        use crate::domain::outcomes::{
            WhenBothAchieved, CONTINUOUS_EMPLOYMENT, CRIME_ASB_EDUCATION,
        };
        match self {
            Params::Phase1(p) => match p.outcomes.when_both_achieved {
                WhenBothAchieved::ContinuousEmployment => CONTINUOUS_EMPLOYMENT,
                WhenBothAchieved::CrimeAsbEducation => CRIME_ASB_EDUCATION,
            },
            // One result a slot: nothing to choose between.
            _ => CONTINUOUS_EMPLOYMENT,
        }
    }

    /// Every setting written out, defaults included, so a revision shows what it applies.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Params::Phase1(p) => serde_json::to_value(p),
            Params::Phase2(p) => serde_json::to_value(p),
            Params::SupportingFamilies(p) => serde_json::to_value(p),
        }
        .expect("parameters serialise")
    }
}

/// A stored revision's parameters with every setting written out; as stored should they not
/// parse (they were checked when written, so only a later, stricter shape would refuse them).
fn shown(family: RulesetFamily, v: serde_json::Value) -> serde_json::Value {
    match parse_params(family, &v) {
        Ok(p) => p.to_json(),
        Err(_) => v,
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(v.clone()).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "parameters".to_string()
        } else {
            format!("parameters.{path}")
        };
        FieldError::new(
            field,
            e.inner()
                .to_string()
                .split(" at line")
                .next()
                .unwrap_or_default(),
        )
    })
}

pub fn parse_params(family: RulesetFamily, v: &serde_json::Value) -> Result<Params, FieldError> {
    let p = match family {
        RulesetFamily::Phase1 => {
            let p: rules::Phase1Params = parse(v)?;
            if let Some(bad) = p
                .local_filters
                .iter()
                .find(|f| !rules::LOCAL_FILTERS.contains(&f.as_str()))
            {
                return Err(FieldError::new(
                    "parameters.local_filters",
                    format!(
                        "item {} is not a known local filter ({})",
                        p.local_filters.iter().position(|f| f == bad).unwrap_or(0),
                        rules::LOCAL_FILTERS.join(", ")
                    ),
                ));
            }
            let outward = |d: &String| {
                let b = d.as_bytes();
                let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
                (1..=2).contains(&letters)
                    && b.len() > letters
                    && b[letters].is_ascii_digit()
                    && b.len() <= letters + 2
                    && b[letters + 1..]
                        .iter()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            };
            if let Some(bad) = p
                .deprived_areas
                .postcode_districts
                .iter()
                .find(|d| !outward(d))
            {
                return Err(FieldError::new(
                    "parameters.deprived_areas.postcode_districts",
                    format!(
                        "item {} is not an outward code in capitals, e.g. S60",
                        p.deprived_areas
                            .postcode_districts
                            .iter()
                            .position(|d| d == bad)
                            .unwrap_or(0)
                    ),
                ));
            }
            let pay = &p.payments;
            for (name, map) in [
                (
                    "attachment_fee_basis_points_by_year",
                    &pay.attachment_fee_basis_points_by_year,
                ),
                (
                    "crime_asb_education_pence_by_year",
                    &pay.crime_asb_education_pence_by_year,
                ),
                (
                    "continuous_employment_pence_by_year",
                    &pay.continuous_employment_pence_by_year,
                ),
            ] {
                let year_ok = |k: &String| {
                    k.len() == 4 && k.parse::<i32>().is_ok_and(|y| (1990..=2100).contains(&y))
                };
                if map.keys().any(|k| !year_ok(k)) || map.values().any(|v| *v < 0) {
                    return Err(FieldError::new(
                        format!("parameters.payments.{name}"),
                        "keys are financial years (e.g. \"2013\" for 2013/14), values not negative",
                    ));
                }
            }
            let lsoas = &p.deprived_areas.lsoas;
            if let Some(i) = lsoas
                .iter()
                .position(|l| !crate::domain::identifiers::is_lsoa(l))
            {
                return Err(FieldError::new(
                    "parameters.deprived_areas.lsoas",
                    format!("item {i} is not an LSOA code (E01 or W01 and six digits)"),
                ));
            }
            if p.consecutive_terms == 0 || p.consecutive_terms > 9 {
                return Err(FieldError::new(
                    "parameters.consecutive_terms",
                    "from 1 to 9",
                ));
            }
            let fees = &p.payments.attachment_fee_basis_points_by_year;
            if fees.values().any(|bp| *bp > 10_000) {
                return Err(FieldError::new(
                    "parameters.payments.attachment_fee_basis_points_by_year",
                    "at most 10000 (100%)",
                ));
            }
            if p.payments.deadweight_numerator > p.payments.deadweight_denominator {
                return Err(FieldError::new(
                    "parameters.payments.deadweight_numerator",
                    "at most the denominator",
                ));
            }
            if p.absence_threshold_basis_points > 10_000 {
                return Err(FieldError::new(
                    "parameters.absence_threshold_basis_points",
                    "at most 10000 (100%)",
                ));
            }
            if p.payments.deadweight_denominator <= 0 || p.payments.deadweight_numerator < 0 {
                return Err(FieldError::new(
                    "parameters.payments.deadweight_denominator",
                    "must be positive",
                ));
            }
            Params::Phase1(p)
        }
        RulesetFamily::Phase2 => {
            let p: rules::Phase2Params = parse(v)?;
            if !(1..=6).contains(&p.minimum_problems) {
                return Err(FieldError::new(
                    "parameters.minimum_problems",
                    "from 1 to 6 (there are six headline problems)",
                ));
            }
            if p.problem_window_months == 0 || p.problem_window_months > 120 {
                return Err(FieldError::new(
                    "parameters.problem_window_months",
                    "from 1 to 120",
                ));
            }
            if p.payments.attachment_fee_pence < 0 || p.payments.result_pence < 0 {
                return Err(FieldError::new(
                    "parameters.payments",
                    "amounts are not negative",
                ));
            }
            Params::Phase2(p)
        }
        RulesetFamily::SupportingFamilies => {
            let p: rules::SfParams = parse(v)?;
            if !(1..=10).contains(&p.minimum_needs) {
                return Err(FieldError::new(
                    "parameters.minimum_needs",
                    "from 1 to 10 (there are ten needs)",
                ));
            }
            if p.need_window_months == 0 || p.need_window_months > 120 {
                return Err(FieldError::new(
                    "parameters.need_window_months",
                    "from 1 to 120",
                ));
            }
            if !(1..=25).contains(&p.adult_age) || p.payments.result_pence < 0 {
                return Err(FieldError::new(
                    "parameters.adult_age",
                    "from 1 to 25, and amounts not negative",
                ));
            }
            Params::SupportingFamilies(p)
        }
    };
    Ok(p)
}

fn ruleset_view(r: RulesetRow, revisions: Vec<RevisionRow>) -> Ruleset {
    Ruleset {
        code: r.code,
        name: r.name,
        family: RulesetFamily::from_db(&r.family),
        revisions: revisions
            .into_iter()
            .map(|row| {
                let mut v = Revision::from(row);
                v.parameters = shown(RulesetFamily::from_db(&r.family), v.parameters);
                v
            })
            .collect(),
    }
}

pub async fn list(pool: &Pool, _: &Allowed<Read>) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    let sets = q::all(&mut conn).await?;
    let codes: Vec<String> = sets.iter().map(|s| s.code.clone()).collect();
    let mut revs: HashMap<String, Vec<RevisionRow>> = HashMap::new();
    for r in q::revisions(&mut conn, &codes).await? {
        revs.entry(r.ruleset_code.clone()).or_default().push(r);
    }
    let items: Vec<Ruleset> = sets
        .into_iter()
        .map(|s| {
            let r = revs.remove(&s.code).unwrap_or_default();
            ruleset_view(s, r)
        })
        .collect();
    Ok(Reply::ok(
        &crate::api::Page {
            items,
            next_cursor: None,
        },
        None,
    ))
}

pub async fn get(pool: &Pool, _: &Allowed<Read>, code: &str) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    let set = q::find(&mut conn, code)
        .await?
        .ok_or_else(|| ApiError::not_found("ruleset"))?;
    let revs = q::revisions(&mut conn, std::slice::from_ref(&set.code)).await?;
    Ok(Reply::ok(&ruleset_view(set, revs), None))
}

pub async fn add_revision(
    pool: &Pool,
    ctx: &Allowed<Write>,
    code: &str,
    input: RevisionCreate,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let set = q::lock(conn, code)
            .await?
            .ok_or_else(|| ApiError::not_found("ruleset"))?;
        // Stored with every setting written out: the revision records the defaults it applies.
        let parameters = parse_params(RulesetFamily::from_db(&set.family), &input.parameters)
            .map_err(|e| ApiError::Validation(vec![e]))?
            .to_json();
        let existing = q::revisions(conn, std::slice::from_ref(&set.code)).await?;
        if let Some(last) = existing.last() {
            if input.effective_from <= last.effective_from {
                return Err(ApiError::validation(
                    "effective_from",
                    format!(
                        "must be after {} (when revision {} took effect)",
                        last.effective_from, last.revision
                    ),
                ));
            }
        }
        let row = q::insert_revision(
            conn,
            RevisionRow {
                id: Uuid::now_v7(),
                ruleset_code: set.code.clone(),
                revision: existing.last().map_or(1, |r| r.revision + 1),
                effective_from: input.effective_from,
                parameters,
                note: crate::api::tidy(&input.note),
                created_by: ctx.principal.subject.clone(),
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
        audit(conn, ctx, "ruleset.revise", "ruleset_revision", &[row.id]).await?;
        let location = format!("/api/v1/rulesets/{}", set.code);
        let rev = Revision::from(row);
        Ok(Reply::created(&rev, location, rev.revision))
    })
    .await
}

fn kind(s: &str) -> Kind {
    match s {
        "proven_offence" => Kind::ProvenOffence,
        "asb_intervention" => Kind::AsbIntervention,
        "asb_incident" => Kind::AsbIncident,
        "school_term" => Kind::SchoolTerm,
        "permanent_exclusion" => Kind::PermanentExclusion,
        "alternative_provision" => Kind::AlternativeProvision,
        "not_on_roll" => Kind::NotOnRoll,
        "out_of_work_benefit" => Kind::OutOfWorkBenefit,
        "employment" => Kind::Employment,
        "work_programme" => Kind::WorkProgramme,
        "local_filter" => Kind::LocalFilter,
        "phase2_problem" => Kind::Phase2Problem,
        _ => Kind::SfNeed,
    }
}

/// What the rules see of a family: built from rows loaded in bulk, for one family or many.
/// Evidence must come in the order it was recorded (ids are UUIDv7, so by id): where two records
/// describe the same school term, the rules take the later.
pub fn facts(family: &FamilyRow, members: &[PersonRow], evidence: &[RuleFactRow]) -> FamilyFacts {
    FamilyFacts {
        postcode: family.postcode.clone(),
        lsoa: family.lsoa.clone(),
        members: members
            .iter()
            .map(|m| Person {
                id: m.id,
                date_of_birth: m.date_of_birth,
                is_child: m.member_role == "child",
            })
            .collect(),
        facts: evidence
            .iter()
            .map(|e| Fact {
                id: e.id,
                member_id: e.member_id,
                kind: kind(&e.kind),
                occurred_on: e.occurred_on,
                ends_on: e.ends_on,
                term: match (e.academic_year, e.term.as_deref()) {
                    (Some(y), Some("autumn")) => Some((y as i32, Term::Autumn)),
                    (Some(y), Some("spring")) => Some((y as i32, Term::Spring)),
                    (Some(y), Some("summer")) => Some((y as i32, Term::Summer)),
                    _ => None,
                },
                possible_sessions: e.possible_sessions.unwrap_or(0) as i64,
                sessions_attended: e.sessions_attended.unwrap_or(0) as i64,
                unauthorised_absences: e.unauthorised_absences.unwrap_or(0) as i64,
                fixed_term_exclusions: e.fixed_term_exclusions.unwrap_or(0) as i64,
                label: e.filter.clone().or_else(|| e.indicator.clone()),
            })
            .collect(),
    }
}

/// Applies a revision's rules to a family's facts.
pub fn judge(params: &Params, fam: &FamilyFacts, as_of: NaiveDate) -> Verdict {
    match params {
        Params::Phase1(p) => rules::phase1(p, fam, as_of),
        Params::Phase2(p) => rules::phase2(p, fam, as_of),
        Params::SupportingFamilies(p) => rules::supporting_families(p, fam, as_of),
    }
}

/// The ruleset and its revision in force on a date, or a 422 naming what is wrong.
pub async fn revision_for(
    conn: &mut Conn,
    code: &str,
    as_of: NaiveDate,
) -> ApiResult<(RulesetRow, RevisionRow, Params)> {
    let set = q::find(conn, code)
        .await?
        .ok_or_else(|| ApiError::validation("ruleset", format!("no ruleset {code:?}")))?;
    let rev = q::in_force(conn, code, as_of).await?.ok_or_else(|| {
        ApiError::validation(
            "as_of",
            format!("ruleset {code} has no revision in force on {as_of}"),
        )
    })?;
    let params =
        parse_params(RulesetFamily::from_db(&set.family), &rev.parameters).map_err(|e| {
            ApiError::Internal(format!(
                "stored parameters of {code} r{}: {}",
                rev.revision, e.message
            ))
        })?;
    Ok((set, rev, params))
}

pub async fn eligibility(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let as_of = match params.get("as_of") {
        Some(d) => d
            .parse::<NaiveDate>()
            .map_err(|_| bad_param("as_of", "a date, YYYY-MM-DD"))?,
        None => super::families::today(),
    };
    super::read(pool, async |conn| {
        let family = super::families::visible_family(conn, ctx, family_id, false).await?;
        // The ruleset asked for, else the one the family was most recently attached under.
        let code = match params.get("ruleset") {
            Some(c) => c.clone(),
            None => crate::db::attachments::of_family(conn, family_id)
                .await?
                .first()
                .map(|a| a.ruleset_code.clone())
                .ok_or_else(|| {
                    ApiError::validation(
                        "ruleset",
                        "is required for a family not attached to the programme",
                    )
                })?,
        };
        let (set, rev, params) = revision_for(conn, &code, as_of).await?;
        let members = fq::people_of(conn, &[family_id]).await?;
        let evidence = eq::in_force_for(conn, &[family_id]).await?;
        let verdict = judge(&params, &facts(&family, &members, &evidence), as_of);
        let mut ids = vec![family_id];
        ids.extend(members.iter().map(|m| m.id));
        audit(conn, ctx, "eligibility.read", "family", &ids).await?;
        Ok(Reply::ok(
            &Eligibility {
                family_id,
                ruleset: set.code,
                revision: rev.revision,
                as_of,
                eligible: verdict.eligible,
                criteria: verdict.criteria,
                local_filters: verdict.local_filters,
                reason: verdict.reason,
            },
            None,
        ))
    })
    .await
}
