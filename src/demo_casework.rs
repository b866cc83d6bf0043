//! The case study's casework (May 2014 review, appendix): consent in February 2013, the FCAF
//! completed with Child K's Youth Offending Team case manager, the Team Around the Family's
//! meetings, and the action plan: Child K's YOT order and move to college, Adult H's employment
//! support, and the housing question, closed when the family decided to stay. Dates the report
//! does not give are illustrative, within what it says.

use uuid::Uuid;

use crate::api::assessments::{AssessmentActivate, AssessmentCreate, Domain, Finding};
use crate::api::consent::{ConsentCreate, ConsentDecision, SharingPurpose};
use crate::api::plans::{
    ActionClose, ActionInput, ActionStatus, MeetingInput, MeetingStatus, ProgressCreate,
};
use crate::api::staff::{StaffCreate, StaffRole};
use crate::api::timeline::TafMemberCreate;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::Pool;
use crate::domain::casework::ReviewPolicy;
use crate::http::reply::Reply;
use crate::service;

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().expect("valid date")
}

fn id_of(reply: &Reply) -> Result<Uuid, String> {
    reply
        .body
        .as_ref()
        .and_then(|b| b["id"].as_str())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| "no id in reply".to_string())
}

/// Runs a service call; its error becomes the demo's message.
macro_rules! step {
    ($what:literal, $call:expr) => {
        $call.await.map_err(|e| format!("{}: {e}", $what))?
    };
}

/// The demonstration loader calls services as its own principal, checked like any caller.
pub(crate) fn allow<P: Policy>(ctx: &Ctx) -> Result<Allowed<P>, String> {
    Allowed::check(ctx.clone()).map_err(|e| e.to_string())
}

fn finding(
    member: Option<Uuid>,
    domain: Domain,
    strengths: Option<&str>,
    needs: Option<&str>,
) -> Finding {
    Finding {
        member_id: member,
        domain,
        strengths: strengths.map(Into::into),
        needs: needs.map(Into::into),
    }
}

fn action(
    description: &str,
    staff: Option<Uuid>,
    organisation: Option<&str>,
    member: Option<Uuid>,
    need: Domain,
    due: &str,
) -> ActionInput {
    ActionInput {
        description: description.into(),
        owner_staff_id: staff,
        owner_organisation: organisation.map(Into::into),
        member_id: member,
        need,
        due_on: date(due),
    }
}

fn meeting(
    on: &str,
    agencies: &[&str],
    staff: Vec<Uuid>,
    decisions: &str,
    next: &str,
) -> MeetingInput {
    MeetingInput {
        meeting_on: date(on),
        status: MeetingStatus::Held,
        family_attended: Some(true),
        attendee_staff_ids: staff,
        attendee_agencies: agencies.iter().map(|a| a.to_string()).collect(),
        decisions: Some(decisions.into()),
        notes: None,
        next_review_on: Some(date(next)),
    }
}

