//! Outcomes and Payment by Results: docs/rules.md, "Outcomes and Payment by Results". The
//! results engine is pure: a family's facts, the date it was attached and the date judged go in;
//! each result of its ruleset comes out as achieved or not, with the figures and evidence that
//! decide it. Every threshold is an integer comparison (sessions, incidents, basis points); the
//! settings that councils read differently live in the ruleset revision, never here.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::eligibility::{
    self as elig, last_completed_term, term_dates, term_index, AbsenceMeasure, Fact, FamilyFacts,
    Kind, Phase1Params, Phase2Params, SfParams, Term, PHASE2_PROBLEMS,
};
use super::people::age_on;

pub use super::settings::{
    open_for_claims, phase1_last_claim_on, EarlierLeavers, Phase1Outcomes, Phase2Outcomes,
    SfOutcomes, WhenBothAchieved,
};

/// The results a family can be claimed for.
pub const CRIME_ASB_EDUCATION: &str = "crime_asb_education";
pub const PROGRESS_TO_WORK: &str = "progress_to_work";
pub const CONTINUOUS_EMPLOYMENT: &str = "continuous_employment";
pub const SUSTAINED_PROGRESS: &str = "sustained_progress";
pub const SUSTAINED_OUTCOMES: &str = "sustained_outcomes";
pub const RESULTS: [&str; 5] = [
    CRIME_ASB_EDUCATION,
    PROGRESS_TO_WORK,
    CONTINUOUS_EMPLOYMENT,
    SUSTAINED_PROGRESS,
    SUSTAINED_OUTCOMES,
];

/// Results sharing a slot are alternatives: a family is paid for at most one result per slot.
/// Phase 1's continuous employment "does not combine" with crime/ASB and education.
pub fn slot(result: &str) -> &'static str {
    match result {
        PROGRESS_TO_WORK => "progress_to_work",
        _ => "results",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OutcomeStatus)]
pub enum Status {
    Passed,
    Failed,
    /// Evidence still missing (a term's return, a period not yet over).
    NotYetShown,
    /// Did not apply at entry, or not in scope (a child not of school age).
    NotTested,
}

/// One school term's figures for one child.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TermFigures {
    pub evidence_id: Uuid,
    #[schema(example = 2012)]
    pub academic_year: i32,
    #[schema(example = "autumn")]
    pub term: String,
    pub possible_sessions: i64,
    /// Sessions missed under the ruleset's measure (unauthorised, or all absence).
    pub absent_sessions: i64,
    pub fixed_term_exclusions: i64,
}

/// One child's education figures over the terms tested.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ChildFigures {
    pub member_id: Uuid,
    pub status: Status,
    #[schema(example = "unauthorised absence 9.50% and 1 fixed-term exclusion over 3 terms")]
    pub detail: String,
    pub terms: Vec<TermFigures>,
    pub possible_sessions: i64,
    pub absent_sessions: i64,
    /// Absence in basis points of possible sessions, rounded down (for reading; the test compares
    /// sessions exactly).
    pub absence_basis_points: i64,
    pub fixed_term_exclusions: i64,
    /// Every record the child's verdict rests on (terms, exclusions, roll).
    pub evidence_ids: Vec<Uuid>,
}

/// Counts before attachment and in the latest period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Comparison {
    pub before_from: NaiveDate,
    pub before_to: NaiveDate,
    pub before: i64,
    pub after_from: NaiveDate,
    pub after_to: NaiveDate,
    pub after: i64,
    pub required_reduction_basis_points: i64,
    /// The fall in basis points of the count before, rounded down; null when there was none.
    pub reduction_basis_points: Option<i64>,
}

/// A spell of continuous work.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(as = EmploymentSpell)]
pub struct Spell {
    pub member_id: Uuid,
    pub started_on: NaiveDate,
    /// The day the spell has lasted the weeks required.
    pub sustained_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub weeks_required: i64,
}

/// One part of a result, with what decided it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(as = OutcomeComponent)]
pub struct Component {
    #[schema(example = "asb")]
    pub code: String,
    pub status: Status,
    /// Whether it applied to the family when attached.
    pub applied_at_entry: bool,
    #[schema(example = "ASB down from 5 to 2 (60.00%); at least 60.00% needed")]
    pub detail: String,
    pub evidence_ids: Vec<Uuid>,
    /// Education: each child's figures (absent for other components).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ChildFigures>,
    /// ASB and offending: the counts compared (absent for other components).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// Continuous employment: the spell (absent for other components).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spell: Option<Spell>,
}

