//! The case-study family from the appendix of the May 2014 review (Families for Change,
//! Rotherham), loaded through the service layer so it is validated and audited like any other
//! write. The story is set in 2013, so dates of birth give the ages the report states then:
//! Child K 16, Child L 12, Child M 4. Identifiers are invented test values (NHS numbers in the
//! 999 range) with valid check digits.

use crate::api::evidence::{
    BenefitType, EvidenceCreate, EvidenceKind, EvidenceSource, FilterFact, InterventionKind,
    SchoolTerm,
};
use crate::api::families::{
    FamilyCreate, Gender, HousingTenure, MemberCreate, MemberRelationship, MemberRole,
    RelativeCreate, RelativeRelationship,
};
use crate::auth::{Principal, Role};
use crate::context::Ctx;
use crate::db::Pool;
use crate::demo_casework::allow;
use crate::service::{self, Idem};

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().expect("valid date")
}

#[allow(clippy::too_many_arguments)]
fn member(
    role: MemberRole,
    relationship: MemberRelationship,
    given: &str,
    family: &str,
    dob: &str,
    gender: Gender,
    upn: Option<&str>,
    nhs: &str,
    ni: Option<&str>,
    school: Option<&str>,
) -> MemberCreate {
    MemberCreate {
        member_role: role,
        relationship,
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: date(dob),
        gender,
        upn: upn.map(Into::into),
        nhs_number: Some(nhs.into()),
        ni_number: ni.map(Into::into),
        school_name: school.map(Into::into),
    }
}

/// Loads the family once; running it again finds the same family through its idempotency key.
pub async fn load(
    pool: &Pool,
    policy: crate::domain::casework::ReviewPolicy,
) -> Result<String, String> {
    use MemberRelationship as R;
    use MemberRole::*;
    let ctx = Ctx {
        principal: Principal {
            subject: "ffc-demo".into(),
            issuer: "ffc-cli".into(),
            roles: vec![Role::Admin, Role::Coordinator, Role::Manager],
        },
        request_id: "ffc-demo".into(),
        purpose: Some("loading the May 2014 case study as demonstration data".into()),
    };
    let input = FamilyCreate {
        address_line1: "1 Case Study Road".into(),
        address_line2: None,
        town: "Rotherham".into(),
        postcode: "S60 2AA".into(),
        lsoa: None,
        housing_tenure: HousingTenure::PrivateRent,
        bedrooms: Some(4),
        notes: Some(
            "Case study from the appendix of the May 2014 review. Neither parent in work; Child K \
             involved in anti-social behaviour with poor school attendance. Adult H has two older \
             sons who live independently."
                .into(),
        ),
        members: vec![
            member(
                Adult,
                R::Parent,
                "Adult",
                "H",
                "1974-03-02",
                Gender::Female,
                None,
                "9990001006",
                Some("CE123456A"),
                None,
            ),
            member(
                Adult,
                R::StepParent,
                "Adult",
                "J",
                "1969-08-21",
                Gender::Male,
                None,
                "9990001014",
                Some("JK654321B"),
                None,
            ),
            member(
                Child,
                R::Child,
                "Child",
                "K",
                "1996-09-10",
                Gender::Male,
                Some("J372201300101"),
                "9990001022",
                None,
                Some("Riverside Pupil Unit / Aston Academy (dual registered)"),
            ),
            member(
                Child,
                R::StepChild,
                "Child",
                "L",
                "2000-10-05",
                Gender::NotStated,
                Some("K372201300202"),
                "9990001030",
                None,
                Some("Aston Academy"),
            ),
            member(
                Child,
                R::Child,
                "Child",
                "M",
                "2008-11-20",
                Gender::NotStated,
                None,
                "9990001049",
                None,
                Some("Whizz Kids pre-school"),
            ),
        ],
    };
    let idem = Idem::new(
        Some("demo-case-study-2013".into()),
        "POST",
        "/api/v1/families",
        "v1",
    );
    let reply = service::families::create_family(pool, &allow(&ctx)?, input, idem)
        .await
        .map_err(|e| format!("loading the family: {e}"))?;
    let body = reply.body.ok_or("no family returned")?;
    let reference = body["reference"].as_str().unwrap_or_default().to_string();
    if reply.replayed {
        return Ok(format!("{reference} (already loaded)"));
    }
    let family_id: uuid::Uuid = body["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or("no family id")?;
    let mother = body["members"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["family_name"] == "H"))
        .and_then(|m| m["id"].as_str())
        .and_then(|s| s.parse().ok());
    let member_id = |name: &str| -> Option<uuid::Uuid> {
        body["members"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["family_name"] == name))
            .and_then(|m| m["id"].as_str())
            .and_then(|s| s.parse().ok())
    };
    for e in case_study_evidence(&member_id) {
        service::evidence::create(pool, &allow(&ctx)?, family_id, e, None)
            .await
            .map_err(|e| format!("recording evidence: {e}"))?;
    }
    for (given, dob) in [("Older son 1", "1990-02-14"), ("Older son 2", "1992-07-30")] {
        let input = RelativeCreate {
            related_member_id: mother,
            relationship: RelativeRelationship::Son,
            given_name: given.into(),
            family_name: "H".into(),
            date_of_birth: Some(date(dob)),
            notes: Some("Lives independently.".into()),
        };
        service::families::add_relative(pool, &allow(&ctx)?, family_id, input, None)
            .await
            .map_err(|e| format!("adding a relative: {e}"))?;
    }
    crate::demo_casework::load(pool, &ctx, family_id, &member_id, policy).await?;
    Ok(reference)
}

