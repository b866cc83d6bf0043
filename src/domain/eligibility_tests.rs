use super::*;

use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// The date most tests judge on: the last completed term is summer 2012/13, so the last three
/// consecutive terms are autumn, spring and summer of academic year 2012/13.
fn as_of() -> NaiveDate {
    d(2013, 9, 15)
}

// Members.
const MUM: u128 = 1;
const CHILD: u128 = 2;
const TEEN: u128 = 3;
const CHILD2: u128 = 4;

/// The national phase 1 parameters (docs/rules.md, "Who is eligible", Phase 1).
fn params() -> Phase1Params {
    let by_year = |a: i64, b: i64, c: i64| {
        BTreeMap::from([
            ("2012".to_string(), a),
            ("2013".to_string(), b),
            ("2014".to_string(), c),
        ])
    };
    Phase1Params {
        offence_window_months: 12,
        asb_window_months: 12,
        adult_age: 18,
        consecutive_terms: 3,
        absence_measure: AbsenceMeasure::Unauthorised,
        absence_threshold_basis_points: 1500,
        fixed_term_exclusions_threshold: 3,
        local_filters: [
            "deprived_area",
            "benefit_cap",
            "adult_mental_health",
            "domestic_abuse",
            "substance_misuse",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        deprived_areas: DeprivedAreas {
            postcode_districts: vec!["S60".to_string()],
            lsoas: Vec::new(),
        },
        payments: Phase1Payments {
            max_per_family_pence: 400_000,
            attachment_fee_basis_points_by_year: by_year(8000, 6000, 4000),
            crime_asb_education_pence_by_year: by_year(70_000, 150_000, 230_000),
            progress_to_work_pence: 10_000,
            continuous_employment_pence_by_year: by_year(80_000, 160_000, 240_000),
            deadweight_numerator: 1,
            deadweight_denominator: 6,
        },
        outcomes: Default::default(),
    }
}

/// Phase 2: at least 2 of the 6 headline problems, within 12 months or ongoing.
fn phase2_params() -> Phase2Params {
    Phase2Params {
        problem_window_months: 12,
        minimum_problems: 2,
        payments: Phase2Payments {
            attachment_fee_pence: 100_000,
            result_pence: 80_000,
        },
        outcomes: Default::default(),
    }
}

/// Supporting Families: dependent children or an expectant parent and at least 3 needs.
fn sf_params() -> SfParams {
    SfParams {
        need_window_months: 12,
        minimum_needs: 3,
        adult_age: 18,
        payments: SfPayments {
            result_pence: 80_000,
        },
        outcomes: Default::default(),
    }
}

fn person(n: u128, dob: NaiveDate, is_child: bool) -> Person {
    Person {
        id: id(n),
        date_of_birth: dob,
        is_child,
    }
}

/// A household outside the deprived-area list: an adult (born 1980), a child (born 2003) and a
/// teenager (born 1996-09-01, 18 on 2014-09-01).
fn family(facts: Vec<Fact>) -> FamilyFacts {
    FamilyFacts {
        postcode: "S65 1AA".into(),
        lsoa: None,
        members: vec![
            person(MUM, d(1980, 5, 1), false),
            person(CHILD, d(2003, 3, 10), true),
            person(TEEN, d(1996, 9, 1), true),
        ],
        facts,
    }
}

fn fact(n: u128, member: Option<u128>, kind: Kind, occurred_on: NaiveDate) -> Fact {
    Fact {
        id: id(n),
        member_id: member.map(id),
        kind,
        occurred_on,
        ends_on: None,
        term: None,
        possible_sessions: 0,
        sessions_attended: 0,
        unauthorised_absences: 0,
        fixed_term_exclusions: 0,
        label: None,
    }
}

fn spell(
    n: u128,
    member: Option<u128>,
    kind: Kind,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Fact {
    Fact {
        ends_on: to,
        ..fact(n, member, kind, from)
    }
}

fn labelled_fact(
    n: u128,
    member: Option<u128>,
    kind: Kind,
    label: &str,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Fact {
    Fact {
        label: Some(label.to_string()),
        ..spell(n, member, kind, from, to)
    }
}

/// A school term record for a child. `attended` defaults to possible minus unauthorised in
/// `term_rec`; `term_full` sets it explicitly (for the overall absence measure).
#[allow(clippy::too_many_arguments)]
fn term_full(
    n: u128,
    member: u128,
    year: i32,
    term: Term,
    possible: i64,
    attended: i64,
    unauthorised: i64,
    exclusions: i64,
) -> Fact {
    let (start, _) = term_dates(term_index(year, term));
    Fact {
        term: Some((year, term)),
        possible_sessions: possible,
        sessions_attended: attended,
        unauthorised_absences: unauthorised,
        fixed_term_exclusions: exclusions,
        ..fact(n, Some(member), Kind::SchoolTerm, start)
    }
}

fn term_rec(
    n: u128,
    member: u128,
    year: i32,
    term: Term,
    possible: i64,
    unauthorised: i64,
    exclusions: i64,
) -> Fact {
    term_full(
        n,
        member,
        year,
        term,
        possible,
        possible - unauthorised,
        unauthorised,
        exclusions,
    )
}

/// The three terms of 2012/13 for CHILD, with the given sessions, unauthorised absences and
/// exclusions per term. Ids 100, 101, 102.
fn three_terms(per_term: [(i64, i64, i64); 3]) -> Vec<Fact> {
    let terms = [Term::Autumn, Term::Spring, Term::Summer];
    (0..3)
        .map(|i| {
            let (possible, unauth, excl) = per_term[i];
            term_rec(
                100 + i as u128,
                CHILD,
                2012,
                terms[i],
                possible,
                unauth,
                excl,
            )
        })
        .collect()
}

/// Facts meeting each phase 1 criterion on `as_of()`.
fn crime_fact() -> Fact {
    fact(10, Some(TEEN), Kind::ProvenOffence, d(2013, 6, 1))
}
fn education_fact() -> Fact {
    spell(20, Some(CHILD), Kind::NotOnRoll, d(2013, 7, 1), None)
}
fn work_fact() -> Fact {
    spell(30, Some(MUM), Kind::OutOfWorkBenefit, d(2012, 1, 1), None)
}

fn ids(ns: &[u128]) -> Vec<Uuid> {
    ns.iter().map(|&n| id(n)).collect()
}

// ---------------------------------------------------------------------------------------------
// Term arithmetic ("last 3 consecutive terms")
// ---------------------------------------------------------------------------------------------

// Rule: terms run autumn, spring, summer within an academic year, then the next year's autumn.
#[test]
fn term_index_orders_terms_across_academic_years() {
    assert_eq!(
        term_index(2012, Term::Spring),
        term_index(2012, Term::Autumn) + 1
    );
    assert_eq!(
        term_index(2012, Term::Summer),
        term_index(2012, Term::Autumn) + 2
    );
    assert_eq!(
        term_index(2013, Term::Autumn),
        term_index(2012, Term::Summer) + 1
    );
}

// Rule: calendar bounds of terms (autumn Sep-Dec, spring Jan-Mar, summer Apr-Aug).
#[test]
fn term_dates_calendar_bounds() {
    assert_eq!(
        term_dates(term_index(2012, Term::Autumn)),
        (d(2012, 9, 1), d(2012, 12, 31))
    );
    assert_eq!(
        term_dates(term_index(2012, Term::Spring)),
        (d(2013, 1, 1), d(2013, 3, 31))
    );
    assert_eq!(
        term_dates(term_index(2012, Term::Summer)),
        (d(2013, 4, 1), d(2013, 8, 31))
    );
}

// Rule: an academic year runs from 1 September to 31 August, and holds its three terms.
#[test]
fn academic_year_holds_its_terms() {
    assert_eq!(academic_year_dates(2012), (d(2012, 9, 1), d(2013, 8, 31)));
    let (first, last) = academic_year_dates(2012);
    for term in [Term::Autumn, Term::Spring, Term::Summer] {
        let (start, end) = term_dates(term_index(2012, term));
        assert!(first <= start && end <= last, "{term:?}");
    }
}

// Rule: "last 3 consecutive terms" counts completed terms; a term is completed on its last day.
#[test]
fn last_completed_term_at_each_term_end() {
    let autumn12 = term_index(2012, Term::Autumn);
    let spring12 = term_index(2012, Term::Spring);
    let summer12 = term_index(2012, Term::Summer);
    let autumn13 = term_index(2013, Term::Autumn);
    // Autumn 2012 ends 2012-12-31: completed on that day, not the day before.
    assert_eq!(last_completed_term(d(2012, 12, 30)), autumn12 - 1);
    assert_eq!(last_completed_term(d(2012, 12, 31)), autumn12);
    assert_eq!(last_completed_term(d(2013, 1, 1)), autumn12);
    // Spring ends 2013-03-31.
    assert_eq!(last_completed_term(d(2013, 3, 30)), autumn12);
    assert_eq!(last_completed_term(d(2013, 3, 31)), spring12);
    assert_eq!(last_completed_term(d(2013, 4, 1)), spring12);
    // Summer ends 2013-08-31.
    assert_eq!(last_completed_term(d(2013, 8, 30)), spring12);
    assert_eq!(last_completed_term(d(2013, 8, 31)), summer12);
    assert_eq!(last_completed_term(d(2013, 9, 1)), summer12);
    assert_eq!(last_completed_term(as_of()), summer12);
    // Mid autumn 2013: summer 2012/13 still the last; on 31 December autumn 2013 is.
    assert_eq!(last_completed_term(d(2013, 11, 15)), summer12);
    assert_eq!(last_completed_term(d(2013, 12, 31)), autumn13);
    assert_eq!(last_completed_term(d(2014, 1, 15)), autumn13);
}

// Rule: the 3-term window can span two academic years: on 2014-01-15 the last three completed
// terms are spring 2012/13, summer 2012/13 and autumn 2013/14.
#[test]
fn education_window_spans_academic_years() {
    let p = params();
    let fam = family(vec![
        term_rec(100, CHILD, 2012, Term::Spring, 100, 15, 0),
        term_rec(101, CHILD, 2012, Term::Summer, 100, 15, 0),
        term_rec(102, CHILD, 2013, Term::Autumn, 100, 15, 0),
    ]);
    let c = education(&p, &fam, d(2014, 1, 15));
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[100, 101, 102]));
    // A day earlier autumn 2013 has not ended: the window is autumn..summer 2012/13, and only
    // two of those terms are recorded.
    let c = education(&p, &fam, d(2013, 12, 30));
    assert!(!c.met, "{}", c.detail);
}

// ---------------------------------------------------------------------------------------------
// Education: unauthorised absence 15% over the last 3 consecutive terms
// ---------------------------------------------------------------------------------------------

// Rule: unauthorised absence of 15% or more over the last 3 terms: exactly 15% meets it.
#[test]
fn absence_exactly_15_percent_is_met() {
    let fam = family(three_terms([(100, 15, 0), (100, 10, 0), (100, 20, 0)]));
    let c = education(&params(), &fam, as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[100, 101, 102]));
    assert!(
        c.detail
            .contains("unauthorised absence 15.00% over the last 3 terms"),
        "{}",
        c.detail
    );
}

