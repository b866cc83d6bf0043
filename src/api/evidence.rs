use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::text_enum;
use crate::db::evidence::EvidenceRow;

text_enum!(
    /// What the record shows. Each kind needs its own fields (see `EvidenceCreate`).
    EvidenceKind {
        ProvenOffence => "proven_offence",
        AsbIntervention => "asb_intervention",
        AsbIncident => "asb_incident",
        SchoolTerm => "school_term",
        PermanentExclusion => "permanent_exclusion",
        AlternativeProvision => "alternative_provision",
        NotOnRoll => "not_on_roll",
        OutOfWorkBenefit => "out_of_work_benefit",
        Employment => "employment",
        WorkProgramme => "work_programme",
        LocalFilter => "local_filter",
        Phase2Problem => "phase2_problem",
        SfNeed => "sf_need",
    }
);

impl EvidenceKind {
    /// What an employment adviser's part needs: work, benefits and the Work Programme.
    pub const WORK_AND_BENEFIT: [EvidenceKind; 3] = [
        EvidenceKind::OutOfWorkBenefit,
        EvidenceKind::Employment,
        EvidenceKind::WorkProgramme,
    ];
}

text_enum!(
    /// Who the information came from.
    EvidenceSource {
        School => "school",
        Police => "police",
        YouthOffending => "youth_offending",
        Dwp => "dwp",
        Housing => "housing",
        Health => "health",
        SocialCare => "social_care",
        SelfReported => "self_reported",
    }
);

text_enum!(
    /// The kind of anti-social behaviour intervention.
    InterventionKind {
        Asbo => "asbo",
        Injunction => "injunction",
        AcceptableBehaviourContract => "acceptable_behaviour_contract",
        HousingAsbAction => "housing_asb_action",
    }
);

text_enum!(
    SchoolTerm { Autumn => "autumn", Spring => "spring", Summer => "summer" }
);

text_enum!(
    BenefitType {
        JobseekersAllowance => "jobseekers_allowance",
        EmploymentSupportAllowance => "employment_support_allowance",
        IncomeSupport => "income_support",
        IncapacityBenefit => "incapacity_benefit",
        UniversalCreditNotWorking => "universal_credit_not_working",
        Other => "other",
    }
);

text_enum!(
    /// Work Programme or European Social Fund provision.
    Programme { WorkProgramme => "work_programme", Esf => "esf" }
);

text_enum!(
    /// Facts that local filters test.
    FilterFact {
        BenefitCap => "benefit_cap",
        AdultMentalHealth => "adult_mental_health",
        DomesticAbuse => "domestic_abuse",
        SubstanceMisuse => "substance_misuse",
        ChildProtectionPlan => "child_protection_plan",
        ChildInNeedPlan => "child_in_need_plan",
        RentArrears => "rent_arrears",
        MemberInCustody => "member_in_custody",
    }
);

/// A new evidence record. Fields beyond the common ones depend on `kind`:
/// `asb_intervention` needs `intervention_kind`; `school_term` needs `academic_year`, `term`,
/// `possible_sessions`, `sessions_attended`, `unauthorised_absences`, `fixed_term_exclusions`;
/// `out_of_work_benefit` needs `benefit_type`; `employment` needs `hours_per_week`;
/// `work_programme` needs `programme`; `local_filter` needs `filter`; `phase2_problem` and
/// `sf_need` need `indicator`. Every kind but `asb_incident`, `local_filter`, `phase2_problem`
/// and `sf_need` is about a member (`member_id`). A correction names the record it `supersedes`;
/// with `retracts: true` it withdraws that record without replacing it.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "member_id": "019a2b3c-0000-7000-8000-000000000003", "kind": "school_term", "source": "school",
    "occurred_on": "2012-09-03", "academic_year": 2012, "term": "autumn",
    "possible_sessions": 140, "sessions_attended": 100, "unauthorised_absences": 30,
    "fixed_term_exclusions": 1
}))]
pub struct EvidenceCreate {
    pub member_id: Option<Uuid>,
    pub kind: EvidenceKind,
    pub source: EvidenceSource,
    /// When it happened, or when the spell or term began.
    pub occurred_on: NaiveDate,
    /// Last day of a spell (benefit, employment, placement, plan) or of a need or problem;
    /// absent while it continues. A need or problem without one counts at entry when recorded
    /// within the ruleset's window, and afterwards is not sustained until a correction
    /// (`supersedes`) records its end.
    pub ends_on: Option<NaiveDate>,
    pub intervention_kind: Option<InterventionKind>,
    /// First calendar year of the academic year (2012 for 2012/13).
    #[validate(range(min = 1990, max = 2100))]
    #[schema(minimum = 1990, maximum = 2100)]
    pub academic_year: Option<i16>,
    pub term: Option<SchoolTerm>,
    #[validate(range(min = 1, max = 400))]
    #[schema(minimum = 1, maximum = 400)]
    pub possible_sessions: Option<i32>,
    #[validate(range(min = 0, max = 400))]
    #[schema(minimum = 0, maximum = 400)]
    pub sessions_attended: Option<i32>,
    #[validate(range(min = 0, max = 400))]
    #[schema(minimum = 0, maximum = 400)]
    pub unauthorised_absences: Option<i32>,
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub fixed_term_exclusions: Option<i32>,
    pub benefit_type: Option<BenefitType>,
    #[validate(range(min = 1, max = 100))]
    #[schema(minimum = 1, maximum = 100)]
    pub hours_per_week: Option<i16>,
    pub programme: Option<Programme>,
    pub filter: Option<FilterFact>,
    /// For `phase2_problem`: one of crime_asb, school_attendance, children_need_help,
    /// worklessness_financial_exclusion, domestic_abuse, health. For `sf_need`: one of
    /// education, early_years, health, substance_use, family_relationships, child_safety, crime,
    /// domestic_abuse, housing, financial_stability, expectant_parent.
    #[schema(pattern = "^[a-z_]{1,60}$", max_length = 60)]
    pub indicator: Option<String>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: Option<String>,
    /// The record this one corrects.
    pub supersedes: Option<Uuid>,
    /// With `supersedes`: withdraw that record without a replacement.
    #[serde(default)]
    pub retracts: bool,
}

