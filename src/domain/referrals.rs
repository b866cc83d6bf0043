//! Referrals to commissioned services (programme-rules.md, "Delivery routes and providers" and
//! "Referral lifecycle"): which moves each side may make, and whether a member may be referred to
//! a service on a day.

use chrono::NaiveDate;

/// Who makes a move: the provider moves a referral forward, the referring side cancels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Provider,
    Referrer,
}

/// What a move needs said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    Reason,
    Outcome,
}

/// Each move: its name, the status it leaves, the status it reaches, who makes it, what it needs.
/// "The shape of FHIR's Task workflow": `waiting` -> `requested` when a place is offered;
/// `requested` -> `accepted` | `rejected`; `accepted` -> `in_progress`; `in_progress` ->
/// `on_hold` | `completed` | `failed`; `on_hold` -> `in_progress`; the referrer may cancel any
/// referral that has not ended.
const MOVES: &[(&str, &str, &str, Side, Needs)] = &[
    (
        "accept",
        "requested",
        "accepted",
        Side::Provider,
        Needs::Nothing,
    ),
    (
        "reject",
        "requested",
        "rejected",
        Side::Provider,
        Needs::Reason,
    ),
    (
        "start",
        "accepted",
        "in_progress",
        Side::Provider,
        Needs::Nothing,
    ),
    (
        "hold",
        "in_progress",
        "on_hold",
        Side::Provider,
        Needs::Nothing,
    ),
    (
        "resume",
        "on_hold",
        "in_progress",
        Side::Provider,
        Needs::Nothing,
    ),
    (
        "complete",
        "in_progress",
        "completed",
        Side::Provider,
        Needs::Outcome,
    ),
    (
        "fail",
        "in_progress",
        "failed",
        Side::Provider,
        Needs::Reason,
    ),
    (
        "cancel",
        "waiting",
        "cancelled",
        Side::Referrer,
        Needs::Reason,
    ),
    (
        "cancel",
        "requested",
        "cancelled",
        Side::Referrer,
        Needs::Reason,
    ),
    (
        "cancel",
        "accepted",
        "cancelled",
        Side::Referrer,
        Needs::Reason,
    ),
    (
        "cancel",
        "in_progress",
        "cancelled",
        Side::Referrer,
        Needs::Reason,
    ),
    (
        "cancel",
        "on_hold",
        "cancelled",
        Side::Referrer,
        Needs::Reason,
    ),
];

pub const ACTIONS: [&str; 8] = [
    "accept", "reject", "start", "hold", "resume", "complete", "fail", "cancel",
];

/// The statuses that hold one of the service's places.
pub const ACTIVE: [&str; 4] = ["requested", "accepted", "in_progress", "on_hold"];
pub const ENDED: [&str; 4] = ["rejected", "cancelled", "completed", "failed"];

pub fn is_active(status: &str) -> bool {
    ACTIVE.contains(&status)
}

pub fn has_ended(status: &str) -> bool {
    ENDED.contains(&status)
}

/// The move `action` from `from`: the status reached, who makes it and what it needs.
pub fn transition(from: &str, action: &str) -> Option<(&'static str, Side, Needs)> {
    MOVES
        .iter()
        .find(|(a, f, ..)| *a == action && *f == from)
        .map(|(_, _, to, side, needs)| (*to, *side, *needs))
}

/// The moves open from a status (for the 409 that lists them).
pub fn allowed(from: &str) -> Vec<&'static str> {
    MOVES
        .iter()
        .filter(|(_, f, ..)| *f == from)
        .map(|(a, ..)| *a)
        .collect()
}

/// A service's rules for whom it takes.
#[derive(Debug, Clone)]
pub struct ServiceRules<'a> {
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub required_plans: &'a [String],
    pub contract_start: NaiveDate,
    pub contract_end: Option<NaiveDate>,
}