/// One result of the family's ruleset.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Outcome {
    #[schema(example = "crime_asb_education")]
    pub result: String,
    pub achieved: bool,
    /// The date the evidence shows it by (for a sustained spell, the day it had lasted long
    /// enough); null when not achieved.
    pub achieved_on: Option<NaiveDate>,
    pub detail: String,
    /// Every record the result rests on.
    pub evidence_ids: Vec<Uuid>,
    pub components: Vec<Component>,
}

/// One case as Supporting Families reads it: a whole-family assessment (FCAF) agreed with a lead
/// practitioner (the table requires one), its single plan, and when it closed.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub agreed_on: NaiveDate,
    /// Actions of the single plan.
    pub plan_actions: i64,
    pub closed_on: Option<NaiveDate>,
}

/// What Supporting Families reads of the family's casework: every agreed assessment, in any
/// order.
#[derive(Debug, Clone, Default)]
pub struct CaseFacts {
    pub cases: Vec<Case>,
}

fn months_before(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(m))
        .unwrap_or(NaiveDate::MIN)
}

fn months_after(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m))
        .unwrap_or(NaiveDate::MAX)
}

fn day_before(d: NaiveDate) -> NaiveDate {
    d.pred_opt().unwrap_or(d)
}

/// The last day of the first `months` months counted from `from` (its first day): 1 October
/// 2012 and 6 months give 31 March 2013.
pub fn period_end(from: NaiveDate, months: u32) -> NaiveDate {
    day_before(months_after(from, months))
}

/// The latest `months` months up to `as_of`, never starting before `from`.
fn latest_period(from: NaiveDate, as_of: NaiveDate, months: u32) -> NaiveDate {
    months_before(as_of, months)
        .succ_opt()
        .unwrap_or(as_of)
        .max(from)
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids.dedup();
    ids
}

fn pct(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

fn component(code: &str, status: Status, applied: bool, detail: String) -> Component {
    Component {
        code: code.into(),
        status,
        applied_at_entry: applied,
        detail,
        evidence_ids: Vec::new(),
        children: Vec::new(),
        comparison: None,
        spell: None,
    }
}

/// Combines components that must all hold: failed beats not yet shown beats passed; components
/// not tested are left out, and when none was tested the whole is not tested either. Nothing
/// shown is nothing paid: "0 children tested, all pass" is not a pass (issue 15; the autumn 2014
/// report: a school leaver can count only "in conjunction with a sustained reduction in
/// involvement in crime or anti-social behaviour").
fn all_of(components: &[Component]) -> Status {
    let mut out = Status::NotTested;
    for c in components {
        match c.status {
            Status::Failed => return Status::Failed,
            Status::NotYetShown => out = Status::NotYetShown,
            Status::Passed if out == Status::NotTested => out = Status::Passed,
            _ => {}
        }
    }
    out
}

/// A result none of whose parts was tested has shown nothing: not yet shown, never achieved.
fn nothing_tested_is_not_shown(status: Status) -> Status {
    match status {
        Status::NotTested => Status::NotYetShown,
        s => s,
    }
}

/// The counts compared for ASB or offending: records in the months before attachment (from
/// `attached_on - months` up to the day before) against the months up to the date judged. The
/// latest period must lie wholly after attachment, or the fall is not yet shown. A fall of at
/// least the required share passes (`after × 10000 ≤ before × (10000 − required)`); where there
/// was nothing before, only nothing after passes.
pub fn compare(
    code: &str,
    counted: &[&Fact],
    applied: bool,
    test_anyway: bool,
    (attached_on, as_of, months): (NaiveDate, NaiveDate, u32),
    required_bp: u32,
) -> Component {
    let before_from = months_before(attached_on, months);
    let after_from = latest_period(attached_on, as_of, months);
    let before: Vec<&&Fact> = counted
        .iter()
        .filter(|f| f.occurred_on >= before_from && f.occurred_on < attached_on)
        .collect();
    let after: Vec<&&Fact> = counted
        .iter()
        .filter(|f| f.occurred_on >= after_from && f.occurred_on <= as_of)
        .collect();
    let (b, a) = (before.len() as i64, after.len() as i64);
    let required = required_bp as i64;
    let comparison = Comparison {
        before_from,
        before_to: day_before(attached_on),
        before: b,
        after_from,
        after_to: as_of,
        after: a,
        required_reduction_basis_points: required,
        reduction_basis_points: (b > 0).then(|| (b - a) * 10_000 / b),
    };
    let name = if code == "asb" {
        "ASB across the family"
    } else {
        "offending by under-18s"
    };
    let (status, detail) = if !applied && !test_anyway {
        (
            Status::NotTested,
            format!("no {name} in the {months} months before attachment: not tested"),
        )
    } else if as_of < period_end(attached_on, months) {
        (
            Status::NotYetShown,
            format!(
                "the first {months} months after attachment end on {}",
                period_end(attached_on, months)
            ),
        )
    } else {
        let passed = if b == 0 {
            a == 0
        } else {
            a * 10_000 <= b * (10_000 - required)
        };
        let fall = comparison
            .reduction_basis_points
            .map_or("no fall to measure".to_string(), pct);
        (
            if passed {
                Status::Passed
            } else {
                Status::Failed
            },
            format!(
                "{name}: {b} in the {months} months before attachment, {a} in the last {months} months ({fall}); a fall of at least {} needed",
                pct(required)
            ),
        )
    };
    let mut c = component(code, status, applied, detail);
    c.evidence_ids = sorted(before.iter().chain(after.iter()).map(|f| f.id).collect());
    c.comparison = Some(comparison);
    c
}

/// The first and last school terms of compulsory school age for a child: from the academic
/// year they are 5 on 31 August before it (Year 1) to the year they are 15 (Year 11), whose
/// summer term ends their schooling.
pub fn school_terms(dob: NaiveDate) -> (i64, i64) {
    let year_aged = |age: i32| {
        // The academic year starting in September of `y` when age_on(dob, y-08-31) == age.
        let mut y = dob.year() + age;
        while age_on(dob, NaiveDate::from_ymd_opt(y, 8, 31).expect("date")) > age {
            y -= 1;
        }
        while age_on(dob, NaiveDate::from_ymd_opt(y, 8, 31).expect("date")) < age {
            y += 1;
        }
        y
    };
    (
        term_index(year_aged(5), Term::Autumn),
        term_index(year_aged(15), Term::Summer),
    )
}

fn term_name(i: i64) -> &'static str {
    match i.rem_euclid(3) {
        0 => "autumn",
        1 => "spring",
        _ => "summer",
    }
}

