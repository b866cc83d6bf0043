//! Money rules that depend on one family: programme-rules.md, "Phase 1 money" and "Phase 2 and
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
        // programme-rules.md: 203 funded families x £3,200 = £649,600 in year 1.
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
}