/// Why the referral cannot be made on `on`, each with the field it concerns; empty when it can.
/// `age` is the member's age that day (`None` for a referral of the family as a whole);
/// `plans` the kinds of plan the member is on that day.
pub fn refusals(
    rules: &ServiceRules,
    age: Option<i32>,
    plans: &[String],
    on: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if on < rules.contract_start {
        out.push((
            "referred_on",
            format!(
                "the service's contract starts on {}, after the referral date",
                rules.contract_start
            ),
        ));
    }
    if let Some(end) = rules.contract_end.filter(|e| on > *e) {
        out.push((
            "referred_on",
            format!("the service's contract ended on {end}, before the referral date"),
        ));
    }
    let range = match (rules.min_age, rules.max_age) {
        (Some(a), Some(b)) => Some(format!("aged {a} to {b}")),
        (Some(a), None) => Some(format!("aged {a} or over")),
        (None, Some(b)) => Some(format!("aged {b} or under")),
        (None, None) => None,
    };
    if let Some(range) = range {
        match age {
            None => out.push((
                "member_id",
                format!("the service takes members {range}: name the member referred"),
            )),
            Some(n)
                if rules.min_age.is_some_and(|a| n < a) || rules.max_age.is_some_and(|b| n > b) =>
            {
                out.push((
                    "member_id",
                    format!(
                        "the member is {n} on the referral date; the service takes members {range}"
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    if !rules.required_plans.is_empty() && !rules.required_plans.iter().any(|p| plans.contains(p)) {
        let names: Vec<String> = rules
            .required_plans
            .iter()
            .map(|p| p.replace('_', " "))
            .collect();
        out.push((
            "member_id",
            format!(
                "the service needs the member to be on a {} on the referral date",
                names.join(" or a ")
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn mst() -> ServiceRules<'static> {
        // programme-rules.md: MST for young people aged 11-17, from July 2014.
        ServiceRules {
            min_age: Some(11),
            max_age: Some(17),
            required_plans: &[],
            contract_start: d("2014-07-01"),
            contract_end: None,
        }
    }

    #[test]
    fn mst_takes_ages_11_to_17_inclusive() {
        for age in [11, 17] {
            assert!(
                refusals(&mst(), Some(age), &[], d("2014-09-01")).is_empty(),
                "{age}"
            );
        }
        for age in [10, 18] {
            let r = refusals(&mst(), Some(age), &[], d("2014-09-01"));
            assert_eq!(r.len(), 1, "{age}");
            assert_eq!(r[0].0, "member_id");
            assert!(
                r[0].1.contains(&format!("is {age}")) && r[0].1.contains("11 to 17"),
                "{}",
                r[0].1
            );
        }
        let r = refusals(&mst(), None, &[], d("2014-09-01"));
        assert!(r[0].1.contains("name the member"));
    }

    #[test]
    fn nothing_is_referred_outside_the_contract() {
        // Child K was 16 in 2013, but MST's contract starts in July 2014.
        let r = refusals(&mst(), Some(16), &[], d("2013-06-01"));
        assert_eq!(r[0].0, "referred_on");
        assert!(r[0].1.contains("2014-07-01"));
        assert!(refusals(&mst(), Some(16), &[], d("2014-07-01")).is_empty());
        let mut ended = mst();
        ended.contract_end = Some(d("2015-03-31"));
        assert!(
            refusals(&ended, Some(16), &[], d("2015-03-31")).is_empty(),
            "end inclusive"
        );
        assert!(refusals(&ended, Some(16), &[], d("2015-04-01"))[0]
            .1
            .contains("ended on 2015-03-31"));
    }

    #[test]
    fn mind_needs_a_child_protection_or_child_in_need_plan() {
        // programme-rules.md: MIND works with families with a CP or CIN plan.
        let plans = [
            "child_protection_plan".to_string(),
            "child_in_need_plan".to_string(),
        ];
        let mind = ServiceRules {
            min_age: None,
            max_age: None,
            required_plans: &plans,
            contract_start: d("2013-04-01"),
            contract_end: Some(d("2015-03-31")),
        };
        let r = refusals(&mind, Some(12), &[], d("2013-06-01"));
        assert!(
            r[0].1
                .contains("child protection plan or a child in need plan"),
            "{}",
            r[0].1
        );
        assert!(refusals(
            &mind,
            Some(12),
            &["child_in_need_plan".into()],
            d("2013-06-01")
        )
        .is_empty());
    }

    #[test]
    fn the_lifecycle_is_the_rules_page() {
        assert_eq!(
            transition("requested", "accept"),
            Some(("accepted", Side::Provider, Needs::Nothing))
        );
        assert_eq!(
            transition("requested", "reject"),
            Some(("rejected", Side::Provider, Needs::Reason))
        );
        assert_eq!(
            transition("accepted", "start"),
            Some(("in_progress", Side::Provider, Needs::Nothing))
        );
        assert_eq!(
            transition("in_progress", "complete"),
            Some(("completed", Side::Provider, Needs::Outcome))
        );
        assert_eq!(
            transition("on_hold", "resume"),
            Some(("in_progress", Side::Provider, Needs::Nothing))
        );
        assert_eq!(
            transition("waiting", "cancel"),
            Some(("cancelled", Side::Referrer, Needs::Reason))
        );
        assert_eq!(transition("requested", "start"), None);
        assert_eq!(
            transition("waiting", "accept"),
            None,
            "a queued referral is offered a place first"
        );
        for ended in ENDED {
            assert!(allowed(ended).is_empty(), "{ended} ends it");
        }
        assert_eq!(
            allowed("in_progress"),
            vec!["hold", "complete", "fail", "cancel"]
        );
        for a in ACTIONS {
            assert!(MOVES.iter().any(|m| m.0 == a));
        }
    }
}