fn term_label(i: i64) -> String {
    let y = i.div_euclid(3);
    format!("{} {}/{:02}", term_name(i), y, (y + 1) % 100)
}

/// One child's education test: every term of the window recorded; fewer fixed-term exclusions
/// than the threshold and absence under the threshold (`absent × 10000 < threshold × possible`,
/// so exactly 15% fails); no permanent exclusion in the window, and on a school roll (not in
/// alternative provision) on the date judged.
fn child_education(
    p: &Phase1Params,
    fam: &FamilyFacts,
    child: &elig::Person,
    as_of: NaiveDate,
) -> ChildFigures {
    let n = p.consecutive_terms as i64;
    let last = last_completed_term(as_of);
    let (school_first, school_last) = school_terms(child.date_of_birth);
    let mut figures = ChildFigures {
        member_id: child.id,
        status: Status::NotTested,
        detail: String::new(),
        terms: Vec::new(),
        possible_sessions: 0,
        absent_sessions: 0,
        absence_basis_points: 0,
        fixed_term_exclusions: 0,
        evidence_ids: Vec::new(),
    };
    let window = if school_first > last {
        figures.detail = "not yet of school age in the terms looked at".into();
        return figures;
    } else if school_last < last - n + 1 {
        match p.outcomes.earlier_school_leavers {
            EarlierLeavers::NotTested => {
                figures.detail = format!(
                    "left school after {}, before the last {n} terms: not tested",
                    term_label(school_last)
                );
                return figures;
            }
            EarlierLeavers::LastTermsBeforeLeaving => {
                ((school_last - n + 1).max(school_first), school_last)
            }
        }
    } else {
        // A child who left (or started school) during the terms is judged on the terms at school.
        ((last - n + 1).max(school_first), last.min(school_last))
    };
    let facts: Vec<&Fact> = fam
        .facts
        .iter()
        .filter(|f| f.member_id == Some(child.id))
        .collect();
    // One record per term: the one recorded last wins (facts come in recording order).
    let mut by_term: BTreeMap<i64, &Fact> = BTreeMap::new();
    for f in facts.iter().filter(|f| f.kind == Kind::SchoolTerm) {
        if let Some((y, t)) = f.term {
            let i = term_index(y, t);
            if i >= window.0 && i <= window.1 {
                by_term.insert(i, f);
            }
        }
    }
    let absent = |f: &Fact| match p.absence_measure {
        AbsenceMeasure::Unauthorised => f.unauthorised_absences,
        AbsenceMeasure::Overall => f.possible_sessions - f.sessions_attended,
    };
    for (i, f) in &by_term {
        figures.terms.push(TermFigures {
            evidence_id: f.id,
            academic_year: i.div_euclid(3) as i32,
            term: term_name(*i).into(),
            possible_sessions: f.possible_sessions,
            absent_sessions: absent(f),
            fixed_term_exclusions: f.fixed_term_exclusions,
        });
        figures.possible_sessions += f.possible_sessions;
        figures.absent_sessions += absent(f);
        figures.fixed_term_exclusions += f.fixed_term_exclusions;
    }
    if figures.possible_sessions > 0 {
        figures.absence_basis_points = figures.absent_sessions * 10_000 / figures.possible_sessions;
    }
    let window_start = term_dates(window.0).0;
    let window_end = term_dates(window.1).1;
    let blocking: Vec<&&Fact> = facts
        .iter()
        .filter(|f| match f.kind {
            Kind::PermanentExclusion => {
                f.occurred_on >= window_start && f.occurred_on <= window_end
            }
            Kind::AlternativeProvision | Kind::NotOnRoll => {
                school_last >= last
                    && f.occurred_on <= as_of
                    && f.ends_on.is_none_or(|e| e >= as_of)
            }
            _ => false,
        })
        .collect();
    figures.evidence_ids = sorted(
        by_term
            .values()
            .map(|f| f.id)
            .chain(blocking.iter().map(|f| f.id))
            .collect(),
    );
    let missing: Vec<String> = (window.0..=window.1)
        .filter(|i| !by_term.contains_key(i))
        .map(term_label)
        .collect();
    let threshold = p.absence_threshold_basis_points as i64;
    let exclusions_ok = figures.fixed_term_exclusions < p.fixed_term_exclusions_threshold as i64;
    let absence_ok = figures.absent_sessions * 10_000 < threshold * figures.possible_sessions
        || figures.possible_sessions == 0;
    let terms = window.1 - window.0 + 1;
    let measure = match p.absence_measure {
        AbsenceMeasure::Unauthorised => "unauthorised absence",
        AbsenceMeasure::Overall => "absence",
    };
    let summary = format!(
        "{measure} {} and {} fixed-term exclusion(s) over {terms} term(s) ({} to {})",
        pct(figures.absence_basis_points),
        figures.fixed_term_exclusions,
        term_label(window.0),
        term_label(window.1)
    );
    (figures.status, figures.detail) = if !blocking.is_empty() {
        (
            Status::Failed,
            "permanently excluded in the terms, or not on a school roll".into(),
        )
    } else if !exclusions_ok {
        (
            Status::Failed,
            format!(
                "{summary}; fewer than {} exclusions needed",
                p.fixed_term_exclusions_threshold
            ),
        )
    } else if !missing.is_empty() {
        (
            Status::NotYetShown,
            format!("no school return yet for {}", missing.join(", ")),
        )
    } else if !absence_ok {
        (
            Status::Failed,
            format!("{summary}; under {} needed", pct(threshold)),
        )
    } else {
        (Status::Passed, summary)
    };
    figures
}

