//! How families are worked with (docs/rules.md, "How families are worked with"): reviews of
//! the Team Around the Family every 6-12 weeks, and which way a move between social care and early
//! help goes.

use chrono::{Days, NaiveDate};

text_enum!(
    /// `draft` while the assessment is done, `active` once agreed (its plan in force), `closed`.
    AssessmentStatus {
        Draft => "draft",
        Active => "active",
        Closed => "closed",
    }
);

text_enum!(
    /// `planned`, then `held` (with who came and what was decided) or `cancelled`.
    MeetingStatus {
        Planned => "planned",
        Held => "held",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// An action is `open` until `done` or `dropped`.
    ActionStatus {
        Open => "open",
        Done => "done",
        Dropped => "dropped",
    }
);

/// How often the Team Around the Family reviews the plan, in weeks. Councils differ within the
/// programme's 6-12 weeks, so both ends are configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPolicy {
    pub min_weeks: u32,
    pub max_weeks: u32,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        // docs/rules.md: "reviews every 6-12 weeks".
        ReviewPolicy {
            min_weeks: 6,
            max_weeks: 12,
        }
    }
}

fn weeks(from: NaiveDate, n: u32) -> NaiveDate {
    from.checked_add_days(Days::new(u64::from(n) * 7))
        .unwrap_or(NaiveDate::MAX)
}

impl ReviewPolicy {
    pub fn new(min_weeks: u32, max_weeks: u32) -> Result<ReviewPolicy, String> {
        if min_weeks == 0 || min_weeks > max_weeks || max_weeks > 52 {
            return Err(format!(
                "review interval {min_weeks}-{max_weeks} weeks: need 1 <= min <= max <= 52"
            ));
        }
        Ok(ReviewPolicy {
            min_weeks,
            max_weeks,
        })
    }

    /// The first review falls due at the longest interval after the plan starts.
    pub fn first_due(&self, activated_on: NaiveDate) -> NaiveDate {
        weeks(activated_on, self.max_weeks)
    }

    /// The next review after a meeting held on `held_on`: the date the meeting set, which must lie
    /// within the interval, or else the longest interval.
    pub fn next_due(
        &self,
        held_on: NaiveDate,
        asked: Option<NaiveDate>,
    ) -> Result<NaiveDate, String> {
        let (earliest, latest) = (
            weeks(held_on, self.min_weeks),
            weeks(held_on, self.max_weeks),
        );
        match asked {
            None => Ok(latest),
            Some(d) if (earliest..=latest).contains(&d) => Ok(d),
            Some(_) => Err(format!(
                "the next review must be {} to {} weeks after the meeting: from {earliest} to {latest}",
                self.min_weeks, self.max_weeks
            )),
        }
    }
}

/// A review is overdue the day after it was due.
pub fn overdue(due: NaiveDate, today: NaiveDate) -> bool {
    today > due
}

/// Intensity of each kind of plan, highest first: a child protection plan, a child in need plan,
/// the Family Recovery Programme's key worker, an FCAF (docs/rules.md: "Child Protection plan
/// -> Child in Need plan -> FCAF (step down), or FCAF -> social care (step up)").
pub fn level(kind: &str) -> u8 {
    match kind {
        "child_protection_plan" => 4,
        "child_in_need_plan" => 3,
        "family_recovery_programme" => 2,
        _ => 1,
    }
}

/// The direction of a move from one kind of plan to another.
pub fn direction(from: &str, to: &str) -> &'static str {
    match level(to).cmp(&level(from)) {
        std::cmp::Ordering::Greater => "step_up",
        std::cmp::Ordering::Less => "step_down",
        std::cmp::Ordering::Equal => "transfer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn reviews_fall_within_six_to_twelve_weeks_by_default() {
        // docs/rules.md: Team Around the Family reviews every 6-12 weeks.
        let p = ReviewPolicy::default();
        assert_eq!(p.first_due(d("2013-02-18")), d("2013-05-13"));
        assert_eq!(p.next_due(d("2013-03-04"), None), Ok(d("2013-05-27")));
        assert_eq!(
            p.next_due(d("2013-03-04"), Some(d("2013-04-15"))),
            Ok(d("2013-04-15"))
        );
        assert_eq!(
            p.next_due(d("2013-03-04"), Some(d("2013-05-27"))),
            Ok(d("2013-05-27"))
        );
        assert!(p.next_due(d("2013-03-04"), Some(d("2013-04-14"))).is_err());
        assert!(p.next_due(d("2013-03-04"), Some(d("2013-05-28"))).is_err());
    }

    #[test]
    fn a_council_sets_its_own_interval_within_sense() {
        let p = ReviewPolicy::new(4, 8).unwrap();
        assert_eq!(p.first_due(d("2013-02-18")), d("2013-04-15"));
        assert!(ReviewPolicy::new(0, 8).is_err());
        assert!(ReviewPolicy::new(9, 8).is_err());
        assert!(ReviewPolicy::new(6, 53).is_err());
    }

    #[test]
    fn overdue_from_the_day_after_it_was_due() {
        assert!(!overdue(d("2013-05-13"), d("2013-05-13")));
        assert!(overdue(d("2013-05-13"), d("2013-05-14")));
    }

    #[test]
    fn moves_between_social_care_and_early_help_have_a_direction() {
        // docs/rules.md: CP -> CIN -> FCAF is a step down; FCAF -> social care a step up.
        assert_eq!(
            direction("child_protection_plan", "child_in_need_plan"),
            "step_down"
        );
        assert_eq!(direction("child_in_need_plan", "fcaf"), "step_down");
        assert_eq!(direction("fcaf", "child_in_need_plan"), "step_up");
        assert_eq!(direction("fcaf", "family_recovery_programme"), "step_up");
        assert_eq!(direction("fcaf", "fcaf"), "transfer");
    }
}