// Rule: unauthorised absence of 15%: 14.99% (1499 of 10000 sessions) is just below.
#[test]
fn absence_14_99_percent_is_not_met() {
    let fam = family(three_terms([
        (3333, 500, 0),
        (3333, 500, 0),
        (3334, 499, 0),
    ]));
    let terms: Vec<&Fact> = fam.facts.iter().collect();
    assert_eq!(
        absence_basis_points(AbsenceMeasure::Unauthorised, &terms),
        1499
    );
    let c = education(&params(), &fam, as_of());
    assert!(!c.met, "{}", c.detail);
    assert!(c.evidence_ids.is_empty());
}

// Rule: unauthorised absence 15%: a fraction a hair below (14.999%) must not round up to 15%.
#[test]
fn absence_a_hair_below_15_percent_is_not_met() {
    // 14999 of 100000 sessions = 14.999%.
    let fam = family(three_terms([
        (33_333, 5_000, 0),
        (33_333, 5_000, 0),
        (33_334, 4_999, 0),
    ]));
    let terms: Vec<&Fact> = fam.facts.iter().collect();
    assert!(absence_basis_points(AbsenceMeasure::Unauthorised, &terms) < 1500);
    assert!(!education(&params(), &fam, as_of()).met);
}

// Rule: unauthorised absence 15%: 15.01% is above.
#[test]
fn absence_15_01_percent_is_met() {
    let fam = family(three_terms([
        (3333, 500, 0),
        (3333, 500, 0),
        (3334, 501, 0),
    ]));
    let terms: Vec<&Fact> = fam.facts.iter().collect();
    assert_eq!(
        absence_basis_points(AbsenceMeasure::Unauthorised, &terms),
        1501
    );
    let c = education(&params(), &fam, as_of());
    assert!(c.met, "{}", c.detail);
    assert!(c.detail.contains("15.01%"), "{}", c.detail);
}

// Rule: absence over the terms is the sum of sessions missed over the sum of possible sessions
// (not the mean of per-term percentages).
#[test]
fn absence_is_pooled_over_sessions_not_averaged_over_terms() {
    // Per-term rates 40%, 5%, 5%: mean 16.7%, pooled (40+10+10)/(100+200+200) = 12%.
    let fam = family(three_terms([(100, 40, 0), (200, 10, 0), (200, 10, 0)]));
    let terms: Vec<&Fact> = fam.facts.iter().collect();
    assert_eq!(
        absence_basis_points(AbsenceMeasure::Unauthorised, &terms),
        1200
    );
    assert!(!education(&params(), &fam, as_of()).met);
}

// Rule: absence basis points with no possible sessions is 0 (no division by zero).
#[test]
fn absence_with_no_possible_sessions_is_zero() {
    let fam = family(three_terms([(0, 0, 0), (0, 0, 0), (0, 0, 0)]));
    let terms: Vec<&Fact> = fam.facts.iter().collect();
    assert_eq!(
        absence_basis_points(AbsenceMeasure::Unauthorised, &terms),
        0
    );
    assert_eq!(absence_basis_points(AbsenceMeasure::Overall, &terms), 0);
    assert!(!education(&params(), &fam, as_of()).met);
}

