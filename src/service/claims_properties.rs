//! Invariants of the claim engine over generated families, evidence and windows (issue 15):
//! whatever the evidence, a run of windows moving forward never pays what the rules forbid.
//! The same judging and deciding functions as the background job, on the seeded parameters,
//! with a ledger standing in for the claims table. `PROPTEST_CASES` sets the number of cases
//! (a bounded number in `cargo test`; `bench/claims-properties.sh` runs many more).

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use uuid::Uuid;

use super::{decide, Achieved, Judged, Revisions};
use crate::api::rulesets::RulesetFamily;
use crate::db::attachments::AttachmentRow;
use crate::db::claims::NewItem;
use crate::domain::claims::ItemStatus;
use crate::domain::eligibility::{Fact, FamilyFacts, Kind, Person, Term};
use crate::domain::outcomes::{self as rules, Case, CaseFacts, Outcome, WhenBothAchieved};
use crate::domain::payments;
use crate::service::outcomes::{judge, maximum};
use crate::service::rulesets::{parse_params, Params};

fn day(offset: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2009, 1, 1).unwrap() + Days::new(offset)
}

/// The seeded revisions' parameters (migration 000002), with the settings a case varies.
fn params(ruleset: u8, last_claim: Option<NaiveDate>, prefer_cae: bool) -> Params {
    let (family, mut v) = match ruleset {
        0 => (
            RulesetFamily::Phase1,
            serde_json::json!({
                "offence_window_months": 12, "asb_window_months": 12, "adult_age": 18,
                "consecutive_terms": 3, "absence_measure": "unauthorised",
                "absence_threshold_basis_points": 1500, "fixed_term_exclusions_threshold": 3,
                "local_filters": ["deprived_area"],
                "deprived_areas": {"postcode_districts": ["S60"], "lsoas": []},
                "payments": {
                    "max_per_family_pence": 400000,
                    "attachment_fee_basis_points_by_year": {"2012": 8000, "2013": 6000, "2014": 4000},
                    "crime_asb_education_pence_by_year": {"2012": 70000, "2013": 150000, "2014": 230000},
                    "progress_to_work_pence": 10000,
                    "continuous_employment_pence_by_year": {"2012": 80000, "2013": 160000, "2014": 240000},
                    "deadweight_numerator": 1, "deadweight_denominator": 6
                },
                "outcomes": {"when_both_achieved": if prefer_cae { "crime_asb_education" } else { "continuous_employment" }}
            }),
        ),
        1 => (
            RulesetFamily::Phase2,
            serde_json::json!({"problem_window_months": 12, "minimum_problems": 2,
                               "payments": {"attachment_fee_pence": 100000, "result_pence": 80000},
                               "outcomes": {}}),
        ),
        _ => (
            RulesetFamily::SupportingFamilies,
            serde_json::json!({"need_window_months": 12, "minimum_needs": 3, "adult_age": 18,
                               "payments": {"result_pence": 80000}, "outcomes": {}}),
        ),
    };
    v["outcomes"]["last_claim_on"] = serde_json::to_value(last_claim).unwrap();
    parse_params(family, &v).unwrap()
}

const MUM: u128 = 1;
const NEEDS: [&str; 4] = ["education", "housing", "crime", "health"];
const PROBLEMS: [&str; 3] = ["crime_asb", "health", "domestic_abuse"];

/// One generated evidence record, before it is given its family's ids.
#[derive(Debug, Clone)]
struct Gen {
    kind: u8,
    member: u8,
    on: u64,
    length: Option<u64>,
    n: i64,
    label: u8,
}

fn gen_fact() -> impl Strategy<Value = Gen> {
    (
        0u8..10,
        0u8..4,
        0u64..2600,
        prop::option::of(0u64..400),
        0i64..200,
        0u8..4,
    )
        .prop_map(|(kind, member, on, length, n, label)| Gen {
            kind,
            member,
            on,
            length,
            n,
            label,
        })
}

