//! Who is eligible: docs/rules.md, "Who is eligible". One pure function per criterion; the
//! single-family endpoint and the identification job both call these, so each rule has exactly
//! one implementation. Thresholds come from the ruleset revision's parameters, never from here.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::people::age_on;

/// The kinds of evidence the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ProvenOffence,
    AsbIntervention,
    AsbIncident,
    SchoolTerm,
    PermanentExclusion,
    AlternativeProvision,
    NotOnRoll,
    OutOfWorkBenefit,
    Employment,
    WorkProgramme,
    LocalFilter,
    Phase2Problem,
    SfNeed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Term {
    Autumn,
    Spring,
    Summer,
}

/// One current (not superseded, not retracted) evidence record, as the rules see it.
#[derive(Debug, Clone)]
pub struct Fact {
    pub id: Uuid,
    pub member_id: Option<Uuid>,
    pub kind: Kind,
    pub occurred_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// School terms: the year the academic year starts (2012 for 2012/13) and the term.
    pub term: Option<(i32, Term)>,
    pub possible_sessions: i64,
    pub sessions_attended: i64,
    pub unauthorised_absences: i64,
    pub fixed_term_exclusions: i64,
    /// Local filter name, phase 2 problem or Supporting Families need.
    pub label: Option<String>,
}

/// A household member, as the rules see them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: Uuid,
    pub date_of_birth: NaiveDate,
    pub is_child: bool,
}

/// What the rules know about one family.
#[derive(Debug, Clone)]
pub struct FamilyFacts {
    pub postcode: String,
    /// Lower-layer super output area, where recorded.
    pub lsoa: Option<String>,
    pub members: Vec<Person>,
    pub facts: Vec<Fact>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceMeasure {
    /// Unauthorised absence as a share of possible sessions (the national measure).
    Unauthorised,
    /// All absence, authorised or not (Rotherham's "attendance below 85%").
    Overall,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeprivedAreas {
    /// Postcode districts (outward codes) counted as deprived areas, e.g. `S60`.
    pub postcode_districts: Vec<String>,
    /// Lower-layer super output areas counted as deprived (for councils that list areas that way).
    pub lsoas: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Phase1Payments {
    pub max_per_family_pence: i64,
    /// Share of the maximum paid up front, by the financial year (its first calendar year) of
    /// attachment, in basis points.
    pub attachment_fee_basis_points_by_year: std::collections::BTreeMap<String, i64>,
    pub crime_asb_education_pence_by_year: std::collections::BTreeMap<String, i64>,
    pub progress_to_work_pence: i64,
    pub continuous_employment_pence_by_year: std::collections::BTreeMap<String, i64>,
    pub deadweight_numerator: i64,
    pub deadweight_denominator: i64,
}

/// Parameters of a phase 1 ruleset revision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Phase1Params {
    /// Offences by under-18s count within this many months before the date judged.
    pub offence_window_months: u32,
    /// ASB interventions count within this many months.
    pub asb_window_months: u32,
    /// Age from which a member is an adult (offences are counted for members under it).
    pub adult_age: u32,
    /// How many consecutive completed school terms the education tests look back over.
    pub consecutive_terms: u32,
    pub absence_measure: AbsenceMeasure,
    /// Absence at or above this share of possible sessions meets the education criterion.
    pub absence_threshold_basis_points: u32,
    /// This many fixed-term exclusions over the terms meets the education criterion.
    pub fixed_term_exclusions_threshold: u32,
    /// Local filters that make a family meeting two of the three criteria eligible.
    pub local_filters: Vec<String>,
    pub deprived_areas: DeprivedAreas,
    pub payments: Phase1Payments,
    /// How results are judged (the national rules when left out).
    #[serde(default)]
    pub outcomes: super::settings::Phase1Outcomes,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Phase2Payments {
    pub attachment_fee_pence: i64,
    pub result_pence: i64,
}

/// Parameters of a phase 2 ruleset revision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Phase2Params {
    /// A headline problem recorded within this many months (or ongoing) counts.
    pub problem_window_months: u32,
    pub minimum_problems: u32,
    pub payments: Phase2Payments,
    /// The Outcomes Plan (defaults when left out).
    #[serde(default)]
    pub outcomes: super::settings::Phase2Outcomes,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SfPayments {
    pub result_pence: i64,
}

/// Parameters of a Supporting Families ruleset revision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SfParams {
    pub need_window_months: u32,
    pub minimum_needs: u32,
    pub adult_age: u32,
    pub payments: SfPayments,
    #[serde(default)]
    pub outcomes: super::settings::SfOutcomes,
}

/// The six headline problems of the expanded programme.
pub const PHASE2_PROBLEMS: [&str; 6] = [
    "crime_asb",
    "school_attendance",
    "children_need_help",
    "worklessness_financial_exclusion",
    "domestic_abuse",
    "health",
];

/// Supporting Families' ten headline outcomes (needs), plus the expectant-parent fact.
pub const SF_NEEDS: [&str; 10] = [
    "education",
    "early_years",
    "health",
    "substance_use",
    "family_relationships",
    "child_safety",
    "crime",
    "domestic_abuse",
    "housing",
    "financial_stability",
];
pub const SF_EXPECTANT_PARENT: &str = "expectant_parent";

/// Local filters a ruleset may name: `deprived_area` (from the postcode) or a recorded fact.
pub const LOCAL_FILTERS: [&str; 9] = [
    "deprived_area",
    "benefit_cap",
    "adult_mental_health",
    "domestic_abuse",
    "substance_misuse",
    "child_protection_plan",
    "child_in_need_plan",
    "rent_arrears",
    "member_in_custody",
];

/// One criterion's verdict.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Criterion {
    #[schema(example = "education")]
    pub code: String,
    pub met: bool,
    /// The evidence records that meet it.
    pub evidence_ids: Vec<Uuid>,
    /// What was found, in words.
    #[schema(example = "unauthorised absence 21.4% over the last 3 terms")]
    pub detail: String,
}

/// The verdict for a family under one ruleset on one date.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Verdict {
    pub eligible: bool,
    pub criteria: Vec<Criterion>,
    /// Local filters that apply (phase 1).
    pub local_filters: Vec<Criterion>,
    /// One line a person can read.
    pub reason: String,
}

