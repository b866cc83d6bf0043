//! Referrals to commissioned services (docs/rules.md, "Delivery routes and providers" and
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

text_enum!(
    /// Where a referral stands. `waiting`: queued for a full service; `requested`: a place is
    /// offered; then `accepted`, `in_progress`, `on_hold`; it ends `rejected`, `completed`,
    /// `failed` or `cancelled`.
    ReferralStatus {
        Waiting => "waiting",
        Requested => "requested",
        Accepted => "accepted",
        Rejected => "rejected",
        InProgress => "in_progress",
        OnHold => "on_hold",
        Completed => "completed",
        Failed => "failed",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// A move. The provider accepts, rejects (reason), starts, holds, resumes, completes (outcome)
    /// or fails (reason); the referring side cancels (reason).
    ReferralAction {
        Accept => "accept",
        Reject => "reject",
        Start => "start",
        Hold => "hold",
        Resume => "resume",
        Complete => "complete",
        Fail => "fail",
        Cancel => "cancel",
    }
);

impl ReferralStatus {
    /// The statuses that hold one of the service's places (the capacity counts them).
    pub const HOLDING_A_PLACE: [ReferralStatus; 4] = [
        ReferralStatus::Requested,
        ReferralStatus::Accepted,
        ReferralStatus::InProgress,
        ReferralStatus::OnHold,
    ];

    pub fn holds_place(self) -> bool {
        Self::HOLDING_A_PLACE.contains(&self)
    }

    pub fn has_ended(self) -> bool {
        match self {
            ReferralStatus::Rejected
            | ReferralStatus::Cancelled
            | ReferralStatus::Completed
            | ReferralStatus::Failed => true,
            ReferralStatus::Waiting
            | ReferralStatus::Requested
            | ReferralStatus::Accepted
            | ReferralStatus::InProgress
            | ReferralStatus::OnHold => false,
        }
    }

    /// In words, for messages ("in progress").
    pub fn words(self) -> String {
        self.as_str().replace('_', " ")
    }
}

/// The move `action` from `from`: the status reached, who makes it and what it needs. "The shape
/// of FHIR's Task workflow" (docs/rules.md, "Referral lifecycle"): `waiting` ->
/// `requested` when a place is offered (the queue does it, not a person); `requested` ->
/// `accepted` | `rejected`; `accepted` -> `in_progress`; `in_progress` -> `on_hold` |
/// `completed` | `failed`; `on_hold` -> `in_progress`; the referrer may cancel any referral
/// that has not ended.
pub fn transition(
    from: ReferralStatus,
    action: ReferralAction,
) -> Option<(ReferralStatus, Side, Needs)> {
    use ReferralAction as A;
    use ReferralStatus as S;
    let (to, side, needs) = match (action, from) {
        (A::Accept, S::Requested) => (S::Accepted, Side::Provider, Needs::Nothing),
        (A::Reject, S::Requested) => (S::Rejected, Side::Provider, Needs::Reason),
        (A::Start, S::Accepted) => (S::InProgress, Side::Provider, Needs::Nothing),
        (A::Hold, S::InProgress) => (S::OnHold, Side::Provider, Needs::Nothing),
        (A::Resume, S::OnHold) => (S::InProgress, Side::Provider, Needs::Nothing),
        (A::Complete, S::InProgress) => (S::Completed, Side::Provider, Needs::Outcome),
        (A::Fail, S::InProgress) => (S::Failed, Side::Provider, Needs::Reason),
        (A::Cancel, s) if !s.has_ended() => (S::Cancelled, Side::Referrer, Needs::Reason),
        _ => return None,
    };
    Some((to, side, needs))
}

/// The moves open from a status (for the 409 that lists them).
pub fn allowed(from: ReferralStatus) -> Vec<ReferralAction> {
    ReferralAction::ALL
        .iter()
        .copied()
        .filter(|a| transition(from, *a).is_some())
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
        // A referral of the whole family names nobody who could be on a plan: say so, rather
        // than that a member (never named) lacks one.
        let message = match age {
            None => format!(
                "the service works with a member on a {}: name the member referred",
                names.join(" or a ")
            ),
            Some(_) => format!(
                "the service needs the member to be on a {} on the referral date",
                names.join(" or a ")
            ),
        };
        out.push(("member_id", message));
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
        // docs/rules.md: MST for young people aged 11-17, from July 2014.
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
        // docs/rules.md: MIND works with families with a CP or CIN plan.
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
        // A whole-family referral is asked to name the member, not told the member has no plan.
        let whole = refusals(&mind, None, &[], d("2013-06-01"));
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].0, "member_id");
        assert_eq!(
            whole[0].1,
            "the service works with a member on a child protection plan or a child in need \
             plan: name the member referred"
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
        use ReferralAction as A;
        use ReferralStatus as S;
        assert_eq!(
            transition(S::Requested, A::Accept),
            Some((S::Accepted, Side::Provider, Needs::Nothing))
        );
        assert_eq!(
            transition(S::Requested, A::Reject),
            Some((S::Rejected, Side::Provider, Needs::Reason))
        );
        assert_eq!(
            transition(S::Accepted, A::Start),
            Some((S::InProgress, Side::Provider, Needs::Nothing))
        );
        assert_eq!(
            transition(S::InProgress, A::Complete),
            Some((S::Completed, Side::Provider, Needs::Outcome))
        );
        assert_eq!(
            transition(S::OnHold, A::Resume),
            Some((S::InProgress, Side::Provider, Needs::Nothing))
        );
        assert_eq!(
            transition(S::Waiting, A::Cancel),
            Some((S::Cancelled, Side::Referrer, Needs::Reason))
        );
        assert_eq!(transition(S::Requested, A::Start), None);
        assert_eq!(
            transition(S::Waiting, A::Accept),
            None,
            "a queued referral is offered a place first"
        );
        for s in S::ALL {
            assert_eq!(allowed(*s).is_empty(), s.has_ended(), "{s:?}");
        }
        assert_eq!(
            allowed(S::InProgress),
            vec![A::Hold, A::Complete, A::Fail, A::Cancel]
        );
        // Every action is some move; the places held are exactly the open, offered statuses.
        for a in A::ALL {
            assert!(S::ALL.iter().any(|s| transition(*s, *a).is_some()), "{a:?}");
        }
        let holding: Vec<S> = S::ALL.iter().copied().filter(|s| s.holds_place()).collect();
        assert_eq!(
            holding,
            vec![S::Requested, S::Accepted, S::InProgress, S::OnHold]
        );
    }
}
