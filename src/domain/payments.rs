//! Money rules that depend on one family: docs/rules.md, "Phase 1 money" and "Phase 2 and
//! Supporting Families". Amounts are integer pence.

use chrono::{Datelike, NaiveDate};

use super::eligibility::{Phase1Params, Phase2Params};

/// The UK financial year (April to March) a date falls in, named by its first calendar year:
/// 2013-03-31 is in 2012 (2012/13), 2013-04-01 in 2013 (2013/14).
pub fn financial_year(d: NaiveDate) -> i32 {
    if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    }
}

/// "2012/13" for 2012.
pub fn financial_year_label(year: i32) -> String {
    format!("{year}/{:02}", (year + 1) % 100)
}

/// Phase 1's attachment fee for one family: the year's share of the maximum per family
/// (80% / 60% / 40% of £4,000 in 2012/13, 2013/14, 2014/15). `None` outside the schedule: the
/// programme did not attach families then. The deadweight deduction applies to the cohort, not
/// here.
pub fn phase1_attachment_fee(p: &Phase1Params, year: i32) -> Option<i64> {
    p.payments
        .attachment_fee_basis_points_by_year
        .get(&year.to_string())
        .map(|bp| p.payments.max_per_family_pence * bp / 10_000)
}

/// Phase 2's attachment fee (£1,000 a family).
pub fn phase2_attachment_fee(p: &Phase2Params) -> i64 {
    p.payments.attachment_fee_pence
}

/// The schedule's amount for a phase 1 result, by the financial year the family was attached
/// in: crime/ASB and education £700 / £1,500 / £2,300, progress to work £100, continuous
/// employment £800 / £1,600 / £2,400. `None` where the schedule has no amount for that year.
pub fn phase1_result(p: &Phase1Params, result: &str, year: i32) -> Option<i64> {
    let pay = &p.payments;
    let y = year.to_string();
    match result {
        super::outcomes::CRIME_ASB_EDUCATION => {
            pay.crime_asb_education_pence_by_year.get(&y).copied()
        }
        super::outcomes::PROGRESS_TO_WORK => Some(pay.progress_to_work_pence),
        super::outcomes::CONTINUOUS_EMPLOYMENT => {
            pay.continuous_employment_pence_by_year.get(&y).copied()
        }
        _ => None,
    }
}

/// What may still be paid for a result within the per-family maximum: the schedule's amount,
/// less anything over the maximum once the attachment fee and results already claimed are
/// counted (phase 1: at most £4,000 a family). Never negative.
pub fn within_maximum(amount: i64, maximum: i64, fee: i64, already_claimed: i64) -> i64 {
    amount.min((maximum - fee - already_claimed).max(0)).max(0)
}

/// Families funded by attachment fees once `attached` have been attached in all (counted
/// cumulatively): all but the deadweight share (one in six), rounded half up, as the council's
/// figures show (609 x 5/6 = 507.5 -> 508).
pub fn funded_families(
    attached: i64,
    deadweight_numerator: i64,
    deadweight_denominator: i64,
) -> i64 {
    let kept = deadweight_denominator - deadweight_numerator;
    // round(a * k / d) half up, in integers: floor((2ak + d) / 2d).
    (2 * attached * kept + deadweight_denominator) / (2 * deadweight_denominator)
}

/// One financial year's attachment fees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFees {
    pub year: i32,
    pub attached: i64,
    pub attached_to_date: i64,
    pub funded: i64,
    pub fee_per_family: i64,
    pub fees: i64,
}

