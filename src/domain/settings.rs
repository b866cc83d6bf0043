//! How results are judged and claimed: the outcome settings of a ruleset revision (the parts
//! councils read differently), shared by eligibility's parameters and the results engine and
//! depending on neither. Defaults are the national rules.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a child who left school before the terms looked at is treated (councils differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EarlierLeavers {
    /// Not tested at all (our default reading).
    NotTested,
    /// Judged on their last terms before leaving.
    LastTermsBeforeLeaving,
}

/// Which of two results that do not combine is claimed when a window finds both newly achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WhenBothAchieved {
    /// Continuous employment: the larger payment in every year of the phase 1 schedule (£800 /
    /// £1,600 / £2,400 against £700 / £1,500 / £2,300), and the national aim that employment is
    /// at least 1% of results.
    ContinuousEmployment,
    /// Crime/ASB and education, for a council that reads its Outcomes Plan that way.
    CrimeAsbEducation,
}

/// The last day phase 1 results could be claimed: the May 2015 window was the last of the phase
/// 1 plan (issue 15), while phase 2 families were already being attached.
pub fn phase1_last_claim_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2015, 5, 31).expect("date")
}

/// Whether a window with this cut-off may claim under a revision whose last claim day is
/// `last` (none: no end set). The one test of "a ruleset stops claiming".
pub fn open_for_claims(last: Option<NaiveDate>, cut_off: NaiveDate) -> bool {
    last.is_none_or(|l| cut_off <= l)
}

/// Phase 1 outcome settings of a ruleset revision. Defaults are the national rules.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Phase1Outcomes {
    /// Months compared before attachment and before the date judged (6).
    pub comparison_months: u32,
    /// ASB across the family must fall by at least this much (6000 = 60%).
    pub asb_reduction_basis_points: u32,
    /// Offending by under-18s must fall by at least this much (3300 = 33%).
    pub offending_reduction_basis_points: u32,
    /// Test components that did not apply at entry too (national reading: they are not tested).
    pub test_components_absent_at_entry: bool,
    pub earlier_school_leavers: EarlierLeavers,
    /// Weeks of continuous work that make continuous employment (Rotherham 26; others 13).
    pub continuous_employment_weeks: u32,
    /// Families the council was asked to turn around (Rotherham: 730 over three years).
    pub target_families: u32,
    /// The latest claim window cut-off that may claim under this revision (2015-05-31: phase 1
    /// claims ended with the May 2015 window); null for no end. A later window claims nothing
    /// under it and says so.
    pub last_claim_on: Option<NaiveDate>,
    /// Which result is claimed when continuous employment and crime/ASB and education are both
    /// newly achieved in one window (they do not combine).
    pub when_both_achieved: WhenBothAchieved,
}

impl Default for Phase1Outcomes {
    fn default() -> Self {
        Phase1Outcomes {
            last_claim_on: Some(phase1_last_claim_on()),
            when_both_achieved: WhenBothAchieved::ContinuousEmployment,
            target_families: 730,
            comparison_months: 6,
            asb_reduction_basis_points: 6000,
            offending_reduction_basis_points: 3300,
            test_components_absent_at_entry: false,
            earlier_school_leavers: EarlierLeavers::NotTested,
            continuous_employment_weeks: 26,
        }
    }
}

/// Phase 2 outcome settings: the council's Outcomes Plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Phase2Outcomes {
    /// Per headline problem: months without any indicator of it that count as significant and
    /// sustained progress. A problem not listed uses `default_sustained_months`.
    pub sustained_months_by_problem: BTreeMap<String, u32>,
    pub default_sustained_months: u32,
    pub continuous_employment_weeks: u32,
    pub adult_age: u32,
    /// Families the council plans to work with (Rotherham: about 2,555 over five years).
    pub target_families: u32,
    /// The latest claim window cut-off that may claim under this revision; null for no end.
    pub last_claim_on: Option<NaiveDate>,
}

impl Default for Phase2Outcomes {
    fn default() -> Self {
        Phase2Outcomes {
            last_claim_on: None,
            target_families: 2555,
            sustained_months_by_problem: BTreeMap::new(),
            default_sustained_months: 6,
            continuous_employment_weeks: 26,
            adult_age: 18,
        }
    }
}

/// Supporting Families outcome settings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SfOutcomes {
    /// Months after the case closed that every outcome must hold (6).
    pub sustained_months_after_closure: u32,
    /// Families the council plans to work with; 0 when it has no target.
    pub target_families: u32,
    /// The latest claim window cut-off that may claim under this revision; null for no end.
    pub last_claim_on: Option<NaiveDate>,
}

impl Default for SfOutcomes {
    fn default() -> Self {
        SfOutcomes {
            last_claim_on: None,
            target_families: 0,
            sustained_months_after_closure: 6,
        }
    }
}