// Rule: the absence measure is a ruleset setting; "overall" counts authorised absence too
// (Rotherham's "attendance below 85%").
#[test]
fn overall_absence_counts_authorised_absence() {
    // Each term: 100 possible, 84 attended, 10 unauthorised (6 authorised): overall 16%,
    // unauthorised 10%.
    let fam = family(vec![
        term_full(100, CHILD, 2012, Term::Autumn, 100, 84, 10, 0),
        term_full(101, CHILD, 2012, Term::Spring, 100, 84, 10, 0),
        term_full(102, CHILD, 2012, Term::Summer, 100, 84, 10, 0),
    ]);
    let terms: Vec<&Fact> = fam.facts.iter().collect();
    assert_eq!(
        absence_basis_points(AbsenceMeasure::Unauthorised, &terms),
        1000
    );
    assert_eq!(absence_basis_points(AbsenceMeasure::Overall, &terms), 1600);

    let national = params();
    assert!(!education(&national, &fam, as_of()).met);

    let overall = Phase1Params {
        absence_measure: AbsenceMeasure::Overall,
        ..params()
    };
    let c = education(&overall, &fam, as_of());
    assert!(c.met, "{}", c.detail);
    assert!(c.detail.contains("overall absence 16.00%"), "{}", c.detail);
}

// Rule: overall measure at the 15% boundary (attendance 85% exactly meets it; 85.01% does not).
#[test]
fn overall_absence_boundary() {
    let overall = Phase1Params {
        absence_measure: AbsenceMeasure::Overall,
        ..params()
    };
    let with_attended = |a: [i64; 3]| {
        family(vec![
            term_full(100, CHILD, 2012, Term::Autumn, 3333, a[0], 0, 0),
            term_full(101, CHILD, 2012, Term::Spring, 3333, a[1], 0, 0),
            term_full(102, CHILD, 2012, Term::Summer, 3334, a[2], 0, 0),
        ])
    };
    // 8500 of 10000 attended: exactly 85% attendance is not *below* 85% (Rotherham's measure).
    assert!(!education(&overall, &with_attended([2833, 2833, 2834]), as_of()).met);
    // 8501 attended: 14.99% absent.
    assert!(!education(&overall, &with_attended([2833, 2833, 2835]), as_of()).met);
    // 8499 attended: 15.01% absent.
    assert!(education(&overall, &with_attended([2833, 2833, 2833]), as_of()).met);
}

// ---------------------------------------------------------------------------------------------
// Education: 3+ fixed-term exclusions over the last 3 consecutive terms
// ---------------------------------------------------------------------------------------------

// Rule: 3+ fixed-term exclusions over the last 3 terms: 2 is below the threshold.
#[test]
fn fixed_term_exclusions_2_not_met() {
    let fam = family(three_terms([(100, 0, 1), (100, 0, 0), (100, 0, 1)]));
    let c = education(&params(), &fam, as_of());
    assert!(!c.met, "{}", c.detail);
    assert!(c.evidence_ids.is_empty());
}

// Rule: 3+ fixed-term exclusions over the last 3 terms: exactly 3 (summed across terms) meets it.
#[test]
fn fixed_term_exclusions_3_met() {
    let fam = family(three_terms([(100, 0, 1), (100, 0, 1), (100, 0, 1)]));
    let c = education(&params(), &fam, as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[100, 101, 102]));
    assert!(
        c.detail
            .contains("3 fixed-term exclusions over the last 3 terms"),
        "{}",
        c.detail
    );
}

// Rule: 3+ fixed-term exclusions: 4 is above the threshold.
#[test]
fn fixed_term_exclusions_4_met() {
    let fam = family(three_terms([(100, 0, 4), (100, 0, 0), (100, 0, 0)]));
    let c = education(&params(), &fam, as_of());
    assert!(c.met, "{}", c.detail);
    assert!(c.detail.contains("4 fixed-term exclusions"), "{}", c.detail);
}

// Rule: exclusions "over the last 3 consecutive terms": an earlier term's exclusions do not count.
#[test]
fn fixed_term_exclusions_outside_the_window_not_counted() {
    let mut facts = three_terms([(100, 0, 1), (100, 0, 1), (100, 0, 0)]);
    // Summer 2011/12 is before the window (autumn..summer 2012/13).
    facts.push(term_rec(103, CHILD, 2011, Term::Summer, 100, 0, 5));
    let c = education(&params(), &family(facts.clone()), as_of());
    assert!(!c.met, "{}", c.detail);

    // Autumn 2013/14 is in progress on as_of(): not a completed term, so not counted either.
    facts.pop();
    facts.push(term_rec(104, CHILD, 2013, Term::Autumn, 100, 0, 5));
    let c = education(&params(), &family(facts), as_of());
    assert!(!c.met, "{}", c.detail);
}

// Rule: "last 3 consecutive terms": an older term does not stand in for a missing one in the
// window (three recorded terms, but not the last three consecutive ones).
#[test]
fn older_term_does_not_fill_a_gap_in_the_window() {
    let fam = family(vec![
        term_rec(99, CHILD, 2011, Term::Summer, 100, 50, 3),
        term_rec(101, CHILD, 2012, Term::Spring, 100, 0, 0),
        term_rec(102, CHILD, 2012, Term::Summer, 100, 0, 0),
    ]);
    let c = education(&params(), &fam, as_of());
    assert!(!c.met, "{}", c.detail);
}

// Rule: "last 3 consecutive terms": absence in a term before the window is not counted.
#[test]
fn absence_outside_the_window_not_counted() {
    let mut facts = three_terms([(100, 0, 0), (100, 0, 0), (100, 0, 0)]);
    facts.push(term_rec(103, CHILD, 2011, Term::Summer, 100, 100, 0));
    assert!(!education(&params(), &family(facts), as_of()).met);
}

// Rule: exclusion and absence tests are per child: two children's counts are not added together.
#[test]
fn education_tests_are_per_child() {
    let mut fam = family(three_terms([(100, 0, 1), (100, 0, 1), (100, 0, 0)]));
    fam.members.push(person(CHILD2, d(2005, 1, 1), true));
    fam.facts
        .push(term_rec(110, CHILD2, 2012, Term::Autumn, 100, 0, 1));
    fam.facts
        .push(term_rec(111, CHILD2, 2012, Term::Spring, 100, 0, 0));
    fam.facts
        .push(term_rec(112, CHILD2, 2012, Term::Summer, 100, 0, 0));
    let c = education(&params(), &fam, as_of());
    assert!(!c.met, "3 exclusions across two children: {}", c.detail);
}

// ---------------------------------------------------------------------------------------------
// Education: "3 consecutive terms" must all be recorded; a later record replaces an earlier one
// ---------------------------------------------------------------------------------------------

// Rule: last 3 consecutive terms: with only 2 of the 3 recorded the tests cannot be met.
#[test]
fn only_two_of_three_terms_recorded_not_met() {
    // Absence far above the threshold in both terms, but spring is missing: not shown yet.
    let fam = family(vec![
        term_rec(100, CHILD, 2012, Term::Autumn, 100, 50, 0),
        term_rec(102, CHILD, 2012, Term::Summer, 100, 50, 0),
    ]);
    let c = education(&params(), &fam, as_of());
    assert!(!c.met, "{}", c.detail);
    assert!(c.evidence_ids.is_empty());
}