/// Attachment fees per financial year from the families attached in each (year, families, the
/// fee per family they were attached with): the families funded to date less those funded
/// before, times that year's fee. A deadweight of 0 in 1 funds every family.
pub fn attachment_fees(
    deadweight: (i64, i64),
    attached_by_year: &[(i32, i64, i64)],
) -> Vec<YearFees> {
    let mut years = attached_by_year.to_vec();
    years.sort();
    let (mut to_date, mut funded_before) = (0, 0);
    years
        .into_iter()
        .map(|(year, attached, fee_per_family)| {
            to_date += attached;
            let funded_to_date = funded_families(to_date, deadweight.0, deadweight.1);
            let funded = funded_to_date - funded_before;
            funded_before = funded_to_date;
            YearFees {
                year,
                attached,
                attached_to_date: to_date,
                funded,
                fee_per_family,
                fees: funded * fee_per_family,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::eligibility::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn params() -> Phase1Params {
        serde_json::from_value(serde_json::json!({
            "offence_window_months": 12, "asb_window_months": 12, "adult_age": 18,
            "consecutive_terms": 3, "absence_measure": "unauthorised",
            "absence_threshold_basis_points": 1500, "fixed_term_exclusions_threshold": 3,
            "local_filters": [], "deprived_areas": {"postcode_districts": [], "lsoas": []},
            "payments": {
                "max_per_family_pence": 400000,
                "attachment_fee_basis_points_by_year": {"2012": 8000, "2013": 6000, "2014": 4000},
                "crime_asb_education_pence_by_year": {"2012": 70000, "2013": 150000, "2014": 230000},
                "progress_to_work_pence": 10000,
                "continuous_employment_pence_by_year": {"2012": 80000, "2013": 160000, "2014": 240000},
                "deadweight_numerator": 1, "deadweight_denominator": 6
            }
        }))
        .unwrap()
    }

    #[test]
    fn the_financial_year_turns_on_the_first_of_april() {
        assert_eq!(financial_year(d(2013, 3, 31)), 2012);
        assert_eq!(financial_year(d(2013, 4, 1)), 2013);
        assert_eq!(financial_year(d(2014, 12, 31)), 2014);
        assert_eq!(financial_year_label(2012), "2012/13");
        assert_eq!(financial_year_label(1999), "1999/00");
    }

    #[test]
    fn phase_1_fees_are_80_60_40_percent_of_4000_pounds() {
        // docs/rules.md: 203 funded families x £3,200 = £649,600 in year 1.
        let p = params();
        assert_eq!(phase1_attachment_fee(&p, 2012), Some(320_000));
        assert_eq!(phase1_attachment_fee(&p, 2013), Some(240_000));
        assert_eq!(phase1_attachment_fee(&p, 2014), Some(160_000));
        assert_eq!(
            phase1_attachment_fee(&p, 2015),
            None,
            "phase 1 attached no families in 2015/16"
        );
    }

    #[test]
    fn the_reports_attachment_fees_come_out_exactly() {
        // docs/rules.md, "Phase 1 money": 244 attached in year 1 -> 203 funded x £3,200 =
        // £649,600; 609 by year 2 -> 507.5 rounded half up to 508, 305 more x £2,400 = £732,000.
        let p = params();
        let fee = |y| phase1_attachment_fee(&p, y).unwrap();
        let fees = attachment_fees((1, 6), &[(2013, 365, fee(2013)), (2012, 244, fee(2012))]);
        assert_eq!(fees[0].funded, 203);
        assert_eq!(fees[0].fees, 64_960_000);
        assert_eq!(fees[1].attached_to_date, 609);
        assert_eq!(fees[1].funded, 305);
        assert_eq!(fees[1].fees, 73_200_000);
        // Without deadweight (phase 2), every family is funded.
        let all = attachment_fees((0, 1), &[(2015, 7, 100_000)]);
        assert_eq!((all[0].funded, all[0].fees), (7, 700_000));
    }

    #[test]
    fn funded_families_round_half_up() {
        assert_eq!(funded_families(609, 1, 6), 508, "507.5 rounds up");
        assert_eq!(funded_families(244, 1, 6), 203, "203.33 rounds down");
        assert_eq!(funded_families(6, 1, 6), 5);
        assert_eq!(funded_families(0, 1, 6), 0);
        assert_eq!(funded_families(3, 1, 6), 3, "2.5 rounds up");
    }

    #[test]
    fn results_follow_the_schedule_by_attachment_year() {
        let p = params();
        assert_eq!(phase1_result(&p, "crime_asb_education", 2012), Some(70_000));
        assert_eq!(
            phase1_result(&p, "crime_asb_education", 2014),
            Some(230_000)
        );
        assert_eq!(
            phase1_result(&p, "continuous_employment", 2013),
            Some(160_000)
        );
        assert_eq!(phase1_result(&p, "progress_to_work", 2014), Some(10_000));
        assert_eq!(phase1_result(&p, "crime_asb_education", 2015), None);
    }

    #[test]
    fn no_family_is_paid_more_than_4000_pounds() {
        // Fee £3,200 + crime/ASB and education £700 = £3,900; progress to work brings £100 more.
        assert_eq!(within_maximum(10_000, 400_000, 320_000, 70_000), 10_000);
        // Continuous employment after progress to work: only £700 of the £800 is left.
        assert_eq!(within_maximum(80_000, 400_000, 320_000, 10_000), 70_000);
        assert_eq!(within_maximum(80_000, 400_000, 320_000, 80_000), 0);
        assert_eq!(
            within_maximum(80_000, 400_000, 400_000, 10_000),
            0,
            "never negative"
        );
    }
}