/// Education for the whole family: every child of school age passes.
fn education_outcome(
    p: &Phase1Params,
    fam: &FamilyFacts,
    attached_on: NaiveDate,
    as_of: NaiveDate,
) -> Component {
    let at_entry = elig::education(p, fam, attached_on);
    let children: Vec<ChildFigures> = fam
        .members
        .iter()
        .filter(|m| m.is_child)
        .map(|c| child_education(p, fam, c, as_of))
        .collect();
    let mut ids: Vec<Uuid> = children
        .iter()
        .flat_map(|c| c.evidence_ids.iter().copied())
        .collect();
    ids.extend(at_entry.evidence_ids.iter().copied());
    let statuses: Vec<Component> = children
        .iter()
        .map(|c| component("", c.status, true, String::new()))
        .collect();
    let applied = at_entry.met;
    let status = if !applied && !p.outcomes.test_components_absent_at_entry {
        Status::NotTested
    } else {
        all_of(&statuses)
    };
    let tested = children
        .iter()
        .filter(|c| c.status != Status::NotTested)
        .count();
    let detail = match status {
        Status::NotTested if !applied => {
            "no education problem when attached: not tested".to_string()
        }
        Status::NotTested => format!(
            "no child was tested over the last {} completed terms (none of school age at school in them): nothing shown",
            p.consecutive_terms
        ),
        _ => format!(
            "{tested} child(ren) tested over the last {} completed terms: {}",
            p.consecutive_terms,
            match status {
                Status::Passed => "all pass",
                Status::Failed => "at least one does not pass",
                _ => "not yet shown",
            }
        ),
    };
    let mut c = component("education", status, applied, detail);
    c.evidence_ids = sorted(ids);
    c.children = children;
    c
}

fn adult(fam: &FamilyFacts, member: Option<Uuid>, on: NaiveDate, adult_age: u32) -> bool {
    member
        .and_then(|id| fam.members.iter().find(|m| m.id == id))
        .is_some_and(|m| age_on(m.date_of_birth, on) >= adult_age as i32)
}