// Rule: 3+ fixed-term exclusions over the last 3 terms: exclusions already recorded count while
// a term's return is missing (three or more cannot become fewer).
#[test]
fn exclusions_count_while_a_term_is_missing() {
    let fam = family(vec![
        term_rec(100, CHILD, 2012, Term::Autumn, 100, 0, 2),
        term_rec(102, CHILD, 2012, Term::Summer, 100, 0, 1),
    ]);
    let c = education(&params(), &fam, as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[100, 102]));
    let two = family(vec![
        term_rec(100, CHILD, 2012, Term::Autumn, 100, 0, 1),
        term_rec(102, CHILD, 2012, Term::Summer, 100, 0, 1),
    ]);
    assert!(!education(&params(), &two, as_of()).met);
}

// Rule: one record per term: two records for the same term do not make up for a missing term.
#[test]
fn duplicate_term_does_not_fill_a_missing_term() {
    let fam = family(vec![
        term_rec(100, CHILD, 2012, Term::Autumn, 100, 50, 0),
        term_rec(101, CHILD, 2012, Term::Autumn, 100, 50, 0),
        term_rec(102, CHILD, 2012, Term::Summer, 100, 50, 0),
    ]);
    assert!(!education(&params(), &fam, as_of()).met);
}

// Rule: a later record for the same term replaces an earlier one (meets -> does not).
#[test]
fn later_term_record_replaces_earlier_lowering() {
    let mut facts = three_terms([(100, 20, 0), (100, 20, 0), (100, 20, 0)]);
    // Corrected spring return: no absence. Pooled: 40/300 = 13.33%.
    facts.push(term_rec(105, CHILD, 2012, Term::Spring, 100, 0, 0));
    let c = education(&params(), &family(facts), as_of());
    assert!(!c.met, "{}", c.detail);
}

// Rule: a later record for the same term replaces an earlier one (does not meet -> meets), and
// the evidence cites the record that counted, not the replaced one.
#[test]
fn later_term_record_replaces_earlier_raising() {
    let mut facts = three_terms([(100, 0, 1), (100, 0, 0), (100, 0, 1)]);
    facts.push(term_rec(105, CHILD, 2012, Term::Spring, 100, 0, 1));
    let c = education(&params(), &family(facts), as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[100, 102, 105]));
}

// Rule: school term records without a term are ignored.
#[test]
fn school_term_without_term_is_ignored() {
    let mut facts = three_terms([(100, 0, 1), (100, 0, 1), (100, 0, 0)]);
    let mut stray = term_rec(106, CHILD, 2012, Term::Summer, 100, 100, 9);
    stray.term = None;
    facts.push(stray);
    assert!(!education(&params(), &family(facts), as_of()).met);
}

// Rule: education tests apply to children: an adult's term records are not read.
#[test]
fn adults_term_records_not_counted() {
    let fam = family(vec![
        term_rec(100, MUM, 2012, Term::Autumn, 100, 50, 5),
        term_rec(101, MUM, 2012, Term::Spring, 100, 50, 5),
        term_rec(102, MUM, 2012, Term::Summer, 100, 50, 5),
    ]);
    assert!(!education(&params(), &fam, as_of()).met);
}

// Rule: consecutive_terms is a setting: with 2 terms, two recorded terms suffice.
#[test]
fn consecutive_terms_setting_is_respected() {
    let two = Phase1Params {
        consecutive_terms: 2,
        ..params()
    };
    let fam = family(vec![
        term_rec(101, CHILD, 2012, Term::Spring, 100, 20, 0),
        term_rec(102, CHILD, 2012, Term::Summer, 100, 20, 0),
    ]);
    let c = education(&two, &fam, as_of());
    assert!(c.met, "{}", c.detail);
    assert!(c.detail.contains("over the last 2 terms"), "{}", c.detail);
    assert!(!education(&params(), &fam, as_of()).met);
}

// ---------------------------------------------------------------------------------------------
// Education: permanent exclusion, alternative provision, not on roll
// ---------------------------------------------------------------------------------------------

// Rule: a child permanently excluded (during the terms looked at, up to the date).
#[test]
fn permanent_exclusion_within_the_terms() {
    let p = params();
    // Window starts 2012-09-01 (autumn 2012/13).
    let at = |on| family(vec![fact(40, Some(CHILD), Kind::PermanentExclusion, on)]);
    let c = education(&p, &at(d(2012, 9, 1)), as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[40]));
    assert!(c.detail.contains("permanent exclusion"), "{}", c.detail);
    // Also counted in the current (not yet completed) term, up to the date.
    assert!(education(&p, &at(as_of()), as_of()).met);
    // The day before the first term of the window: not counted.
    assert!(!education(&p, &at(d(2012, 8, 31)), as_of()).met);
    // After the date: not counted.
    assert!(!education(&p, &at(d(2013, 9, 16)), as_of()).met);
}

// Rule: a permanent exclusion meets the criterion without any term records.
#[test]
fn permanent_exclusion_needs_no_term_records() {
    let fam = family(vec![fact(
        40,
        Some(CHILD),
        Kind::PermanentExclusion,
        d(2013, 2, 1),
    )]);
    assert!(education(&params(), &fam, as_of()).met);
}

// Rule: in alternative provision (after exclusion) on the date: a current spell counts.
#[test]
fn alternative_provision_current_spell_met() {
    let p = params();
    let ap = |from, to| {
        family(vec![spell(
            41,
            Some(CHILD),
            Kind::AlternativeProvision,
            from,
            to,
        )])
    };
    // Open-ended.
    let c = education(&p, &ap(d(2013, 1, 1), None), as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[41]));
    assert!(c.detail.contains("alternative provision"), "{}", c.detail);
    // Ending on the date itself: still current.
    assert!(education(&p, &ap(d(2013, 1, 1), Some(as_of())), as_of()).met);
    // Ends after the date.
    assert!(education(&p, &ap(d(2013, 1, 1), Some(d(2014, 1, 1))), as_of()).met);
    // Starting on the date.
    assert!(education(&p, &ap(as_of(), None), as_of()).met);
}

// Rule: alternative provision "on the date": an ended spell, or one not yet started, does not count.
#[test]
fn alternative_provision_ended_or_future_spell_not_met() {
    let p = params();
    let ap = |from, to| {
        family(vec![spell(
            41,
            Some(CHILD),
            Kind::AlternativeProvision,
            from,
            to,
        )])
    };
    // Ended the day before.
    assert!(!education(&p, &ap(d(2013, 1, 1), Some(d(2013, 9, 14))), as_of()).met);
    // Starts the day after.
    assert!(!education(&p, &ap(d(2013, 9, 16), None), as_of()).met);
}

// Rule: a child not on a school roll on the date.
#[test]
fn not_on_roll_current_met_ended_not() {
    let p = params();
    let nor = |to| {
        family(vec![spell(
            42,
            Some(CHILD),
            Kind::NotOnRoll,
            d(2013, 7, 1),
            to,
        )])
    };
    let c = education(&p, &nor(None), as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[42]));
    assert!(c.detail.contains("not on a school roll"), "{}", c.detail);
    assert!(!education(&p, &nor(Some(d(2013, 9, 1))), as_of()).met);
}