fn evidence(
    member: Option<uuid::Uuid>,
    kind: EvidenceKind,
    source: EvidenceSource,
    on: &str,
) -> EvidenceCreate {
    EvidenceCreate {
        member_id: member,
        ..EvidenceCreate::new(kind, source, date(on))
    }
}

/// The appendix's story as evidence, dated in 2012-13 (the coordinator became involved in
/// February 2013): Child K's further conviction while with the Youth Offending Team, his
/// anti-social behaviour, poor attendance and place at the pupil referral unit; both parents
/// long out of work; Child L attending well. Figures the report does not give (sessions, dates)
/// are illustrative.
fn case_study_evidence(member: &dyn Fn(&str) -> Option<uuid::Uuid>) -> Vec<EvidenceCreate> {
    use EvidenceKind as K;
    use EvidenceSource as S;
    let (h, j, k, l) = (member("H"), member("J"), member("K"), member("L"));
    let mut out = Vec::new();
    let mut offence = evidence(k, K::ProvenOffence, S::YouthOffending, "2012-11-15");
    offence.notes = Some("Further conviction; community order.".into());
    out.push(offence);
    let mut abc = evidence(k, K::AsbIntervention, S::Police, "2012-10-01");
    abc.intervention_kind = Some(InterventionKind::AcceptableBehaviourContract);
    out.push(abc);
    out.push(evidence(k, K::AsbIncident, S::Police, "2013-01-19"));
    // Child K: three completed terms before March 2013, with poor attendance.
    for (year, term, possible, attended, unauthorised) in [
        (2011, SchoolTerm::Spring, 116, 84, 26),
        (2011, SchoolTerm::Summer, 122, 90, 28),
        (2012, SchoolTerm::Autumn, 140, 102, 31),
    ] {
        let start = match term {
            SchoolTerm::Autumn => format!("{year}-09-03"),
            SchoolTerm::Spring => format!("{}-01-04", year + 1),
            SchoolTerm::Summer => format!("{}-04-16", year + 1),
        };
        let mut t = evidence(k, K::SchoolTerm, S::School, &start);
        t.academic_year = Some(year as i16);
        t.term = Some(term);
        t.possible_sessions = Some(possible);
        t.sessions_attended = Some(attended);
        t.unauthorised_absences = Some(unauthorised);
        t.fixed_term_exclusions = Some(0);
        out.push(t);
    }
    let mut pru = evidence(k, K::AlternativeProvision, S::School, "2012-09-03");
    pru.notes = Some("Riverside Pupil Unit, dual registered with Aston Academy.".into());
    out.push(pru);
    let mut l_term = evidence(l, K::SchoolTerm, S::School, "2012-09-03");
    l_term.academic_year = Some(2012);
    l_term.term = Some(SchoolTerm::Autumn);
    l_term.possible_sessions = Some(140);
    l_term.sessions_attended = Some(136);
    l_term.unauthorised_absences = Some(0);
    l_term.fixed_term_exclusions = Some(0);
    out.push(l_term);
    let mut h_benefit = evidence(h, K::OutOfWorkBenefit, S::Dwp, "2008-06-02");
    h_benefit.benefit_type = Some(BenefitType::IncomeSupport);
    out.push(h_benefit);
    let mut j_benefit = evidence(j, K::OutOfWorkBenefit, S::Dwp, "2001-05-14");
    j_benefit.benefit_type = Some(BenefitType::JobseekersAllowance);
    j_benefit.notes = Some("Twelve years without work.".into());
    out.push(j_benefit);
    let mut cannabis = evidence(k, K::LocalFilter, S::YouthOffending, "2012-06-01");
    cannabis.filter = Some(FilterFact::SubstanceMisuse);
    out.push(cannabis);
    out
}