fn fact(i: usize, g: &Gen, children: usize) -> Fact {
    let child = if children == 0 {
        None
    } else {
        Some(Uuid::from_u128(10 + (g.member as usize % children) as u128))
    };
    let on = day(g.on);
    let mut f = Fact {
        id: Uuid::from_u128(1000 + i as u128),
        member_id: None,
        kind: Kind::AsbIncident,
        occurred_on: on,
        ends_on: g.length.map(|l| on + Days::new(l)),
        term: None,
        possible_sessions: 0,
        sessions_attended: 0,
        unauthorised_absences: 0,
        fixed_term_exclusions: 0,
        label: None,
    };
    match g.kind {
        0 => f.ends_on = None,
        1 => {
            f.kind = Kind::ProvenOffence;
            f.member_id = child;
            f.ends_on = None;
        }
        2 => {
            f.kind = Kind::AsbIntervention;
            f.member_id = child;
            f.ends_on = None;
        }
        3 | 4 => {
            // A school term of a year from 2010/11 to 2015/16.
            let year = 2010 + (g.on % 6) as i32;
            let t = [Term::Autumn, Term::Spring, Term::Summer][(g.on / 6 % 3) as usize];
            let possible = 100 + g.n;
            let absent = (g.n * g.label as i64) % (possible / 3 + 1);
            f.kind = Kind::SchoolTerm;
            f.member_id = child;
            f.term = Some((year, t));
            f.occurred_on = NaiveDate::from_ymd_opt(year, 9, 1).unwrap();
            f.ends_on = None;
            f.possible_sessions = possible;
            f.sessions_attended = possible - absent;
            f.unauthorised_absences = absent;
            f.fixed_term_exclusions = (g.n % 4) / 3;
        }
        5 => {
            f.kind = Kind::OutOfWorkBenefit;
            f.member_id = Some(Uuid::from_u128(MUM));
        }
        6 => {
            f.kind = Kind::Employment;
            f.member_id = Some(Uuid::from_u128(MUM));
        }
        7 => {
            f.kind = Kind::WorkProgramme;
            f.member_id = Some(Uuid::from_u128(MUM));
            f.ends_on = None;
        }
        8 => {
            f.kind = Kind::Phase2Problem;
            f.label = Some(PROBLEMS[g.label as usize % PROBLEMS.len()].into());
        }
        _ => {
            f.kind = Kind::SfNeed;
            f.label = Some(NEEDS[g.label as usize].into());
        }
    }
    f
}

/// Days from 2009 to the years each ruleset's programme ran: generated dates are shifted by it.
fn programme_start(ruleset: u8) -> u64 {
    [0, 2200, 4900][ruleset.min(2) as usize]
}

/// A generated family with its attachment, its casework and the windows' cut-offs.
#[derive(Debug, Clone)]
struct Case_ {
    ruleset: u8,
    last_claim: Option<u64>,
    prefer_cae: bool,
    children: Vec<u64>,
    facts: Vec<Gen>,
    attached: u64,
    cases: Vec<(u64, i64, Option<u64>)>,
    windows: Vec<u64>,
    /// Relative to attachment: benefits ending this many days after it, then work from this
    /// many days later, for this long (none: continuing).
    work: Option<(u64, u64, Option<u64>)>,
    /// Relative to attachment: conditions (a need or problem label) seen this many days before
    /// it, lasting this long (none: continuing).
    entry: Vec<(u8, u64, Option<u64>)>,
}