// Rule: education is about children: an adult's alternative-provision or not-on-roll record,
// or one with no member, is not read.
#[test]
fn education_spells_of_non_children_ignored() {
    let fam = family(vec![
        spell(41, Some(MUM), Kind::NotOnRoll, d(2013, 1, 1), None),
        spell(42, None, Kind::AlternativeProvision, d(2013, 1, 1), None),
        fact(43, Some(MUM), Kind::PermanentExclusion, d(2013, 1, 1)),
    ]);
    assert!(!education(&params(), &fam, as_of()).met);
}

// Rule: no evidence -> education not met, with an explanation.
#[test]
fn education_no_evidence_not_met() {
    let c = education(&params(), &family(vec![]), as_of());
    assert_eq!(c.code, "education");
    assert!(!c.met);
    assert!(c.evidence_ids.is_empty());
    assert!(c.detail.contains("last 3 completed terms"), "{}", c.detail);
}

// ---------------------------------------------------------------------------------------------
// Crime / ASB: 12 months, under 18
// ---------------------------------------------------------------------------------------------

// Rule: proven offence "in the last 12 months": exactly 12 months before is outside the window,
// one day later is inside, a date after as_of is not counted.
#[test]
fn offence_12_month_window_boundaries() {
    let p = params();
    let off = |on| family(vec![fact(10, Some(TEEN), Kind::ProvenOffence, on)]);
    // 12 months before 2013-09-15 is 2012-09-15.
    assert!(!crime_asb(&p, &off(d(2012, 9, 15)), as_of()).met);
    let c = crime_asb(&p, &off(d(2012, 9, 16)), as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[10]));
    assert!(
        c.detail.starts_with("1 proven offence(s) by under-18"),
        "{}",
        c.detail
    );
    // On the date itself.
    assert!(crime_asb(&p, &off(as_of()), as_of()).met);
    // Future-dated.
    assert!(!crime_asb(&p, &off(d(2013, 9, 16)), as_of()).met);
}

// Rule: ASB intervention "in the last 12 months": same boundaries as offences.
#[test]
fn asb_intervention_12_month_window_boundaries() {
    let p = params();
    let asb = |on| family(vec![fact(11, Some(MUM), Kind::AsbIntervention, on)]);
    assert!(!crime_asb(&p, &asb(d(2012, 9, 15)), as_of()).met);
    let c = crime_asb(&p, &asb(d(2012, 9, 16)), as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[11]));
    assert!(c.detail.contains("1 ASB intervention(s)"), "{}", c.detail);
    assert!(crime_asb(&p, &asb(as_of()), as_of()).met);
    assert!(!crime_asb(&p, &asb(d(2013, 9, 16)), as_of()).met);
}

// Rule: the offence and ASB windows are separate settings.
#[test]
fn offence_and_asb_windows_are_separate_settings() {
    let p = Phase1Params {
        offence_window_months: 6,
        asb_window_months: 24,
        ..params()
    };
    let on = d(2012, 12, 1); // about 9.5 months before as_of
    let off = family(vec![fact(10, Some(TEEN), Kind::ProvenOffence, on)]);
    let asb = family(vec![fact(11, Some(MUM), Kind::AsbIntervention, on)]);
    assert!(!crime_asb(&p, &off, as_of()).met);
    assert!(crime_asb(&p, &asb, as_of()).met);
    // ASB 23 months back is within 24.
    let asb_old = family(vec![fact(
        11,
        Some(MUM),
        Kind::AsbIntervention,
        d(2011, 10, 15),
    )]);
    assert!(crime_asb(&p, &asb_old, as_of()).met);
}

// Rule: a member under 18 with a proven offence: the day before the 18th birthday counts, on the
// birthday it does not (age on the offence date).
#[test]
fn offence_age_18_boundary() {
    let p = params();
    // A young adult born 1995-03-10: 18 on 2013-03-10.
    let fam = |on| FamilyFacts {
        members: vec![person(5, d(1995, 3, 10), false)],
        ..family(vec![fact(12, Some(5), Kind::ProvenOffence, on)])
    };
    let c = crime_asb(&p, &fam(d(2013, 3, 9)), as_of());
    assert!(c.met, "day before the 18th birthday: {}", c.detail);
    assert_eq!(c.evidence_ids, ids(&[12]));
    assert!(
        !crime_asb(&p, &fam(d(2013, 3, 10)), as_of()).met,
        "on the 18th birthday"
    );
    assert!(!crime_asb(&p, &fam(d(2013, 3, 11)), as_of()).met);
}

// Rule: offences count for members under 18 only; an adult's offence does not count. ASB
// interventions count for any member.
#[test]
fn adult_offence_not_counted_adult_asb_counted() {
    let p = params();
    let adult_off = family(vec![fact(
        10,
        Some(MUM),
        Kind::ProvenOffence,
        d(2013, 6, 1),
    )]);
    let c = crime_asb(&p, &adult_off, as_of());
    assert!(!c.met, "{}", c.detail);
    assert!(c.detail.starts_with("0 proven offence(s)"), "{}", c.detail);
    let adult_asb = family(vec![fact(
        11,
        Some(MUM),
        Kind::AsbIntervention,
        d(2013, 6, 1),
    )]);
    assert!(crime_asb(&p, &adult_asb, as_of()).met);
}

// Rule: an offence by someone who is not a household member (or unknown) cannot be shown to be
// by an under-18 member: not counted.
#[test]
fn offence_by_unknown_member_not_counted() {
    let fam = family(vec![
        fact(10, None, Kind::ProvenOffence, d(2013, 6, 1)),
        fact(11, Some(99), Kind::ProvenOffence, d(2013, 6, 1)),
    ]);
    assert!(!crime_asb(&params(), &fam, as_of()).met);
}

// Rule: ASB *interventions* count; ASB incidents alone are not an intervention.
#[test]
fn asb_incident_is_not_an_intervention() {
    let fam = family(vec![fact(13, Some(TEEN), Kind::AsbIncident, d(2013, 6, 1))]);
    assert!(!crime_asb(&params(), &fam, as_of()).met);
}

// Rule: crime/ASB evidence lists every counted record, sorted and once each.
#[test]
fn crime_asb_evidence_lists_all_counted_records() {
    let fam = family(vec![
        fact(14, Some(MUM), Kind::AsbIntervention, d(2013, 1, 1)),
        fact(12, Some(TEEN), Kind::ProvenOffence, d(2013, 2, 1)),
        fact(13, Some(CHILD), Kind::ProvenOffence, d(2013, 3, 1)),
        fact(15, Some(TEEN), Kind::ProvenOffence, d(2011, 3, 1)), // too old
    ]);
    let c = crime_asb(&params(), &fam, as_of());
    assert!(c.met);
    assert_eq!(c.code, "crime_asb");
    assert_eq!(c.evidence_ids, ids(&[12, 13, 14]));
    assert!(c.detail.starts_with("2 proven offence(s)"), "{}", c.detail);
    assert!(c.detail.contains("1 ASB intervention(s)"), "{}", c.detail);
}

// Rule: 12 months back from 29 February (leap day) lands on 28 February.
#[test]
fn offence_window_from_a_leap_day() {
    let p = params();
    let as_of = d(2016, 2, 29);
    let fam = |on| FamilyFacts {
        members: vec![person(6, d(2000, 1, 1), true)],
        ..family(vec![fact(16, Some(6), Kind::ProvenOffence, on)])
    };
    assert!(!crime_asb(&p, &fam(d(2015, 2, 28)), as_of).met);
    assert!(crime_asb(&p, &fam(d(2015, 3, 1)), as_of).met);
}