/// Continuous employment: an adult on out-of-work benefits when the family was attached who
/// then worked continuously (spells that follow each other without a gap count as one) for the
/// weeks required, with no out-of-work benefit in that time. The earliest such spell decides.
pub fn continuous_employment(
    fam: &FamilyFacts,
    attached_on: NaiveDate,
    as_of: NaiveDate,
    weeks: u32,
    adult_age: u32,
) -> Component {
    let benefit = |f: &&Fact| f.kind == Kind::OutOfWorkBenefit;
    let on_benefit_at_entry: Vec<Uuid> = fam
        .members
        .iter()
        .filter(|m| age_on(m.date_of_birth, attached_on) >= adult_age as i32)
        .filter(|m| {
            fam.facts.iter().filter(benefit).any(|f| {
                f.member_id == Some(m.id)
                    && f.occurred_on <= attached_on
                    && f.ends_on.is_none_or(|e| e >= attached_on)
            })
        })
        .map(|m| m.id)
        .collect();
    let days = weeks as u64 * 7;
    let mut best: Option<(Spell, Vec<Uuid>)> = None;
    for member in &on_benefit_at_entry {
        let mut jobs: Vec<&Fact> = fam
            .facts
            .iter()
            .filter(|f| f.kind == Kind::Employment && f.member_id == Some(*member))
            .filter(|f| f.occurred_on >= attached_on && f.occurred_on <= as_of)
            .collect();
        jobs.sort_by_key(|f| f.occurred_on);
        // Merge spells that touch or overlap into continuous runs.
        let mut runs: Vec<(NaiveDate, Option<NaiveDate>, Vec<Uuid>)> = Vec::new();
        for j in jobs {
            match runs.last_mut() {
                Some((_, end, ids))
                    if end.is_none_or(|e| e.succ_opt().is_some_and(|n| j.occurred_on <= n)) =>
                {
                    *end = match (*end, j.ends_on) {
                        (None, _) | (_, None) => None,
                        (Some(a), Some(b)) => Some(a.max(b)),
                    };
                    ids.push(j.id);
                }
                _ => runs.push((j.occurred_on, j.ends_on, vec![j.id])),
            }
        }
        for (start, end, ids) in runs {
            let Some(sustained_on) = start.checked_add_days(Days::new(days)) else {
                continue;
            };
            let lasted = end.is_none_or(|e| e >= day_before(sustained_on));
            // Any out-of-work benefit running on a day of the spell after its first (a claim
            // left open since entry included) breaks it: "moved off" benefits.
            let claimed_benefit = fam.facts.iter().filter(benefit).any(|f| {
                f.member_id == Some(*member)
                    && f.occurred_on < sustained_on
                    && f.ends_on.is_none_or(|e| e > start)
            });
            if lasted && sustained_on <= as_of && !claimed_benefit {
                let better = best
                    .as_ref()
                    .is_none_or(|(s, _)| sustained_on < s.sustained_on);
                if better {
                    best = Some((
                        Spell {
                            member_id: *member,
                            started_on: start,
                            sustained_on,
                            ended_on: end,
                            weeks_required: weeks as i64,
                        },
                        ids,
                    ));
                }
            }
        }
    }
    let applied = !on_benefit_at_entry.is_empty();
    match best {
        Some((spell, ids)) => {
            let mut c = component(
                "continuous_employment",
                Status::Passed,
                true,
                format!(
                    "in work from {} for {weeks} weeks without out-of-work benefits (by {})",
                    spell.started_on, spell.sustained_on
                ),
            );
            c.evidence_ids = sorted(ids);
            c.spell = Some(spell);
            c
        }
        None if !applied => component(
            "continuous_employment",
            Status::NotTested,
            false,
            "no adult on out-of-work benefits when attached".into(),
        ),
        None => component(
            "continuous_employment",
            Status::NotYetShown,
            true,
            format!("no spell of {weeks} weeks' continuous work since attachment yet"),
        ),
    }
}

fn outcome(
    result: &str,
    status: Status,
    achieved_on: Option<NaiveDate>,
    detail: String,
    components: Vec<Component>,
) -> Outcome {
    let achieved = status == Status::Passed;
    Outcome {
        result: result.into(),
        achieved,
        achieved_on: if achieved { achieved_on } else { None },
        detail,
        evidence_ids: sorted(
            components
                .iter()
                .flat_map(|c| c.evidence_ids.iter().copied())
                .collect(),
        ),
        components,
    }
}