impl EvidenceCreate {
    /// A record of `kind` with only the common fields set; callers add the kind's own.
    pub fn new(kind: EvidenceKind, source: EvidenceSource, occurred_on: NaiveDate) -> Self {
        EvidenceCreate {
            member_id: None,
            kind,
            source,
            occurred_on,
            ends_on: None,
            intervention_kind: None,
            academic_year: None,
            term: None,
            possible_sessions: None,
            sessions_attended: None,
            unauthorised_absences: None,
            fixed_term_exclusions: None,
            benefit_type: None,
            hours_per_week: None,
            programme: None,
            filter: None,
            indicator: None,
            notes: None,
            supersedes: None,
            retracts: false,
        }
    }
}

/// An evidence record. Records never change: a correction is a new record.
#[derive(Serialize, ToSchema)]
pub struct Evidence {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_id: Option<Uuid>,
    pub kind: EvidenceKind,
    pub source: EvidenceSource,
    pub occurred_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub intervention_kind: Option<InterventionKind>,
    pub academic_year: Option<i16>,
    pub term: Option<SchoolTerm>,
    pub possible_sessions: Option<i32>,
    pub sessions_attended: Option<i32>,
    pub unauthorised_absences: Option<i32>,
    pub fixed_term_exclusions: Option<i32>,
    pub benefit_type: Option<BenefitType>,
    pub hours_per_week: Option<i16>,
    pub programme: Option<Programme>,
    pub filter: Option<FilterFact>,
    pub indicator: Option<String>,
    pub notes: Option<String>,
    pub supersedes: Option<Uuid>,
    pub retracts: bool,
    /// The record that corrected this one, if any.
    pub superseded_by: Option<Uuid>,
    /// Whether the rules read this record: not superseded and not a retraction.
    pub in_force: bool,
    /// Token subject of whoever recorded it.
    pub recorded_by: String,
    /// The information request whose answer gave this record, if one did.
    pub information_request_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Evidence {
    pub fn from_row(r: EvidenceRow, superseded_by: Option<Uuid>) -> Self {
        Evidence {
            in_force: superseded_by.is_none() && !r.retracts,
            id: r.id,
            family_id: r.family_id,
            member_id: r.member_id,
            kind: EvidenceKind::from_db(&r.kind),
            source: EvidenceSource::from_db(&r.source),
            occurred_on: r.occurred_on,
            ends_on: r.ends_on,
            intervention_kind: r
                .intervention_kind
                .as_deref()
                .map(InterventionKind::from_db),
            academic_year: r.academic_year,
            term: r.term.as_deref().map(SchoolTerm::from_db),
            possible_sessions: r.possible_sessions,
            sessions_attended: r.sessions_attended,
            unauthorised_absences: r.unauthorised_absences,
            fixed_term_exclusions: r.fixed_term_exclusions,
            benefit_type: r.benefit_type.as_deref().map(BenefitType::from_db),
            hours_per_week: r.hours_per_week,
            programme: r.programme.as_deref().map(Programme::from_db),
            filter: r.filter.as_deref().map(FilterFact::from_db),
            indicator: r.indicator,
            notes: r.notes,
            supersedes: r.supersedes_id,
            retracts: r.retracts,
            superseded_by,
            recorded_by: r.recorded_by,
            information_request_id: r.information_request_id,
            created_at: r.created_at,
        }
    }
}

/// Paging through a family's evidence (documentation of the query string).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct EvidenceListQuery {}