// ---------------------------------------------------------------------------------------------
// Work: an adult receiving out-of-work benefits
// ---------------------------------------------------------------------------------------------

// Rule: an adult receiving out-of-work benefits on the date: current spell counts.
#[test]
fn adult_benefit_spell_current_met() {
    let p = params();
    let ben = |to| {
        family(vec![spell(
            30,
            Some(MUM),
            Kind::OutOfWorkBenefit,
            d(2012, 1, 1),
            to,
        )])
    };
    let c = work(&p, &ben(None), as_of());
    assert!(c.met, "{}", c.detail);
    assert_eq!(c.code, "work");
    assert_eq!(c.evidence_ids, ids(&[30]));
    assert!(
        c.detail.contains("1 adult benefit spell(s)"),
        "{}",
        c.detail
    );
    // Ending on the date: still receiving on it.
    assert!(work(&p, &ben(Some(as_of())), as_of()).met);
}

// Rule: receiving benefits *on the date*: a spell ended the day before, or starting after, does not count.
#[test]
fn adult_benefit_spell_ended_or_future_not_met() {
    let p = params();
    let ended = family(vec![spell(
        30,
        Some(MUM),
        Kind::OutOfWorkBenefit,
        d(2012, 1, 1),
        Some(d(2013, 9, 14)),
    )]);
    assert!(!work(&p, &ended, as_of()).met);
    let future = family(vec![spell(
        30,
        Some(MUM),
        Kind::OutOfWorkBenefit,
        d(2013, 9, 16),
        None,
    )]);
    assert!(!work(&p, &future, as_of()).met);
}

// Rule: an *adult* receiving benefits: a child's benefit spell does not count; the member turns
// adult on the 18th birthday (age on the date).
#[test]
fn child_benefit_spell_not_counted() {
    let p = params();
    // TEEN turns 18 on 2014-09-01.
    let fam = family(vec![spell(
        31,
        Some(TEEN),
        Kind::OutOfWorkBenefit,
        d(2013, 1, 1),
        None,
    )]);
    assert!(!work(&p, &fam, as_of()).met);
    assert!(!work(&p, &fam, d(2014, 8, 31)).met);
    assert!(work(&p, &fam, d(2014, 9, 1)).met);
    // A spell with no member.
    let none = family(vec![spell(
        32,
        None,
        Kind::OutOfWorkBenefit,
        d(2013, 1, 1),
        None,
    )]);
    assert!(!work(&p, &none, as_of()).met);
}

// Rule: other work-related records (employment, Work Programme) are not out-of-work benefits.
#[test]
fn other_work_records_are_not_benefits() {
    let fam = family(vec![
        spell(33, Some(MUM), Kind::Employment, d(2013, 1, 1), None),
        spell(34, Some(MUM), Kind::WorkProgramme, d(2013, 1, 1), None),
    ]);
    assert!(!work(&params(), &fam, as_of()).met);
}

// ---------------------------------------------------------------------------------------------
// Local filters
// ---------------------------------------------------------------------------------------------

// Rule: local filter "living in a deprived community": postcode district on the list.
#[test]
fn deprived_area_by_postcode_district() {
    let p = params();
    let mut fam = family(vec![]);
    fam.postcode = "S60 2AA".into();
    let f = local_filters(&p, &fam, as_of());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "deprived_area");
    assert!(f[0].met);
    assert!(f[0].evidence_ids.is_empty());
    assert!(f[0].detail.contains("S60"), "{}", f[0].detail);
    // A district that merely shares a prefix is not on the list.
    fam.postcode = "S6 1AA".into();
    assert!(local_filters(&p, &fam, as_of()).is_empty());
    fam.postcode = "S65 1AA".into();
    assert!(local_filters(&p, &fam, as_of()).is_empty());
}

// Rule: the filter list is configuration: a deprived postcode counts only if "deprived_area" is listed.
#[test]
fn deprived_area_only_if_listed() {
    let p = Phase1Params {
        local_filters: vec!["benefit_cap".into()],
        ..params()
    };
    let mut fam = family(vec![]);
    fam.postcode = "S60 2AA".into();
    assert!(local_filters(&p, &fam, as_of()).is_empty());
}

// Rule: a local filter recorded as a fact applies while current on the date.
#[test]
fn local_filter_fact_current_and_ended() {
    let p = params();
    let lf = |to| {
        family(vec![labelled_fact(
            50,
            Some(MUM),
            Kind::LocalFilter,
            "adult_mental_health",
            d(2013, 1, 1),
            to,
        )])
    };
    let f = local_filters(&p, &lf(None), as_of());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].code, "adult_mental_health");
    assert_eq!(f[0].evidence_ids, ids(&[50]));
    assert_eq!(local_filters(&p, &lf(Some(as_of())), as_of()).len(), 1);
    assert!(local_filters(&p, &lf(Some(d(2013, 9, 14))), as_of()).is_empty());
}