fn months_before(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// Within the `months` before `as_of`: after the date that many months earlier, up to `as_of`.
fn within(f: &Fact, as_of: NaiveDate, months: u32) -> bool {
    f.occurred_on > months_before(as_of, months) && f.occurred_on <= as_of
}

/// Whether a condition (a need, a headline problem, a local-filter fact, a benefit or job spell)
/// lasted into the days from `from` to `to`: it runs from its date to its `ends_on`, and one
/// without `ends_on` continues (the evidence contract: "absent while it continues"). This is the
/// one reading of a condition's dates that eligibility and the results engine share.
pub fn present_during(f: &Fact, from: NaiveDate, to: NaiveDate) -> bool {
    f.occurred_on <= to && f.ends_on.is_none_or(|e| e >= from)
}

/// A spell (or a fact with no end) that is current on `as_of`.
fn current(f: &Fact, as_of: NaiveDate) -> bool {
    present_during(f, as_of, as_of)
}

/// Recorded within the window, or a spell still running on `as_of`. For a need or problem at
/// entry a record without an end is an observation on its date, which counts for the window's
/// months (a pregnancy, an incident); the results engine reads the same record as not yet
/// resolved (`present_during`), since a positive outcome has to be shown, not assumed.
fn recent_or_current(f: &Fact, as_of: NaiveDate, months: u32) -> bool {
    within(f, as_of, months) || (f.ends_on.is_some() && current(f, as_of))
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids.dedup();
    ids
}

fn person(fam: &FamilyFacts, id: Option<Uuid>) -> Option<&Person> {
    id.and_then(|id| fam.members.iter().find(|m| m.id == id))
}

/// School terms in order: autumn, spring, summer of each academic year.
pub fn term_index(year: i32, term: Term) -> i64 {
    year as i64 * 3
        + match term {
            Term::Autumn => 0,
            Term::Spring => 1,
            Term::Summer => 2,
        }
}

/// First and last day of a term. England's terms vary by school; these calendar bounds
/// (autumn Sep-Dec, spring Jan-Easter taken as March, summer Apr-Aug) are what the
/// "last consecutive terms" count uses to decide which terms have ended.
pub fn term_dates(index: i64) -> (NaiveDate, NaiveDate) {
    let year = index.div_euclid(3) as i32;
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
    match index.rem_euclid(3) {
        0 => (d(year, 9, 1), d(year, 12, 31)),
        1 => (d(year + 1, 1, 1), d(year + 1, 3, 31)),
        _ => (d(year + 1, 4, 1), d(year + 1, 8, 31)),
    }
}

/// The first and last day of academic year `year` (2012 for 2012/13): 1 September to
/// 31 August, as English schools count it. Every term of the year, whatever its own dates at a
/// given school, falls within these, so a term's record dated outside them contradicts itself.
pub fn academic_year_dates(year: i32) -> (NaiveDate, NaiveDate) {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
    (d(year, 9, 1), d(year + 1, 8, 31))
}

/// The last term to have ended on or before `as_of`.
pub fn last_completed_term(as_of: NaiveDate) -> i64 {
    let mut i = term_index(as_of.year(), Term::Autumn);
    while term_dates(i).1 > as_of {
        i -= 1;
    }
    i
}

/// Crime/ASB (phase 1 criterion 1): a member under the adult age with a proven offence in the
/// window, or any member with an ASB intervention in the window.
pub fn crime_asb(p: &Phase1Params, fam: &FamilyFacts, as_of: NaiveDate) -> Criterion {
    let mut ids = Vec::new();
    let mut offences = 0;
    let mut interventions = 0;
    for f in &fam.facts {
        match f.kind {
            Kind::ProvenOffence if within(f, as_of, p.offence_window_months) => {
                let young = person(fam, f.member_id)
                    .is_some_and(|m| age_on(m.date_of_birth, f.occurred_on) < p.adult_age as i32);
                if young {
                    offences += 1;
                    ids.push(f.id);
                }
            }
            // Only against a current member: someone who has left the household no longer counts.
            Kind::AsbIntervention
                if within(f, as_of, p.asb_window_months) && person(fam, f.member_id).is_some() =>
            {
                interventions += 1;
                ids.push(f.id);
            }
            _ => {}
        }
    }
    Criterion {
        code: "crime_asb".into(),
        met: !ids.is_empty(),
        detail: format!(
            "{offences} proven offence(s) by under-{} in the last {} months; {interventions} ASB intervention(s) in the last {} months",
            p.adult_age, p.offence_window_months, p.asb_window_months
        ),
        evidence_ids: sorted(ids),
    }
}

/// Sessions missed over the terms under the ruleset's measure.
pub fn absent_sessions(measure: AbsenceMeasure, terms: &[&Fact]) -> i64 {
    terms
        .iter()
        .map(|t| match measure {
            AbsenceMeasure::Unauthorised => t.unauthorised_absences,
            AbsenceMeasure::Overall => t.possible_sessions - t.sessions_attended,
        })
        .sum()
}

/// Absence over the terms, in basis points of possible sessions (rounded down), for display.
pub fn absence_basis_points(measure: AbsenceMeasure, terms: &[&Fact]) -> i64 {
    let possible: i64 = terms.iter().map(|t| t.possible_sessions).sum();
    if possible == 0 {
        return 0;
    }
    absent_sessions(measure, terms) * 10_000 / possible
}

/// Education (phase 1 criterion 2), per child: permanently excluded during the terms looked at;
/// in alternative provision or not on a school roll on the date; or, over the last consecutive
/// completed terms (all of them recorded), fixed-term exclusions or absence at the thresholds.
pub fn education(p: &Phase1Params, fam: &FamilyFacts, as_of: NaiveDate) -> Criterion {
    let last = last_completed_term(as_of);
    let first = last - p.consecutive_terms as i64 + 1;
    let window_start = term_dates(first).0;
    let mut ids = Vec::new();
    let mut details = Vec::new();
    for child in fam.members.iter().filter(|m| m.is_child) {
        let facts: Vec<&Fact> = fam
            .facts
            .iter()
            .filter(|f| f.member_id == Some(child.id))
            .collect();
        for f in &facts {
            let hit = match f.kind {
                Kind::PermanentExclusion => f.occurred_on >= window_start && f.occurred_on <= as_of,
                Kind::AlternativeProvision | Kind::NotOnRoll => current(f, as_of),
                _ => false,
            };
            if hit {
                ids.push(f.id);
                details.push(
                    match f.kind {
                        Kind::PermanentExclusion => "permanent exclusion",
                        Kind::AlternativeProvision => "in alternative provision",
                        _ => "not on a school roll",
                    }
                    .to_string(),
                );
            }
        }
        // One record per term: a later record for the same term (recorded later) wins.
        let mut terms: Vec<&Fact> = Vec::new();
        for f in facts.iter().filter(|f| f.kind == Kind::SchoolTerm) {
            let Some((y, t)) = f.term else { continue };
            let i = term_index(y, t);
            if i < first || i > last {
                continue;
            }
            terms.retain(|o| o.term.map(|(oy, ot)| term_index(oy, ot)) != Some(i));
            terms.push(f);
        }
        // Exclusions already recorded in the window count even while a term's return is
        // missing (three or more cannot become fewer); absence needs every term of the window.
        let mut met = false;
        let exclusions: i64 = terms.iter().map(|t| t.fixed_term_exclusions).sum();
        if exclusions >= p.fixed_term_exclusions_threshold as i64 && !terms.is_empty() {
            details.push(format!(
                "{exclusions} fixed-term exclusions over the last {} terms",
                p.consecutive_terms
            ));
            met = true;
        }
        if terms.len() as u32 == p.consecutive_terms && p.consecutive_terms > 0 {
            let possible: i64 = terms.iter().map(|t| t.possible_sessions).sum();
            let exact_absent = absent_sessions(p.absence_measure, &terms) * 10_000;
            let threshold = p.absence_threshold_basis_points as i64 * possible;
            // The national measure is "15% or more" unauthorised absence; Rotherham's overall
            // measure is attendance *below* 85%, so exactly 15% absence does not meet it.
            let over = match p.absence_measure {
                AbsenceMeasure::Unauthorised => exact_absent >= threshold,
                AbsenceMeasure::Overall => exact_absent > threshold,
            };
            if possible > 0 && over {
                let bp = absence_basis_points(p.absence_measure, &terms);
                details.push(format!(
                    "{} absence {}.{:02}% over the last {} terms",
                    match p.absence_measure {
                        AbsenceMeasure::Unauthorised => "unauthorised",
                        AbsenceMeasure::Overall => "overall",
                    },
                    bp / 100,
                    bp % 100,
                    p.consecutive_terms
                ));
                met = true;
            }
        }
        if met {
            ids.extend(terms.iter().map(|t| t.id));
        }
    }
    Criterion {
        code: "education".into(),
        met: !ids.is_empty(),
        detail: if details.is_empty() {
            format!(
                "no child meets the education tests over the last {} completed terms",
                p.consecutive_terms
            )
        } else {
            details.join("; ")
        },
        evidence_ids: sorted(ids),
    }
}

/// Work (phase 1 criterion 3): an adult receiving out-of-work benefits on the date.
pub fn work(p: &Phase1Params, fam: &FamilyFacts, as_of: NaiveDate) -> Criterion {
    let ids: Vec<Uuid> = fam
        .facts
        .iter()
        .filter(|f| f.kind == Kind::OutOfWorkBenefit && current(f, as_of))
        .filter(|f| {
            person(fam, f.member_id)
                .is_some_and(|m| age_on(m.date_of_birth, as_of) >= p.adult_age as i32)
        })
        .map(|f| f.id)
        .collect();
    Criterion {
        code: "work".into(),
        met: !ids.is_empty(),
        detail: format!("{} adult benefit spell(s) current on {as_of}", ids.len()),
        evidence_ids: sorted(ids),
    }
}

/// The ruleset's local filters that apply on the date.
pub fn local_filters(p: &Phase1Params, fam: &FamilyFacts, as_of: NaiveDate) -> Vec<Criterion> {
    let mut out = Vec::new();
    for name in &p.local_filters {
        if name == "deprived_area" {
            let district = fam.postcode.split(' ').next().unwrap_or_default();
            let area = &p.deprived_areas;
            let detail = if area.postcode_districts.iter().any(|d| d == district) {
                Some(format!(
                    "postcode district {district} is on the deprived-area list"
                ))
            } else {
                fam.lsoa
                    .as_ref()
                    .filter(|l| area.lsoas.contains(l))
                    .map(|l| format!("LSOA {l} is on the deprived-area list"))
            };
            if let Some(detail) = detail {
                out.push(Criterion {
                    code: name.clone(),
                    met: true,
                    evidence_ids: Vec::new(),
                    detail,
                });
            }
            continue;
        }
        let ids: Vec<Uuid> = fam
            .facts
            .iter()
            .filter(|f| f.kind == Kind::LocalFilter && f.label.as_deref() == Some(name))
            .filter(|f| current(f, as_of))
            .map(|f| f.id)
            .collect();
        if !ids.is_empty() {
            out.push(Criterion {
                code: name.clone(),
                met: true,
                detail: format!("{name} recorded and current on {as_of}"),
                evidence_ids: sorted(ids),
            });
        }
    }
    out
}

/// Phase 1: all three criteria, or two of them with a local filter.
pub fn phase1(p: &Phase1Params, fam: &FamilyFacts, as_of: NaiveDate) -> Verdict {
    let criteria = vec![
        crime_asb(p, fam, as_of),
        education(p, fam, as_of),
        work(p, fam, as_of),
    ];
    let filters = local_filters(p, fam, as_of);
    let met: Vec<&str> = criteria
        .iter()
        .filter(|c| c.met)
        .map(|c| c.code.as_str())
        .collect();
    let (eligible, reason) = match met.len() {
        3 => (
            true,
            "Meets all three national criteria (crime/ASB, education, work).".to_string(),
        ),
        2 if !filters.is_empty() => (
            true,
            format!(
                "Meets two national criteria ({}) and the local filter {}.",
                met.join(", "),
                filters
                    .iter()
                    .map(|f| f.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        2 => (
            false,
            format!(
                "Meets two national criteria ({}) but no local filter applies.",
                met.join(", ")
            ),
        ),
        n => (
            false,
            format!("Meets {n} of the three national criteria; at least two are needed."),
        ),
    };
    Verdict {
        eligible,
        criteria,
        local_filters: filters,
        reason,
    }
}

fn labelled(
    fam: &FamilyFacts,
    kind: Kind,
    label: &str,
    as_of: NaiveDate,
    months: u32,
) -> Vec<Uuid> {
    sorted(
        fam.facts
            .iter()
            .filter(|f| f.kind == kind && f.label.as_deref() == Some(label))
            .filter(|f| recent_or_current(f, as_of, months))
            .map(|f| f.id)
            .collect(),
    )
}

/// Phase 2: at least the minimum number of the six headline problems, each shown by an indicator
/// recorded within the window or still current.
pub fn phase2(p: &Phase2Params, fam: &FamilyFacts, as_of: NaiveDate) -> Verdict {
    let criteria: Vec<Criterion> = PHASE2_PROBLEMS
        .iter()
        .map(|problem| {
            let ids = labelled(
                fam,
                Kind::Phase2Problem,
                problem,
                as_of,
                p.problem_window_months,
            );
            Criterion {
                code: problem.to_string(),
                met: !ids.is_empty(),
                detail: format!("{} indicator record(s)", ids.len()),
                evidence_ids: ids,
            }
        })
        .collect();
    let n = criteria.iter().filter(|c| c.met).count() as u32;
    let eligible = n >= p.minimum_problems;
    Verdict {
        eligible,
        reason: format!(
            "Has {n} of the six headline problems; {} needed.",
            p.minimum_problems
        ),
        criteria,
        local_filters: Vec::new(),
    }
}

/// Supporting Families: dependent children (or an expectant parent) and at least the minimum
/// number of the ten needs.
pub fn supporting_families(p: &SfParams, fam: &FamilyFacts, as_of: NaiveDate) -> Verdict {
    let children: Vec<Uuid> = fam
        .members
        .iter()
        .filter(|m| m.date_of_birth <= as_of && age_on(m.date_of_birth, as_of) < p.adult_age as i32)
        .map(|m| m.id)
        .collect();
    let expectant = labelled(
        fam,
        Kind::SfNeed,
        SF_EXPECTANT_PARENT,
        as_of,
        p.need_window_months,
    );
    let mut criteria = vec![Criterion {
        code: "dependent_children".into(),
        met: !children.is_empty() || !expectant.is_empty(),
        detail: format!(
            "{} member(s) under {}; expectant parent: {}",
            children.len(),
            p.adult_age,
            if expectant.is_empty() { "no" } else { "yes" }
        ),
        evidence_ids: expectant,
    }];
    for need in SF_NEEDS {
        let ids = labelled(fam, Kind::SfNeed, need, as_of, p.need_window_months);
        criteria.push(Criterion {
            code: need.to_string(),
            met: !ids.is_empty(),
            detail: format!("{} record(s)", ids.len()),
            evidence_ids: ids,
        });
    }
    let needs = criteria[1..].iter().filter(|c| c.met).count() as u32;
    let eligible = criteria[0].met && needs >= p.minimum_needs;
    Verdict {
        eligible,
        reason: if !criteria[0].met {
            "No dependent children and no expectant parent.".into()
        } else {
            format!("Has {needs} of the ten needs; {} needed.", p.minimum_needs)
        },
        criteria,
        local_filters: Vec::new(),
    }
}

#[cfg(test)]
#[path = "eligibility_tests.rs"]
mod tests;
