//! May data of category C about this person go to organisation X for purpose Y on day D?
//! docs/architecture.md ("Consent is a grant") and docs/rules.md ("How families are worked with":
//! consent can be partial, as to what may be shared and with whom).
//!
//! The reading:
//! 1. A decision (consent given, or refused) concerns the question when it is about this member
//!    or the whole family, names the organisation and the purpose, covers the category (all
//!    categories when none are listed), and is in force on the day: within its period
//!    (`valid_from`..=`valid_until`) and not withdrawn by then.
//! 2. A member's own decisions come before the family's: the family's decide only when the member
//!    has made none that concerns the question.
//! 3. Among those, the latest decision (by `valid_from`, then as recorded) decides: a refusal
//!    forbids; a consent allows unless it excludes the category (partial consent). So a later
//!    consent lifts an earlier refusal, and a later, narrower consent narrows an earlier one.
//! 4. When nothing decides, the answer says why (withdrawn, category not listed, none recorded).

use chrono::NaiveDate;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Grant {
    pub id: Uuid,
    /// `None`: the whole family.
    pub member_id: Option<Uuid>,
    pub given: bool,
    pub organisations: Vec<String>,
    pub purposes: Vec<String>,
    /// `None`: every category.
    pub categories: Option<Vec<String>>,
    pub excluded: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// Not in force on this day or after.
    pub withdrawn_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Question<'a> {
    /// `None`: data about the family as a whole.
    pub member_id: Option<Uuid>,
    pub organisation: &'a str,
    pub purpose: &'a str,
    pub category: &'a str,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    /// The grant that decides it, if one does.
    pub consent_id: Option<Uuid>,
    pub reason: String,
}

impl Grant {
    fn concerns(&self, q: &Question) -> bool {
        (self.member_id.is_none() || self.member_id == q.member_id)
            && self.organisations.iter().any(|o| o == q.organisation)
            && self.purposes.iter().any(|p| p == q.purpose)
            && self.valid_from <= q.on
            && self.valid_until.is_none_or(|u| q.on <= u)
    }

    fn lists(&self, category: &str) -> bool {
        self.categories
            .as_ref()
            .is_none_or(|c| c.iter().any(|x| x == category))
    }

    fn excludes(&self, category: &str) -> bool {
        self.excluded.iter().any(|x| x == category)
    }

    fn withdrawn_by(&self, on: NaiveDate) -> bool {
        self.withdrawn_on.is_some_and(|w| w <= on)
    }
}

/// The latest of these decisions (by start, then as recorded: ids are time-ordered).
fn latest<'g>(found: impl Iterator<Item = &'g Grant>) -> Option<&'g Grant> {
    found.max_by_key(|g| (g.valid_from, g.id))
}

pub fn decide(grants: &[Grant], q: &Question) -> Verdict {
    let verdict = |allowed, g: Option<&Grant>, reason: String| Verdict {
        allowed,
        consent_id: g.map(|g| g.id),
        reason,
    };
    let in_force = |g: &&Grant| g.concerns(q) && !g.withdrawn_by(q.on) && g.lists(q.category);
    let own = latest(
        grants
            .iter()
            .filter(|g| g.member_id.is_some())
            .filter(in_force),
    );
    let family = || {
        latest(
            grants
                .iter()
                .filter(|g| g.member_id.is_none())
                .filter(in_force),
        )
    };
    if let Some(g) = own.or_else(family) {
        let whose = if g.member_id.is_some() {
            "this member"
        } else {
            "the family"
        };
        return if !g.given {
            verdict(false, Some(g), format!("Consent was refused by {whose}."))
        } else if g.excludes(q.category) {
            verdict(
                false,
                Some(g),
                format!("The consent excludes {}.", q.category),
            )
        } else {
            verdict(
                true,
                Some(g),
                format!(
                    "Consent given by {whose} from {} covers {} for {} with {}.",
                    g.valid_from, q.category, q.purpose, q.organisation
                ),
            )
        };
    }
    let concerned = || grants.iter().filter(|g| g.given && g.concerns(q));
    if let Some(g) = latest(concerned().filter(|g| !g.withdrawn_by(q.on))) {
        return verdict(
            false,
            Some(g),
            format!("The consent does not list {}.", q.category),
        );
    }
    if let Some(g) = latest(concerned()) {
        return verdict(
            false,
            Some(g),
            format!(
                "The consent was withdrawn on {}.",
                g.withdrawn_on.expect("only withdrawn grants remain")
            ),
        );
    }
    verdict(
        false,
        None,
        format!(
            "No consent in force on {} to share with {} for {}.",
            q.on, q.organisation, q.purpose
        ),
    )
}