// Rule: a local filter fact not in the ruleset's filter list is ignored.
#[test]
fn local_filter_fact_not_in_ruleset_ignored() {
    let fam = family(vec![labelled_fact(
        51,
        Some(MUM),
        Kind::LocalFilter,
        "rent_arrears", // a known filter, but not in these params
        d(2013, 1, 1),
        None,
    )]);
    assert!(local_filters(&params(), &fam, as_of()).is_empty());
    // And a labelled fact of another kind does not count as the filter.
    let fam = family(vec![labelled_fact(
        52,
        Some(MUM),
        Kind::Phase2Problem,
        "domestic_abuse",
        d(2013, 1, 1),
        None,
    )]);
    assert!(local_filters(&params(), &fam, as_of()).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Phase 1 verdict
// ---------------------------------------------------------------------------------------------

// Rule: a family meeting all three national criteria is in the cohort.
#[test]
fn phase1_three_of_three_eligible() {
    let fam = family(vec![crime_fact(), education_fact(), work_fact()]);
    let v = phase1(&params(), &fam, as_of());
    assert!(v.eligible, "{}", v.reason);
    assert!(v.reason.contains("all three"), "{}", v.reason);
    let codes: Vec<&str> = v.criteria.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["crime_asb", "education", "work"]);
    assert!(v.criteria.iter().all(|c| c.met));
    // Evidence per criterion.
    assert_eq!(v.criteria[0].evidence_ids, ids(&[10]));
    assert_eq!(v.criteria[1].evidence_ids, ids(&[20]));
    assert_eq!(v.criteria[2].evidence_ids, ids(&[30]));
    assert!(v.local_filters.is_empty());
}

// Rule: two of three plus a local filter (deprived area) is in the cohort; the reason names it.
#[test]
fn phase1_two_of_three_with_deprived_area_eligible() {
    let mut fam = family(vec![crime_fact(), work_fact()]);
    fam.postcode = "S60 2AA".into();
    let v = phase1(&params(), &fam, as_of());
    assert!(v.eligible, "{}", v.reason);
    assert!(v.reason.contains("crime_asb, work"), "{}", v.reason);
    assert!(v.reason.contains("deprived_area"), "{}", v.reason);
    assert_eq!(v.local_filters.len(), 1);
    assert_eq!(v.local_filters[0].code, "deprived_area");
    assert!(!v.criteria[1].met);
}

// Rule: two of three plus a current local-filter fact is in the cohort; the reason names it.
#[test]
fn phase1_two_of_three_with_local_filter_fact_eligible() {
    let fam = family(vec![
        education_fact(),
        work_fact(),
        labelled_fact(
            53,
            Some(MUM),
            Kind::LocalFilter,
            "domestic_abuse",
            d(2013, 5, 1),
            None,
        ),
    ]);
    let v = phase1(&params(), &fam, as_of());
    assert!(v.eligible, "{}", v.reason);
    assert!(v.reason.contains("education, work"), "{}", v.reason);
    assert!(v.reason.contains("domestic_abuse"), "{}", v.reason);
    assert_eq!(v.local_filters[0].evidence_ids, ids(&[53]));
}

// Rule: two of three without any local filter is not in the cohort.
#[test]
fn phase1_two_of_three_without_filter_not_eligible() {
    let fam = family(vec![crime_fact(), education_fact()]);
    let v = phase1(&params(), &fam, as_of());
    assert!(!v.eligible, "{}", v.reason);
    assert!(v.reason.contains("no local filter"), "{}", v.reason);
    assert!(v.local_filters.is_empty());
}

// Rule: two of three with only an ended local filter is not in the cohort.
#[test]
fn phase1_two_of_three_with_ended_filter_not_eligible() {
    let fam = family(vec![
        crime_fact(),
        education_fact(),
        labelled_fact(
            54,
            Some(MUM),
            Kind::LocalFilter,
            "benefit_cap",
            d(2012, 1, 1),
            Some(d(2013, 1, 1)),
        ),
    ]);
    assert!(!phase1(&params(), &fam, as_of()).eligible);
}

// Rule: a local filter fact not in the ruleset's list does not make two of three eligible.
#[test]
fn phase1_two_of_three_with_unlisted_filter_not_eligible() {
    let fam = family(vec![
        crime_fact(),
        work_fact(),
        labelled_fact(
            55,
            Some(MUM),
            Kind::LocalFilter,
            "member_in_custody",
            d(2013, 1, 1),
            None,
        ),
    ]);
    let v = phase1(&params(), &fam, as_of());
    assert!(!v.eligible, "{}", v.reason);
    assert!(v.local_filters.is_empty());
}

// Rule: one of three is not enough, even with a local filter.
#[test]
fn phase1_one_of_three_not_eligible_even_with_filter() {
    let mut fam = family(vec![work_fact()]);
    fam.postcode = "S60 2AA".into();
    let v = phase1(&params(), &fam, as_of());
    assert!(!v.eligible, "{}", v.reason);
    assert!(v.reason.contains("Meets 1 of the three"), "{}", v.reason);
}

// Rule: none of three is not eligible.
#[test]
fn phase1_none_not_eligible() {
    let v = phase1(&params(), &family(vec![]), as_of());
    assert!(!v.eligible);
    assert!(v.reason.contains("Meets 0 of the three"), "{}", v.reason);
    assert!(v
        .criteria
        .iter()
        .all(|c| !c.met && c.evidence_ids.is_empty()));
}

// Rule: eligibility can be recomputed for any date: the same facts give different verdicts on
// different dates.
#[test]
fn phase1_recomputed_for_another_date() {
    let fam = family(vec![crime_fact(), education_fact(), work_fact()]);
    // Before the offence and before the child left the roll: only work.
    let v = phase1(&params(), &fam, d(2013, 5, 1));
    assert!(!v.eligible);
    assert!(v.criteria[2].met);
    assert!(!v.criteria[0].met && !v.criteria[1].met);
    // More than 12 months after the offence: crime no longer met.
    let v = phase1(&params(), &fam, d(2014, 6, 1));
    assert!(!v.criteria[0].met);
    assert!(!v.eligible, "{}", v.reason);
}

// ---------------------------------------------------------------------------------------------
// Phase 2: at least 2 of the 6 headline problems
// ---------------------------------------------------------------------------------------------

fn problem(n: u128, label: &str, from: NaiveDate, to: Option<NaiveDate>) -> Fact {
    labelled_fact(n, Some(MUM), Kind::Phase2Problem, label, from, to)
}

// Rule: phase 2 needs at least 2 of the 6 problems: 1 is not enough.
#[test]
fn phase2_one_problem_not_eligible() {
    let fam = family(vec![problem(60, "crime_asb", d(2013, 6, 1), None)]);
    let v = phase2(&phase2_params(), &fam, as_of());
    assert!(!v.eligible, "{}", v.reason);
    assert!(v.reason.contains("Has 1 of the six"), "{}", v.reason);
}

// Rule: phase 2, at least 2 of 6: two distinct problems are eligible, evidence per problem.
#[test]
fn phase2_two_problems_eligible() {
    let fam = family(vec![
        problem(60, "crime_asb", d(2013, 6, 1), None),
        problem(61, "health", d(2013, 7, 1), None),
    ]);
    let v = phase2(&phase2_params(), &fam, as_of());
    assert!(v.eligible, "{}", v.reason);
    assert_eq!(v.criteria.len(), 6);
    let crime = v.criteria.iter().find(|c| c.code == "crime_asb").unwrap();
    assert_eq!(crime.evidence_ids, ids(&[60]));
    let health = v.criteria.iter().find(|c| c.code == "health").unwrap();
    assert_eq!(health.evidence_ids, ids(&[61]));
    assert!(
        v.reason
            .contains("Has 2 of the six headline problems; 2 needed"),
        "{}",
        v.reason
    );
}

// Rule: phase 2 counts problems, not records: two records of the same problem are one problem.
#[test]
fn phase2_same_problem_twice_is_one() {
    let fam = family(vec![
        problem(60, "domestic_abuse", d(2013, 6, 1), None),
        problem(61, "domestic_abuse", d(2013, 7, 1), None),
    ]);
    let v = phase2(&phase2_params(), &fam, as_of());
    assert!(!v.eligible, "{}", v.reason);
}

// Rule: phase 2 problems are the six headline problems: other labels are ignored.
#[test]
fn phase2_unknown_problem_label_ignored() {
    let fam = family(vec![
        problem(60, "crime_asb", d(2013, 6, 1), None),
        problem(61, "rent_arrears", d(2013, 6, 1), None),
    ]);
    assert!(!phase2(&phase2_params(), &fam, as_of()).eligible);
}

// Rule: a problem counts if recorded within the 12-month window: exactly 12 months before is
// out, a day later is in, future-dated is out.
#[test]
fn phase2_window_boundaries() {
    let p = phase2_params();
    let with_second = |on| {
        family(vec![
            problem(60, "crime_asb", d(2013, 6, 1), None),
            problem(61, "school_attendance", on, None),
        ])
    };
    assert!(!phase2(&p, &with_second(d(2012, 9, 15)), as_of()).eligible);
    assert!(phase2(&p, &with_second(d(2012, 9, 16)), as_of()).eligible);
    assert!(phase2(&p, &with_second(as_of()), as_of()).eligible);
    assert!(!phase2(&p, &with_second(d(2013, 9, 16)), as_of()).eligible);
}

// Rule: a problem recorded before the window still counts if its spell is ongoing on the date.
#[test]
fn phase2_ongoing_spell_counts_ended_spell_does_not() {
    let p = phase2_params();
    let with_second = |to| {
        family(vec![
            problem(60, "crime_asb", d(2013, 6, 1), None),
            problem(61, "children_need_help", d(2010, 1, 1), to),
        ])
    };
    // Spell running past the date.
    let v = phase2(&p, &with_second(Some(d(2014, 1, 1))), as_of());
    assert!(v.eligible, "{}", v.reason);
    // Spell ending on the date.
    assert!(phase2(&p, &with_second(Some(as_of())), as_of()).eligible);
    // Spell ended the day before (and started before the window).
    assert!(!phase2(&p, &with_second(Some(d(2013, 9, 14))), as_of()).eligible);
}

// Rule: the minimum number of problems is a setting.
#[test]
fn phase2_minimum_is_a_setting() {
    let p = Phase2Params {
        minimum_problems: 3,
        ..phase2_params()
    };
    let mut facts = vec![
        problem(60, "crime_asb", d(2013, 6, 1), None),
        problem(61, "health", d(2013, 6, 1), None),
    ];
    assert!(!phase2(&p, &family(facts.clone()), as_of()).eligible);
    facts.push(problem(
        62,
        "worklessness_financial_exclusion",
        d(2013, 6, 1),
        None,
    ));
    assert!(phase2(&p, &family(facts), as_of()).eligible);
}

// ---------------------------------------------------------------------------------------------
// Supporting Families: dependent children or an expectant parent, and at least 3 needs
// ---------------------------------------------------------------------------------------------

fn need(n: u128, label: &str, from: NaiveDate) -> Fact {
    labelled_fact(n, Some(MUM), Kind::SfNeed, label, from, None)
}

fn needs(k: usize) -> Vec<Fact> {
    SF_NEEDS
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, label)| need(70 + i as u128, label, d(2013, 6, 1)))
        .collect()
}