/// Phase 1: crime/ASB and education, progress to work, continuous employment.
pub fn phase1(
    p: &Phase1Params,
    fam: &FamilyFacts,
    attached_on: NaiveDate,
    as_of: NaiveDate,
) -> Vec<Outcome> {
    let o = &p.outcomes;
    let months = o.comparison_months;
    let asb: Vec<&Fact> = fam
        .facts
        .iter()
        .filter(|f| matches!(f.kind, Kind::AsbIncident | Kind::AsbIntervention))
        .collect();
    let offences: Vec<&Fact> = fam
        .facts
        .iter()
        .filter(|f| f.kind == Kind::ProvenOffence)
        .filter(|f| {
            f.member_id
                .and_then(|id| fam.members.iter().find(|m| m.id == id))
                .is_some_and(|m| age_on(m.date_of_birth, f.occurred_on) < p.adult_age as i32)
        })
        .collect();
    // A component applied at entry when the family's entry criterion saw it (offences and ASB
    // interventions within the eligibility windows) or it was recorded in the comparison period.
    let had = |v: &[&Fact], window: u32| {
        let from = months_before(attached_on, window.max(months));
        v.iter()
            .any(|f| f.occurred_on >= from && f.occurred_on < attached_on)
    };
    let test_all = o.test_components_absent_at_entry;
    let components = vec![
        education_outcome(p, fam, attached_on, as_of),
        compare(
            "asb",
            &asb,
            had(&asb, p.asb_window_months),
            test_all,
            (attached_on, as_of, months),
            o.asb_reduction_basis_points,
        ),
        compare(
            "offending",
            &offences,
            had(&offences, p.offence_window_months),
            test_all,
            (attached_on, as_of, months),
            o.offending_reduction_basis_points,
        ),
    ];
    let mut status = all_of(&components);
    if status == Status::NotTested
        || (status == Status::Passed && as_of < period_end(attached_on, months))
    {
        // Nothing to show progress on is not a result; nor is anything before the first
        // comparison period after attachment has passed (terms before it show the past).
        status = Status::NotYetShown;
    }
    // The evidence shows it by the end of the last term tested, or the end of the first
    // comparison period after attachment, whichever is later.
    let mut shown_by = period_end(attached_on, months);
    for c in &components[0].children {
        if components[0].status == Status::Passed && c.status == Status::Passed {
            if let Some(t) = c.terms.last() {
                let term = match t.term.as_str() {
                    "autumn" => Term::Autumn,
                    "spring" => Term::Spring,
                    _ => Term::Summer,
                };
                shown_by = shown_by.max(term_dates(term_index(t.academic_year, term)).1);
            }
        }
    }
    let cae_detail = match status {
        Status::Passed => "every component that applied at entry is met".to_string(),
        Status::Failed => "a component is not met".to_string(),
        _ if components.iter().all(|c| c.status == Status::NotTested) => {
            "no component was tested (no crime, ASB or education problem at entry, or no child tested over the terms): nothing shown, nothing paid".to_string()
        }
        _ => "not yet shown".to_string(),
    };
    let cae = outcome(
        CRIME_ASB_EDUCATION,
        status,
        Some(shown_by.min(as_of)),
        cae_detail,
        components,
    );

    let programmes: Vec<&Fact> = fam
        .facts
        .iter()
        .filter(|f| f.kind == Kind::WorkProgramme)
        .filter(|f| f.occurred_on >= attached_on && f.occurred_on <= as_of)
        .filter(|f| adult(fam, f.member_id, f.occurred_on, p.adult_age))
        .collect();
    let first = programmes.iter().map(|f| f.occurred_on).min();
    let mut ptw_c = component(
        "work_programme",
        if first.is_some() {
            Status::Passed
        } else {
            Status::NotYetShown
        },
        true,
        match first {
            Some(d) => format!("an adult joined the Work Programme or ESF provision on {d}"),
            None => {
                "no adult has joined the Work Programme or ESF provision since attachment".into()
            }
        },
    );
    ptw_c.evidence_ids = sorted(programmes.iter().map(|f| f.id).collect());
    let ptw = outcome(
        PROGRESS_TO_WORK,
        ptw_c.status,
        first,
        ptw_c.detail.clone(),
        vec![ptw_c],
    );

    let ce_c = continuous_employment(
        fam,
        attached_on,
        as_of,
        o.continuous_employment_weeks,
        p.adult_age,
    );
    let ce_status = match ce_c.status {
        Status::NotTested => Status::NotYetShown,
        s => s,
    };
    let ce = outcome(
        CONTINUOUS_EMPLOYMENT,
        ce_status,
        ce_c.spell.as_ref().map(|s| s.sustained_on),
        format!(
            "{}; it does not combine with crime/ASB and education",
            ce_c.detail
        ),
        vec![ce_c],
    );
    vec![cae, ptw, ce]
}