fn gen_case() -> impl Strategy<Value = Case_> {
    (
        0u8..3,
        prop::option::of(1200u64..3000),
        any::<bool>(),
        prop::collection::vec(0u64..5000, 0..4),
        prop::collection::vec(gen_fact(), 0..40),
        1200u64..2200,
        prop::collection::vec((0u64..2600, 0i64..3, prop::option::of(0u64..500)), 0..3),
        prop::collection::vec(1300u64..3200, 1..5),
        prop::option::of((0u64..200, 0u64..5, prop::option::of(100u64..400))),
        prop::collection::vec((0u8..4, 1u64..330, prop::option::of(0u64..400)), 0..5),
    )
        .prop_map(
            |(
                ruleset,
                last_claim,
                prefer_cae,
                children,
                facts,
                attached,
                cases,
                mut windows,
                work,
                entry,
            )| {
                // Windows run forward (the service refuses anything else), in the years the
                // ruleset's programme ran.
                let shift = programme_start(ruleset);
                windows.sort();
                let windows = windows.into_iter().map(|w| w + shift).collect();
                let last_claim = last_claim.map(|l| l + shift);
                Case_ {
                    ruleset,
                    last_claim,
                    prefer_cae,
                    children,
                    facts,
                    attached,
                    cases,
                    windows,
                    work,
                    entry,
                }
            },
        )
}

struct Built {
    params: Params,
    fam: FamilyFacts,
    case: CaseFacts,
    attachment: AttachmentRow,
}

fn build(c: &Case_) -> Built {
    let params = params(c.ruleset, c.last_claim.map(day), c.prefer_cae);
    let mut members = vec![Person {
        id: Uuid::from_u128(MUM),
        date_of_birth: NaiveDate::from_ymd_opt(1980, 5, 1).unwrap(),
        is_child: false,
    }];
    for (i, dob) in c.children.iter().enumerate() {
        members.push(Person {
            id: Uuid::from_u128(10 + i as u128),
            // Born from 1995 to 2008.
            date_of_birth: NaiveDate::from_ymd_opt(1995, 1, 1).unwrap() + Days::new(*dob),
            is_child: true,
        });
    }
    let mut facts: Vec<Fact> = c
        .facts
        .iter()
        .enumerate()
        .map(|(i, g)| fact(i, g, c.children.len()))
        .collect();
    let shift = programme_start(c.ruleset);
    // Phase 1 attaches from 2012 to 2014, the others as their programme ran.
    let attached_on = day(c.attached + shift);
    let blank = |id: u128, kind: Kind, on: NaiveDate, ends_on: Option<NaiveDate>| Fact {
        id: Uuid::from_u128(id),
        member_id: None,
        kind,
        occurred_on: on,
        ends_on,
        term: None,
        possible_sessions: 0,
        sessions_attended: 0,
        unauthorised_absences: 0,
        fixed_term_exclusions: 0,
        label: None,
    };
    if let Some((benefit_ends, gap, length)) = c.work {
        let ended = attached_on + Days::new(benefit_ends);
        let starts = ended + Days::new(1 + gap);
        facts.push(Fact {
            member_id: Some(Uuid::from_u128(MUM)),
            ..blank(5000, Kind::OutOfWorkBenefit, day(0), Some(ended))
        });
        facts.push(Fact {
            member_id: Some(Uuid::from_u128(MUM)),
            ..blank(
                5001,
                Kind::Employment,
                starts,
                length.map(|l| starts + Days::new(l)),
            )
        });
    }
    for (i, (label, before, lasts)) in c.entry.iter().enumerate() {
        let on = attached_on - Days::new(*before);
        let (kind, label) = if c.ruleset == 1 {
            (
                Kind::Phase2Problem,
                PROBLEMS[*label as usize % PROBLEMS.len()],
            )
        } else {
            (Kind::SfNeed, NEEDS[*label as usize])
        };
        facts.push(Fact {
            label: Some(label.into()),
            ..blank(6000 + i as u128, kind, on, lasts.map(|l| on + Days::new(l)))
        });
    }
    let year = payments::financial_year(attached_on);
    let fee = match &params {
        Params::Phase1(p) => payments::phase1_attachment_fee(p, year).unwrap_or(0),
        Params::Phase2(p) => payments::phase2_attachment_fee(p),
        Params::SupportingFamilies(_) => 0,
    };
    // Cases agreed from 200 days before attachment.
    let case = CaseFacts {
        cases: c
            .cases
            .iter()
            .map(|(agreed, actions, length)| {
                let agreed_on = attached_on - Days::new(200) + Days::new(agreed % 700);
                Case {
                    agreed_on,
                    plan_actions: *actions,
                    closed_on: length.map(|l| agreed_on + Days::new(l)),
                }
            })
            .collect(),
    };
    Built {
        attachment: AttachmentRow {
            id: Uuid::from_u128(7),
            family_id: Uuid::from_u128(8),
            ruleset_code: ["phase1-2012", "phase2-2015", "supporting-families-2022"]
                [c.ruleset as usize]
                .into(),
            revision_id: Uuid::from_u128(9),
            attached_on,
            financial_year: year as i16,
            attachment_fee_pence: fee,
            eligible: true,
            eligibility: serde_json::Value::Null,
            override_justification: None,
            attached_by: "properties".into(),
            created_at: chrono::Utc::now(),
        },
        params,
        fam: FamilyFacts {
            postcode: "S60 1AA".into(),
            lsoa: None,
            members,
            facts,
        },
        case,
    }
}