/// An FCAF starts "with the family's consent" (docs/rules.md): a consent given by the family
/// or one of its members for `assessment`, in force on the day, not withdrawn. Any organisation:
/// the consent is to the assessment itself; what may go where is asked of `decide` later.
/// The family's own latest decision about assessment decides; without one, a member's consent
/// in force suffices.
pub fn assessment_consent(grants: &[Grant], on: NaiveDate) -> Option<Uuid> {
    let in_force = |g: &&Grant| {
        g.purposes.iter().any(|p| p == "assessment")
            && g.valid_from <= on
            && g.valid_until.is_none_or(|u| on <= u)
            && !g.withdrawn_by(on)
    };
    match latest(
        grants
            .iter()
            .filter(|g| g.member_id.is_none())
            .filter(in_force),
    ) {
        Some(g) => g.given.then_some(g.id),
        None => latest(grants.iter().filter(|g| g.given).filter(in_force)).map(|g| g.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn given(member: Option<Uuid>) -> Grant {
        Grant {
            id: Uuid::now_v7(),
            member_id: member,
            given: true,
            organisations: vec!["ywca".into(), "rmbc".into()],
            purposes: vec!["referral".into(), "assessment".into()],
            categories: None,
            excluded: vec![],
            valid_from: d("2013-02-04"),
            valid_until: Some(d("2014-02-03")),
            withdrawn_on: None,
        }
    }

    fn ask(member: Option<Uuid>, category: &'static str, on: &str) -> Question<'static> {
        Question {
            member_id: member,
            organisation: "ywca",
            purpose: "referral",
            category,
            on: d(on),
        }
    }

    #[test]
    fn a_family_consent_covers_each_member_in_its_period_inclusive() {
        // docs/architecture.md: end dates are inclusive.
        let g = given(None);
        let m = Some(Uuid::now_v7());
        for on in ["2013-02-04", "2013-08-01", "2014-02-03"] {
            let v = decide(std::slice::from_ref(&g), &ask(m, "housing", on));
            assert!(v.allowed, "{on}: {}", v.reason);
            assert_eq!(v.consent_id, Some(g.id));
        }
        for on in ["2013-02-03", "2014-02-04"] {
            assert!(!decide(std::slice::from_ref(&g), &ask(m, "housing", on)).allowed);
        }
    }

    #[test]
    fn another_organisation_or_purpose_is_not_covered() {
        let g = [given(None)];
        let mut q = ask(None, "housing", "2013-03-01");
        q.organisation = "south-yorkshire-police";
        let v = decide(&g, &q);
        assert!(!v.allowed);
        assert_eq!(v.consent_id, None);
        assert!(v.reason.contains("No consent"), "{}", v.reason);
        let mut q = ask(None, "housing", "2013-03-01");
        q.purpose = "evaluation";
        assert!(!decide(&g, &q).allowed);
    }

    #[test]
    fn partial_consent_excludes_a_category() {
        // docs/rules.md: consent can be partial (what may be shared).
        let mut g = given(None);
        g.excluded = vec!["mental_health".into()];
        let v = decide(
            std::slice::from_ref(&g),
            &ask(None, "mental_health", "2013-03-01"),
        );
        assert!(!v.allowed);
        assert_eq!(v.consent_id, Some(g.id));
        assert!(v.reason.contains("excludes mental_health"));
        assert!(decide(&[g], &ask(None, "education", "2013-03-01")).allowed);
    }

    #[test]
    fn listed_categories_limit_the_grant() {
        let mut g = given(None);
        g.categories = Some(vec!["education".into(), "identity_contact".into()]);
        assert!(
            decide(
                std::slice::from_ref(&g),
                &ask(None, "education", "2013-03-01")
            )
            .allowed
        );
        let v = decide(&[g], &ask(None, "crime_asb", "2013-03-01"));
        assert!(!v.allowed);
        assert!(v.reason.contains("does not list crime_asb"));
    }

    #[test]
    fn withdrawal_stops_it_from_that_day() {
        let mut g = given(None);
        g.withdrawn_on = Some(d("2013-06-10"));
        assert!(
            decide(
                std::slice::from_ref(&g),
                &ask(None, "housing", "2013-06-09")
            )
            .allowed
        );
        let v = decide(&[g], &ask(None, "housing", "2013-06-10"));
        assert!(!v.allowed);
        assert!(v.reason.contains("withdrawn on 2013-06-10"));
    }

    #[test]
    fn a_members_refusal_overrides_the_familys_consent_for_that_member_only() {
        let k = Uuid::now_v7();
        let l = Uuid::now_v7();
        let family = given(None);
        let mut refusal = given(Some(k));
        refusal.given = false;
        let grants = [family.clone(), refusal.clone()];
        let v = decide(&grants, &ask(Some(k), "crime_asb", "2013-03-01"));
        assert!(!v.allowed);
        assert_eq!(v.consent_id, Some(refusal.id));
        assert!(v.reason.contains("refused by this member"));
        let v = decide(&grants, &ask(Some(l), "crime_asb", "2013-03-01"));
        assert!(v.allowed);
        assert_eq!(v.consent_id, Some(family.id));
    }

    #[test]
    fn a_later_consent_lifts_an_earlier_refusal_from_its_start() {
        let mut refusal = given(None);
        refusal.given = false;
        let mut later = given(None);
        later.valid_from = d("2013-05-01");
        let grants = [refusal.clone(), later.clone()];
        let v = decide(&grants, &ask(None, "housing", "2013-04-30"));
        assert_eq!((v.allowed, v.consent_id), (false, Some(refusal.id)));
        let v = decide(&grants, &ask(None, "housing", "2013-05-01"));
        assert_eq!((v.allowed, v.consent_id), (true, Some(later.id)));
        // And a later, narrower consent narrows an earlier, wider one.
        let mut narrower = given(None);
        narrower.valid_from = d("2013-06-01");
        narrower.excluded = vec!["housing".into()];
        let v = decide(
            &[later, narrower.clone()],
            &ask(None, "housing", "2013-06-01"),
        );
        assert_eq!((v.allowed, v.consent_id), (false, Some(narrower.id)));
    }

    #[test]
    fn a_members_own_consent_comes_before_the_familys_refusal() {
        let k = Uuid::now_v7();
        let mut refusal = given(None);
        refusal.given = false;
        let own = given(Some(k));
        let v = decide(
            &[refusal, own.clone()],
            &ask(Some(k), "education", "2013-03-01"),
        );
        assert_eq!((v.allowed, v.consent_id), (true, Some(own.id)));
    }

    #[test]
    fn a_refusal_of_some_categories_leaves_the_others() {
        let mut refusal = given(None);
        refusal.given = false;
        refusal.categories = Some(vec!["mental_health".into()]);
        refusal.valid_from = d("2013-02-20");
        let grants = [given(None), refusal];
        assert!(!decide(&grants, &ask(None, "mental_health", "2013-03-01")).allowed);
        assert!(decide(&grants, &ask(None, "education", "2013-03-01")).allowed);
    }

    #[test]
    fn the_closest_grant_is_cited() {
        let k = Uuid::now_v7();
        let family = given(None);
        let own = given(Some(k));
        let v = decide(
            &[family, own.clone()],
            &ask(Some(k), "education", "2013-03-01"),
        );
        assert_eq!(v.consent_id, Some(own.id));
    }

    #[test]
    fn a_members_consent_does_not_cover_family_wide_data() {
        let own = given(Some(Uuid::now_v7()));
        assert!(!decide(&[own], &ask(None, "housing", "2013-03-01")).allowed);
    }

    #[test]
    fn an_assessment_needs_consent_in_force_for_assessment() {
        // docs/rules.md: the FCAF is started with the family's consent.
        let g = given(Some(Uuid::now_v7()));
        assert_eq!(
            assessment_consent(std::slice::from_ref(&g), d("2013-02-04")),
            Some(g.id)
        );
        assert_eq!(
            assessment_consent(std::slice::from_ref(&g), d("2013-02-03")),
            None
        );
        let mut only_referral = given(None);
        only_referral.purposes = vec!["referral".into()];
        assert_eq!(assessment_consent(&[only_referral], d("2013-03-01")), None);
        let mut withdrawn = given(None);
        withdrawn.withdrawn_on = Some(d("2013-03-01"));
        assert_eq!(assessment_consent(&[withdrawn], d("2013-03-01")), None);
        let mut refusal = given(None);
        refusal.given = false;
        refusal.valid_from = d("2013-02-05");
        assert_eq!(
            assessment_consent(&[g.clone(), refusal.clone()], d("2013-03-01")),
            None
        );
        let mut again = given(None);
        again.valid_from = d("2013-04-01");
        assert_eq!(
            assessment_consent(&[g, refusal, again.clone()], d("2013-04-01")),
            Some(again.id)
        );
    }
}