/// No indicator of a problem (or need) in the `months` up to `as_of`, which must start no
/// earlier than `from` (attachment, or case closure): no record dated in the period and no
/// spell running into it.
fn absent_for(
    fam: &FamilyFacts,
    kind: Kind,
    label: &str,
    from: NaiveDate,
    as_of: NaiveDate,
    months: u32,
) -> (Status, String, Vec<Uuid>) {
    let period_from = latest_period(from, as_of, months);
    let seen: Vec<Uuid> = fam
        .facts
        .iter()
        .filter(|f| f.kind == kind && f.label.as_deref() == Some(label))
        .filter(|f| elig::present_during(f, period_from, as_of))
        .map(|f| f.id)
        .collect();
    if !seen.is_empty() {
        (
            Status::Failed,
            format!("{} record(s) of it in the last {months} months", seen.len()),
            sorted(seen),
        )
    } else if as_of < period_end(from, months) {
        (
            Status::NotYetShown,
            format!(
                "{months} months from {from} end on {}",
                period_end(from, months)
            ),
            Vec::new(),
        )
    } else {
        (
            Status::Passed,
            format!("none recorded from {period_from} to {as_of}"),
            Vec::new(),
        )
    }
}

/// Phase 2: significant and sustained progress on every headline problem present at entry (as
/// the Outcomes Plan configures), or continuous employment.
pub fn phase2(
    p: &Phase2Params,
    fam: &FamilyFacts,
    attached_on: NaiveDate,
    as_of: NaiveDate,
) -> Vec<Outcome> {
    let o = &p.outcomes;
    let at_entry = elig::phase2(p, fam, attached_on);
    let mut components = Vec::new();
    let mut shown_by = attached_on;
    for problem in PHASE2_PROBLEMS {
        let applied = at_entry.criteria.iter().any(|c| c.code == problem && c.met);
        let months = o
            .sustained_months_by_problem
            .get(problem)
            .copied()
            .unwrap_or(o.default_sustained_months);
        if !applied {
            components.push(component(
                problem,
                Status::NotTested,
                false,
                "not present at entry".into(),
            ));
            continue;
        }
        let (status, detail, ids) = absent_for(
            fam,
            Kind::Phase2Problem,
            problem,
            attached_on,
            as_of,
            months,
        );
        shown_by = shown_by.max(period_end(attached_on, months));
        let mut c = component(problem, status, true, detail);
        c.evidence_ids = ids;
        components.push(c);
    }
    let progress = nothing_tested_is_not_shown(all_of(&components));
    let ce = continuous_employment(
        fam,
        attached_on,
        as_of,
        o.continuous_employment_weeks,
        o.adult_age,
    );
    let (status, achieved_on, detail) = if progress == Status::Passed {
        (
            Status::Passed,
            Some(shown_by.min(as_of)),
            "sustained progress on every problem present at entry".to_string(),
        )
    } else if ce.status == Status::Passed {
        (
            Status::Passed,
            ce.spell.as_ref().map(|s| s.sustained_on),
            "continuous employment".to_string(),
        )
    } else if progress == Status::Failed && ce.status != Status::NotYetShown {
        (
            Status::Failed,
            None,
            "a problem present at entry has recurred".to_string(),
        )
    } else {
        (Status::NotYetShown, None, "not yet shown".to_string())
    };
    components.push(ce);
    vec![outcome(
        SUSTAINED_PROGRESS,
        status,
        achieved_on,
        detail,
        components,
    )]
}

/// One case judged: the casework component, one component per need, and the verdict.
struct CaseVerdict {
    components: Vec<Component>,
    status: Status,
    achieved_on: Option<NaiveDate>,
    detail: String,
}