/// One window's items for the family, given what earlier windows hold.
fn window(
    b: &Built,
    revisions: &Revisions,
    cut_off: NaiveDate,
    ledger: &[NewItem],
) -> Vec<NewItem> {
    let judged: Vec<Judged> = if b.attachment.attached_on <= cut_off {
        let outcomes: Vec<Achieved> = judge(
            &b.params,
            &b.fam,
            &b.case,
            b.attachment.attached_on,
            cut_off,
        )
        .into_iter()
        .filter(|o| o.achieved)
        .map(Achieved::of)
        .collect();
        vec![Judged {
            attachment: b.attachment.clone(),
            outcomes,
        }]
    } else {
        Vec::new()
    };
    let held: Vec<(Uuid, String, i64, ItemStatus)> = ledger
        .iter()
        .map(|i| {
            (
                i.attachment_id,
                i.slot.clone(),
                i.amount_pence,
                ItemStatus::Included,
            )
        })
        .collect();
    decide(
        (Uuid::nil(), cut_off),
        &judged,
        &held,
        &HashSet::new(),
        revisions,
    )
}

fn key(items: &[NewItem]) -> Vec<(String, i64, NaiveDate, String)> {
    items
        .iter()
        .map(|i| {
            (
                i.result.clone(),
                i.amount_pence,
                i.achieved_on,
                i.snapshot.clone(),
            )
        })
        .collect()
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn no_window_pays_what_the_rules_forbid(c in gen_case()) {
        let b = build(&c);
        let mut revisions: Revisions = HashMap::new();
        revisions.insert(b.attachment.revision_id, std::sync::Arc::new(b.params.clone()));
        let mut ledger: Vec<(NaiveDate, NewItem)> = Vec::new();
        for cut_off in c.windows.iter().map(|d| day(*d)) {
            let held: Vec<NewItem> = ledger.iter().map(|(_, i)| i.clone()).collect();
            let items = window(&b, &revisions, cut_off, &held);
            // Recomputing over unchanged evidence gives the same items; computed again with
            // its own items in place, it adds nothing.
            prop_assert_eq!(key(&window(&b, &revisions, cut_off, &held)), key(&items));
            let mut with_own = held.clone();
            with_own.extend(items.iter().cloned());
            prop_assert!(window(&b, &revisions, cut_off, &with_own).is_empty());
            for i in &items {
                // Never a claim after its ruleset's last claim date, nor before attachment.
                prop_assert!(rules::open_for_claims(b.params.last_claim_on(), cut_off));
                prop_assert!(b.attachment.attached_on <= cut_off);
                prop_assert!(i.achieved_on >= b.attachment.attached_on && i.achieved_on <= cut_off,
                    "{} achieved on {} (attached {}, cut-off {cut_off})", i.result, i.achieved_on, b.attachment.attached_on);
                prop_assert!(i.amount_pence > 0);
                // Never a result none of whose components passed (the casework is a condition,
                // not an outcome).
                let o: Outcome = serde_json::from_str(&i.snapshot).unwrap();
                prop_assert!(o.achieved);
                prop_assert!(
                    o.components.iter().any(|c| c.status == rules::Status::Passed
                        && c.code != "lead_practitioner_assessment_plan"),
                    "{} claimed with nothing passing: {}", i.result, o.detail
                );
            }
            ledger.extend(items.into_iter().map(|i| (cut_off, i)));
        }
        let results: Vec<&str> = ledger.iter().map(|(_, i)| i.result.as_str()).collect();
        // Never a result twice, across any windows; never two results of one slot.
        let distinct: HashSet<&str> = results.iter().copied().collect();
        prop_assert_eq!(distinct.len(), results.len(), "{:?}", results);
        let slots: HashSet<&str> = ledger.iter().map(|(_, i)| i.slot.as_str()).collect();
        prop_assert_eq!(slots.len(), results.len());
        // Phase 1: never both employment and crime/ASB and education.
        prop_assert!(!(distinct.contains(rules::CONTINUOUS_EMPLOYMENT)
            && distinct.contains(rules::CRIME_ASB_EDUCATION)));
        // Never more than the per-family maximum, counting the attachment fee.
        if let Some(max) = maximum(&b.params) {
            let paid: i64 = ledger.iter().map(|(_, i)| i.amount_pence).sum();
            prop_assert!(paid + b.attachment.attachment_fee_pence <= max,
                "paid {paid} + fee {} > {max}", b.attachment.attachment_fee_pence);
        }
        // Where both were newly achieved in one window, the revision's choice was claimed.
        if let Params::Phase1(p) = &b.params {
            for (cut_off, i) in &ledger {
                if i.slot != "results" {
                    continue;
                }
                let both = judge(&b.params, &b.fam, &b.case, b.attachment.attached_on, *cut_off)
                    .iter()
                    .filter(|o| o.achieved && rules::slot(&o.result) == "results")
                    .count() == 2;
                if both {
                    let want = match p.outcomes.when_both_achieved {
                        WhenBothAchieved::ContinuousEmployment => rules::CONTINUOUS_EMPLOYMENT,
                        WhenBothAchieved::CrimeAsbEducation => rules::CRIME_ASB_EDUCATION,
                    };
                    prop_assert_eq!(i.result.as_str(), want);
                }
            }
        }
    }
}