fn adults_only(facts: Vec<Fact>) -> FamilyFacts {
    FamilyFacts {
        members: vec![person(MUM, d(1980, 5, 1), false)],
        ..family(facts)
    }
}

// Rule: Supporting Families needs at least 3 needs: 2 with dependent children is not enough.
#[test]
fn sf_two_needs_not_eligible() {
    let v = supporting_families(&sf_params(), &family(needs(2)), as_of());
    assert!(!v.eligible, "{}", v.reason);
    assert!(v.criteria[0].met);
    assert!(
        v.reason.contains("Has 2 of the ten needs; 3 needed"),
        "{}",
        v.reason
    );
}

// Rule: Supporting Families: dependent children and 3 needs is eligible; evidence per need.
#[test]
fn sf_three_needs_with_children_eligible() {
    let v = supporting_families(&sf_params(), &family(needs(3)), as_of());
    assert!(v.eligible, "{}", v.reason);
    assert_eq!(v.criteria.len(), 11);
    assert_eq!(v.criteria[0].code, "dependent_children");
    let education = v.criteria.iter().find(|c| c.code == "education").unwrap();
    assert_eq!(education.evidence_ids, ids(&[70]));
    assert_eq!(v.criteria.iter().skip(1).filter(|c| c.met).count(), 3);
}

// Rule: Supporting Families: 4 needs is eligible too (above the threshold).
#[test]
fn sf_four_needs_with_children_eligible() {
    assert!(supporting_families(&sf_params(), &family(needs(4)), as_of()).eligible);
}

// Rule: Supporting Families needs dependent children or an expectant parent: neither -> not
// eligible however many needs.
#[test]
fn sf_no_children_no_expectant_parent_not_eligible() {
    let v = supporting_families(&sf_params(), &adults_only(needs(5)), as_of());
    assert!(!v.eligible, "{}", v.reason);
    assert!(!v.criteria[0].met);
    assert!(v.reason.contains("No dependent children"), "{}", v.reason);
}

// Rule: Supporting Families: an expectant parent counts in place of dependent children.
#[test]
fn sf_expectant_parent_counts() {
    let mut facts = needs(3);
    facts.push(need(80, SF_EXPECTANT_PARENT, d(2013, 8, 1)));
    let v = supporting_families(&sf_params(), &adults_only(facts), as_of());
    assert!(v.eligible, "{}", v.reason);
    assert!(v.criteria[0].met);
    assert_eq!(v.criteria[0].evidence_ids, ids(&[80]));
}

// Rule: the expectant-parent fact is not itself one of the ten needs.
#[test]
fn sf_expectant_parent_is_not_a_need() {
    let mut facts = needs(2);
    facts.push(need(80, SF_EXPECTANT_PARENT, d(2013, 8, 1)));
    let v = supporting_families(&sf_params(), &adults_only(facts), as_of());
    assert!(!v.eligible, "{}", v.reason);
    assert!(v.reason.contains("Has 2 of the ten needs"), "{}", v.reason);
}

// Rule: dependent children are members under 18 on the date: a member turning 18 that day no
// longer counts; one not yet born does not count.
#[test]
fn sf_dependent_child_age_boundary() {
    let p = sf_params();
    let with = |dob| FamilyFacts {
        members: vec![person(MUM, d(1980, 5, 1), false), person(7, dob, true)],
        ..family(needs(3))
    };
    // 18 on 2013-09-16: still 17 on as_of.
    assert!(supporting_families(&p, &with(d(1995, 9, 16)), as_of()).eligible);
    // 18 on as_of.
    assert!(!supporting_families(&p, &with(d(1995, 9, 15)), as_of()).eligible);
    // Born after the date.
    assert!(!supporting_families(&p, &with(d(2013, 10, 1)), as_of()).eligible);
}

// Rule: needs count within the 12-month window: exactly 12 months before is out, a day later in.
#[test]
fn sf_need_window_boundary() {
    let p = sf_params();
    let with_third = |on| {
        let mut facts = needs(2);
        facts.push(need(79, "housing", on));
        family(facts)
    };
    assert!(!supporting_families(&p, &with_third(d(2012, 9, 15)), as_of()).eligible);
    assert!(supporting_families(&p, &with_third(d(2012, 9, 16)), as_of()).eligible);
    assert!(!supporting_families(&p, &with_third(d(2013, 9, 16)), as_of()).eligible);
}

// Rule: an expectant-parent record older than the window (and not an ongoing spell) no longer counts.
#[test]
fn sf_stale_expectant_parent_does_not_count() {
    let mut facts = needs(3);
    facts.push(need(80, SF_EXPECTANT_PARENT, d(2012, 1, 1)));
    let v = supporting_families(&sf_params(), &adults_only(facts), as_of());
    assert!(!v.eligible, "{}", v.reason);
}

#[test]
fn deprived_area_by_lsoa() {
    // Rule: the deprived-area list may name LSOAs as well as postcode districts.
    let mut p = params();
    p.deprived_areas.lsoas = vec!["E01007659".into()];
    let mut fam = family(vec![]);
    fam.postcode = "LS1 4AP".into();
    assert!(local_filters(&p, &fam, as_of()).is_empty());
    fam.lsoa = Some("E01007659".into());
    let hits = local_filters(&p, &fam, as_of());
    assert_eq!(hits.len(), 1);
    assert!(hits[0].detail.contains("LSOA E01007659"));
    fam.lsoa = Some("E01007660".into());
    assert!(local_filters(&p, &fam, as_of()).is_empty());
}