/// Judges the needs present at entry over the months after one case closed. "Sustained" means
/// unbroken from closure: a need seen on any day of the first `months` months after the case
/// closed breaks it, whatever follows; a record with no end continues.
fn sf_case(
    fam: &FamilyFacts,
    needs: &[&str],
    case: Option<&Case>,
    (attached_on, as_of, months): (NaiveDate, NaiveDate, u32),
) -> CaseVerdict {
    let casework = match case {
        None => (
            Status::NotYetShown,
            format!("no whole-family assessment agreed with a lead practitioner open at or after attachment on {attached_on}"),
        ),
        Some(c) if c.plan_actions == 0 => (
            Status::NotYetShown,
            format!("the plan of the assessment agreed {} has no actions", c.agreed_on),
        ),
        Some(Case { agreed_on, closed_on: None, .. }) => (
            Status::NotYetShown,
            format!("the case (assessment agreed {agreed_on}) has not closed"),
        ),
        Some(Case { agreed_on, plan_actions, closed_on: Some(closed) }) => (
            Status::Passed,
            format!("assessment agreed {agreed_on}, a plan of {plan_actions} action(s), closed {closed}"),
        ),
    };
    let mut components = vec![component(
        "lead_practitioner_assessment_plan",
        casework.0,
        true,
        casework.1,
    )];
    let closed = case.and_then(|c| c.closed_on);
    // The sustained period: the `months` months from the day after the case closed.
    let period = closed.map(|c| {
        let from = c.succ_opt().unwrap_or(c);
        (from, period_end(from, months))
    });
    let mut broke: Option<(NaiveDate, &str)> = None;
    for need in elig::SF_NEEDS {
        if !needs.contains(&need) {
            components.push(component(
                need,
                Status::NotTested,
                false,
                "not a need at entry".into(),
            ));
            continue;
        }
        let Some((from, to)) = period else {
            components.push(component(
                need,
                Status::NotYetShown,
                true,
                "the case has not closed".into(),
            ));
            continue;
        };
        let upto = to.min(as_of);
        let seen: Vec<&Fact> = fam
            .facts
            .iter()
            .filter(|f| f.kind == Kind::SfNeed && f.label.as_deref() == Some(need))
            .filter(|f| elig::present_during(f, from, upto))
            .collect();
        let mut c = if let Some(first) = seen.iter().map(|f| f.occurred_on.max(from)).min() {
            if broke.is_none_or(|(d, _)| first < d) {
                broke = Some((first, need));
            }
            component(
                need,
                Status::Failed,
                true,
                format!(
                    "seen again on {first} ({} record(s)), within {months} months of the case closing: not sustained",
                    seen.len()
                ),
            )
        } else if as_of < to {
            component(
                need,
                Status::NotYetShown,
                true,
                format!("none recorded from {from} to {as_of}; the {months} months end on {to}"),
            )
        } else {
            component(
                need,
                Status::Passed,
                true,
                format!("none recorded from {from} to {to}"),
            )
        };
        c.evidence_ids = sorted(seen.iter().map(|f| f.id).collect());
        components.push(c);
    }
    let needs_status = nothing_tested_is_not_shown(all_of(&components[1..]));
    let status = match (components[0].status, needs_status) {
        (Status::Passed, s) => s,
        (_, Status::Failed) => Status::Failed,
        (s, _) => s,
    };
    let detail = match (status, broke, closed) {
        (Status::Passed, _, Some(c)) => {
            format!("every need at entry met and sustained for {months} months after the case closed on {c}")
        }
        (Status::Failed, Some((on, need)), Some(c)) => format!(
            "{need} was seen again on {on}, within {months} months of the case closing on {c}: not sustained until a new case closes and {months} months pass"
        ),
        _ if needs.is_empty() => "no need at entry to show an outcome on: nothing shown".into(),
        _ => format!("not yet shown: {}", components[0].detail),
    };
    CaseVerdict {
        components,
        status,
        achieved_on: period.map(|p| p.1),
        detail,
    }
}

/// Supporting Families: a positive outcome on every need the family had at entry, sustained for
/// the months required (6) unbroken from the day the case closed, with a lead practitioner, an
/// agreed whole-family assessment and a single plan (docs/rules.md, Supporting Families).
/// The case is one worked after attachment: agreed by the date judged and not closed before the
/// family was attached. The first such case whose needs held decides; failing that, the latest
/// case explains what is missing.
pub fn supporting_families(
    p: &SfParams,
    fam: &FamilyFacts,
    case: &CaseFacts,
    attached_on: NaiveDate,
    as_of: NaiveDate,
) -> Vec<Outcome> {
    let months = p.outcomes.sustained_months_after_closure;
    let at_entry = elig::supporting_families(p, fam, attached_on);
    let needs: Vec<&str> = elig::SF_NEEDS
        .into_iter()
        .filter(|n| at_entry.criteria.iter().any(|c| c.code == *n && c.met))
        .collect();
    let mut cases: Vec<Case> = case
        .cases
        .iter()
        .filter(|c| c.agreed_on <= as_of)
        .map(|c| Case {
            // A closure after the date judged had not happened yet.
            closed_on: c.closed_on.filter(|d| *d <= as_of),
            ..c.clone()
        })
        .filter(|c| c.closed_on.is_none_or(|d| d >= attached_on))
        .collect();
    cases.sort_by_key(|c| (c.agreed_on, c.closed_on));
    let judged: Vec<CaseVerdict> = if cases.is_empty() {
        vec![sf_case(fam, &needs, None, (attached_on, as_of, months))]
    } else {
        cases
            .iter()
            .map(|c| sf_case(fam, &needs, Some(c), (attached_on, as_of, months)))
            .collect()
    };
    let v = match judged.iter().position(|v| v.status == Status::Passed) {
        Some(i) => judged.into_iter().nth(i),
        None => judged.into_iter().last(),
    }
    .expect("at least one verdict");
    vec![outcome(
        SUSTAINED_OUTCOMES,
        v.status,
        v.achieved_on,
        v.detail,
        v.components,
    )]
}

#[cfg(test)]
#[path = "outcomes_tests.rs"]
mod tests;