/// The generator reaches what the invariants are about: over a fixed sample, every result is
/// claimed somewhere, and both alternatives of phase 1 are met together in some window (else
/// the suite above could pass by generating nothing claimable).
#[test]
fn the_generated_cases_reach_every_result() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[15; 32]),
    );
    let strategy = gen_case();
    let mut claimed: HashMap<String, usize> = HashMap::new();
    let (mut both, mut ended) = (0, 0);
    for _ in 0..3000 {
        let c = strategy.new_tree(&mut runner).unwrap().current();
        let b = build(&c);
        let mut revisions: Revisions = HashMap::new();
        revisions.insert(
            b.attachment.revision_id,
            std::sync::Arc::new(b.params.clone()),
        );
        let mut ledger = Vec::new();
        for cut_off in c.windows.iter().map(|d| day(*d)) {
            if !rules::open_for_claims(b.params.last_claim_on(), cut_off) {
                ended += 1;
            }
            let achieved = judge(
                &b.params,
                &b.fam,
                &b.case,
                b.attachment.attached_on,
                cut_off,
            );
            if achieved
                .iter()
                .filter(|o| o.achieved && rules::slot(&o.result) == "results")
                .count()
                == 2
            {
                both += 1;
            }
            let items = window(&b, &revisions, cut_off, &ledger);
            ledger.extend(items);
        }
        for i in ledger {
            *claimed.entry(i.result).or_default() += 1;
        }
    }
    for r in rules::RESULTS {
        assert!(
            claimed.get(r).copied().unwrap_or(0) >= 5,
            "{r}: {claimed:?}"
        );
    }
    assert!(both >= 5, "both alternatives together {both} times");
    assert!(ended >= 5, "windows past the last claim day {ended} times");
}