pub async fn load(
    pool: &Pool,
    ctx: &Ctx,
    family_id: Uuid,
    member: &dyn Fn(&str) -> Option<Uuid>,
    policy: ReviewPolicy,
) -> Result<(), String> {
    let (h, j, k, l) = (member("H"), member("J"), member("K"), member("L"));
    let coordinator = id_of(&step!(
        "adding the coordinator",
        service::staff::create(
            pool,
            &allow(ctx)?,
            StaffCreate {
                subject: "demo-ffc-coordinator".into(),
                name: "Families for Change Coordinator (case study)".into(),
                staff_role: StaffRole::Coordinator,
                team: Some("coordination".into()),
                organisation: "Rotherham MBC".into(),
            },
            None,
        )
    ))?;
    let yot = id_of(&step!(
        "adding the YOT case manager",
        service::staff::create(
            pool,
            &allow(ctx)?,
            StaffCreate {
                subject: "demo-yot-case-manager".into(),
                name: "Youth Offending Team case manager (case study)".into(),
                staff_role: StaffRole::LeadWorker,
                team: Some("lead-workers".into()),
                organisation: "Rotherham Youth Offending Services".into(),
            },
            None,
        )
    ))?;
    step!(
        "recording consent",
        service::consent::create_consent(
            pool,
            &allow(ctx)?,
            family_id,
            ConsentCreate {
                member_id: None,
                decision: ConsentDecision::Given,
                organisations: [
                    "rmbc",
                    "rotherham-yos",
                    "rotherham-iyss",
                    "dwp",
                    "wiseability",
                    "aston-academy",
                    "rcat",
                ]
                .map(String::from)
                .to_vec(),
                purposes: vec![
                    SharingPurpose::Assessment,
                    SharingPurpose::TeamAroundFamily,
                    SharingPurpose::Referral,
                    SharingPurpose::ServiceDelivery,
                ],
                categories: None,
                excluded_categories: vec![],
                valid_from: date("2013-02-04"),
                valid_until: None,
                notes: Some(
                    "Adult H and Adult J agreed to the Family CAF when the coordinator visited."
                        .into(),
                ),
            },
            None,
        )
    );
    let fcaf = step!(
        "starting the FCAF",
        service::assessments::create(
            pool,
            &allow(ctx)?,
            family_id,
            AssessmentCreate {
                started_on: date("2013-02-11"),
                lead_worker_id: coordinator,
                completed_with: vec!["Child K's Youth Offending Team case manager".into()],
                family_priorities: Some(
                    "Child K completes his YOT order successfully; a smooth move from school to \
                     college; help Adult H improve her chances of work; help with the housing \
                     question."
                        .into(),
                ),
                practitioner_priorities: Some(
                    "Reduce anti-social behaviour, improve attendance and educational attainment, \
                     and help the family into employment."
                        .into(),
                ),
                findings: vec![
                    finding(None, Domain::FamilyRelationships,
                        Some("A close-knit family, very supportive of each other; the parents attended Child K's YOT reviews and school meetings."),
                        None),
                    finding(None, Domain::Housing, None,
                        Some("A four-bedroom private let; they think they may be liable for the under-occupancy charge and are considering a smaller property.")),
                    finding(None, Domain::DomesticAbuse, None,
                        Some("Adult H fled serious domestic violence about ten years ago; Child K is likely to have witnessed it.")),
                    finding(k, Domain::CrimeAsb, None,
                        Some("Convictions for burglary and possession of a Class B drug (2011), then a further offence and another community order; anti-social behaviour in the local community.")),
                    finding(k, Domain::Education, Some("Capable and engaging when he has an aim."),
                        Some("Poor attendance; dual registered at Riverside Pupil Unit and Aston Academy.")),
                    finding(k, Domain::SubstanceMisuse, None,
                        Some("Cannabis use for several years; the latest offence was linked to alcohol.")),
                    finding(k, Domain::MentalHealth, None,
                        Some("Recently diagnosed with ADHD and prescribed medication; poor temper control.")),
                    finding(l, Domain::Education, Some("Getting on well at school and attending regularly."), None),
                    finding(h, Domain::Employment, None, Some("Out of work; wants to get back into work.")),
                    finding(j, Domain::Employment, None, Some("Twelve years without work; has suffered from depression.")),
                ],
            },
            None,
        )
    );
    let fcaf_id = id_of(&fcaf)?;
    step!(
        "seating the YOT case manager on the team",
        service::timeline::add_member(
            pool,
            &allow(ctx)?,
            family_id,
            TafMemberCreate {
                staff_id: yot,
                joined_on: Some(date("2013-02-11")),
            },
            None,
        )
    );
    step!(
        "agreeing the FCAF",
        service::assessments::activate(
            pool,
            &allow(ctx)?,
            (family_id, fcaf_id),
            None,
            AssessmentActivate {
                activated_on: Some(date("2013-02-25")),
                agreed_by: "Adult H, Adult J and the Families for Change Coordinator".into(),
                follows_episode_id: None,
            },
            policy,
        )
    );
    let actions = [
        action("Child K completes his Youth Offending Team order.", Some(yot), None, k, Domain::CrimeAsb, "2013-03-31"),
        action("Child K moves from school to college, with his Connexions worker's support.", None, Some("rotherham-iyss"), k, Domain::Education, "2013-09-30"),
        action("Adult H works with the Wiseability employment support programme.", None, Some("wiseability"), h, Domain::Employment, "2013-07-31"),
        action("The Youth Offending Service housing worker advises on the under-occupancy charge and whether to move.", None, Some("rotherham-yos"), None, Domain::Housing, "2013-05-31"),
    ];
    let mut ids = Vec::new();
    for a in actions {
        ids.push(id_of(&step!(
            "adding an action",
            service::plans::create_action(pool, &allow(ctx)?, family_id, a, None)
        ))?);
    }
    let (order, college, work, housing) = (ids[0], ids[1], ids[2], ids[3]);
    let progressing: Allowed<service::plans::Progressing> = allow(ctx)?;
    let working: Allowed<service::assessments::Work> = allow(ctx)?;
    let progress = |id: Uuid, note: &'static str| {
        service::plans::add_progress(
            pool,
            &progressing,
            (family_id, id),
            ProgressCreate { note: note.into() },
            None,
        )
    };
    let close = |id: Uuid, on: &str, outcome: &str| {
        service::plans::close_action(
            pool,
            &working,
            (family_id, id),
            None,
            ActionClose {
                closed_on: Some(date(on)),
                outcome: outcome.into(),
            },
            ActionStatus::Done,
        )
    };
    step!(
        "the first TAF meeting",
        service::plans::create_meeting(
            pool,
            &allow(ctx)?,
            family_id,
            meeting(
                "2013-03-04",
                &["Youth Offending Team", "Connexions", "Wiseability"],
                vec![coordinator, yot],
                "Refer Adult H to Wiseability employment support; ask the YOS housing worker to advise on the under-occupancy charge; Connexions to support Child K's college applications.",
                "2013-04-15",
            ),
            None,
            policy,
        )
    );
    step!(
        "closing the YOT order action",
        close(
            order,
            "2013-03-28",
            "Order completed successfully in March 2013."
        )
    );
    step!("noting progress", progress(work, "Missed her first two appointments; the coordinator encouraged the Wiseability key worker to keep trying."));
    step!(
        "the second TAF meeting",
        service::plans::create_meeting(
            pool,
            &allow(ctx)?,
            family_id,
            meeting(
                "2013-04-15",
                &["Connexions", "Wiseability"],
                vec![coordinator],
                "Child K has finished his YOT order; Wiseability to keep offering appointments; the housing worker has met Adult H.",
                "2013-05-27",
            ),
            None,
            policy,
        )
    );
    step!("noting progress", progress(college, "Finished school and his exams; two college interviews; a place at RCAT on a catering course from September 2013."));
    step!("noting progress", progress(work, "Attended a confidence and motivation course at Northern College and plans more; hopes to train as a counsellor."));
    step!(
        "closing the housing action",
        close(
            housing,
            "2013-05-27",
            "Decided to stay in their current property: they will not be subject to the under-occupancy charge, so need no further support.",
        )
    );
    step!(
        "the third TAF meeting",
        service::plans::create_meeting(
            pool,
            &allow(ctx)?,
            family_id,
            meeting(
                "2013-05-27",
                &["Connexions", "Wiseability"],
                vec![coordinator, yot],
                "The family decided to stay in their home. Adult J is now on the Work Programme. The team stays with the family until Child K is settled at college.",
                "2013-07-08",
            ),
            None,
            policy,
        )
    );
    Ok(())
}
