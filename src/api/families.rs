use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{double_option, integral_i16, integral_i16_patch, text_enum};
use crate::db::families::{FamilyRow, MemberRow, RelativeRow};

text_enum!(
    /// Housing tenure of the household.
    HousingTenure {
        OwnerOccupier => "owner_occupier",
        SocialRentCouncil => "social_rent_council",
        SocialRentHousingAssociation => "social_rent_housing_association",
        PrivateRent => "private_rent",
        TemporaryAccommodation => "temporary_accommodation",
        LivingWithRelatives => "living_with_relatives",
        Other => "other",
        Unknown => "unknown",
    }
);

text_enum!(
    /// Where the family is in the programme. Changes only through actions (attach, close); DELETE
    /// archives.
    FamilyStatus {
        Identified => "identified",
        Attached => "attached",
        Closed => "closed",
        Archived => "archived",
    }
);

text_enum!(
    /// Adult or child member of the household.
    MemberRole { Adult => "adult", Child => "child" }
);

text_enum!(
    /// The member's relationship to the family (the household).
    MemberRelationship {
        Parent => "parent",
        StepParent => "step_parent",
        Partner => "partner",
        Child => "child",
        StepChild => "step_child",
        FosterChild => "foster_child",
        Grandparent => "grandparent",
        Grandchild => "grandchild",
        Sibling => "sibling",
        OtherRelative => "other_relative",
        Other => "other",
    }
);

text_enum!(
    Gender { Female => "female", Male => "male", Other => "other", NotStated => "not_stated" }
);

text_enum!(
    /// How a relative outside the household is related (to `related_member_id` when given).
    RelativeRelationship {
        Son => "son",
        Daughter => "daughter",
        Mother => "mother",
        Father => "father",
        Brother => "brother",
        Sister => "sister",
        Grandparent => "grandparent",
        Grandchild => "grandchild",
        AuntOrUncle => "aunt_or_uncle",
        FormerPartner => "former_partner",
        Other => "other",
    }
);

/// A member of the household, as the API returns it.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a2b3c-0000-7000-8000-000000000003", "family_id": "019a2b3c-0000-7000-8000-000000000002",
    "member_role": "child", "relationship": "child", "given_name": "Child", "family_name": "K",
    "date_of_birth": "1996-09-10", "gender": "male", "upn": "J372201300101", "nhs_number": "9990001022",
    "ni_number": null, "school_name": "Aston Academy", "created_at": "2026-11-25T10:00:00Z",
    "updated_at": "2026-11-25T10:00:00Z", "version": 1
}))]
pub struct Member {
    pub id: Uuid,
    pub family_id: Uuid,
    pub member_role: MemberRole,
    pub relationship: MemberRelationship,
    #[schema(example = "Adult")]
    pub given_name: String,
    #[schema(example = "H")]
    pub family_name: String,
    #[schema(example = "1978-03-14")]
    pub date_of_birth: NaiveDate,
    pub gender: Gender,
    /// Unique Pupil Number (13 characters, check letter verified).
    #[schema(example = "P207000016049")]
    pub upn: Option<String>,
    /// NHS number (10 digits, modulus 11 verified).
    #[schema(example = "9434765919")]
    pub nhs_number: Option<String>,
    /// National Insurance number.
    #[schema(example = "AB123456C")]
    pub ni_number: Option<String>,
    /// Current school (children only).
    pub school_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changes on every update; send it back as `If-Match: "<version>"`.
    pub version: i32,
}

impl From<MemberRow> for Member {
    fn from(r: MemberRow) -> Self {
        Member {
            id: r.id,
            family_id: r.family_id,
            member_role: MemberRole::from_db(&r.member_role),
            relationship: MemberRelationship::from_db(&r.relationship),
            given_name: r.given_name,
            family_name: r.family_name,
            date_of_birth: r.date_of_birth,
            gender: Gender::from_db(&r.gender),
            upn: r.upn,
            nhs_number: r.nhs_number,
            ni_number: r.ni_number,
            school_name: r.school_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A relative who lives outside the household (e.g. an older son living elsewhere).
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a2b3c-0000-7000-8000-000000000009", "family_id": "019a2b3c-0000-7000-8000-000000000002",
    "related_member_id": "019a2b3c-0000-7000-8000-000000000004", "relationship": "son",
    "given_name": "Older son", "family_name": "H", "date_of_birth": "1990-02-14",
    "notes": "Lives independently.", "created_at": "2026-11-25T10:00:00Z", "version": 1
}))]
pub struct Relative {
    pub id: Uuid,
    pub family_id: Uuid,
    /// The household member this person is related to, when recorded.
    pub related_member_id: Option<Uuid>,
    pub relationship: RelativeRelationship,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl From<RelativeRow> for Relative {
    fn from(r: RelativeRow) -> Self {
        Relative {
            id: r.id,
            family_id: r.family_id,
            related_member_id: r.related_member_id,
            relationship: RelativeRelationship::from_db(&r.relationship),
            given_name: r.given_name,
            family_name: r.family_name,
            date_of_birth: r.date_of_birth,
            notes: r.notes,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// A family (household) with its current members and relatives outside the household.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019a2b3c-0000-7000-8000-000000000002", "reference": "FFC-000001",
    "address_line1": "1 Case Study Road", "address_line2": null, "town": "Rotherham",
    "postcode": "S60 2AA", "housing_tenure": "private_rent", "bedrooms": 4, "status": "identified",
    "notes": "Neither parent in work.", "members": [{
    "id": "019a2b3c-0000-7000-8000-000000000003", "family_id": "019a2b3c-0000-7000-8000-000000000002",
    "member_role": "child", "relationship": "child", "given_name": "Child", "family_name": "K",
    "date_of_birth": "1996-09-10", "gender": "male", "upn": "J372201300101", "nhs_number": "9990001022",
    "ni_number": null, "school_name": "Aston Academy", "created_at": "2026-11-25T10:00:00Z",
    "updated_at": "2026-11-25T10:00:00Z", "version": 1
}], "relatives": [{
    "id": "019a2b3c-0000-7000-8000-000000000009", "family_id": "019a2b3c-0000-7000-8000-000000000002",
    "related_member_id": "019a2b3c-0000-7000-8000-000000000004", "relationship": "son",
    "given_name": "Older son", "family_name": "H", "date_of_birth": "1990-02-14",
    "notes": "Lives independently.", "created_at": "2026-11-25T10:00:00Z", "version": 1
}],
    "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:00:00Z", "version": 3
}))]
pub struct Family {
    pub id: Uuid,
    /// Human-readable reference, unique.
    #[schema(example = "FFC-000001")]
    pub reference: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub town: String,
    #[schema(example = "S60 1AE")]
    pub postcode: String,
    /// Lower-layer super output area, where recorded.
    #[schema(example = "E01007659")]
    pub lsoa: Option<String>,
    pub housing_tenure: HousingTenure,
    pub bedrooms: Option<i16>,
    pub status: FamilyStatus,
    pub notes: Option<String>,
    pub members: Vec<Member>,
    pub relatives: Vec<Relative>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Changes on every update of the family or anything in it; send it back as `If-Match`.
    pub version: i32,
}

impl Family {
    pub fn from_rows(f: FamilyRow, members: Vec<MemberRow>, relatives: Vec<RelativeRow>) -> Self {
        Family {
            id: f.id,
            reference: f.reference,
            address_line1: f.address_line1,
            address_line2: f.address_line2,
            town: f.town,
            postcode: f.postcode,
            lsoa: f.lsoa,
            housing_tenure: HousingTenure::from_db(&f.housing_tenure),
            bedrooms: f.bedrooms,
            status: FamilyStatus::from_db(&f.status),
            notes: f.notes,
            members: members.into_iter().map(Member::from).collect(),
            relatives: relatives.into_iter().map(Relative::from).collect(),
            created_at: f.created_at,
            updated_at: f.updated_at,
            version: f.version,
        }
    }
}

/// A member's name and role, as shown in family lists.
#[derive(Serialize, ToSchema)]
pub struct MemberName {
    pub id: Uuid,
    pub member_role: MemberRole,
    pub given_name: String,
    pub family_name: String,
}

/// A family as listed.
#[derive(Serialize, ToSchema)]
pub struct FamilySummary {
    pub id: Uuid,
    #[schema(example = "FFC-000001")]
    pub reference: String,
    pub town: String,
    #[schema(example = "S60 1AE")]
    pub postcode: String,
    pub status: FamilyStatus,
    pub members: Vec<MemberName>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

/// A new family. Members may be given at once; everything is written in one transaction.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "address_line1": "12 Example Street",
    "town": "Rotherham",
    "postcode": "s60 1ae",
    "housing_tenure": "social_rent_council",
    "bedrooms": 3,
    "members": [{
        "member_role": "adult", "relationship": "parent", "given_name": "Adult", "family_name": "H",
        "date_of_birth": "1975-06-02", "gender": "female", "nhs_number": "9434765919"
    }]
}))]
pub struct FamilyCreate {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub address_line1: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub address_line2: Option<String>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub town: String,
    /// UK postcode, any case, with or without the space; stored normalised (`S60 1AE`).
    #[schema(
        pattern = "^([A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}|[Gg][Ii][Rr] ?0[Aa][Aa])$",
        example = "S60 1AE"
    )]
    pub postcode: String,
    /// Lower-layer super output area (ONS code), for deprived-area lists kept by LSOA.
    #[schema(pattern = "^[EW]01[0-9]{6}$", max_length = 9, example = "E01007659")]
    pub lsoa: Option<String>,
    pub housing_tenure: HousingTenure,
    #[serde(default, deserialize_with = "integral_i16")]
    #[validate(range(min = 0, max = 20))]
    #[schema(minimum = 0, maximum = 20)]
    pub bedrooms: Option<i16>,
    #[validate(length(min = 1, max = 10000))]
    #[schema(min_length = 1, max_length = 10000)]
    pub notes: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub members: Vec<MemberCreate>,
}

/// Changes to a family. Absent fields stay as they are; `null` clears an optional field.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"bedrooms": 4, "notes": "Moved to a larger council house."}))]
pub struct FamilyUpdate {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub address_line1: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 200))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub address_line2: Option<Option<String>>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub town: Option<String>,
    #[schema(
        pattern = "^([A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}|[Gg][Ii][Rr] ?0[Aa][Aa])$"
    )]
    pub postcode: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^[EW]01[0-9]{6}$", max_length = 9)]
    pub lsoa: Option<Option<String>>,
    pub housing_tenure: Option<HousingTenure>,
    #[serde(default, deserialize_with = "integral_i16_patch")]
    #[validate(range(min = 0, max = 20))]
    #[schema(value_type = Option<i16>, minimum = 0, maximum = 20)]
    pub bedrooms: Option<Option<i16>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 10000))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 10000)]
    pub notes: Option<Option<String>>,
}

/// A new household member. Identifiers are checked (UPN check letter, NHS modulus 11, NI format).
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "member_role": "child", "relationship": "child", "given_name": "Child", "family_name": "K",
    "date_of_birth": "1997-01-15", "gender": "male", "upn": "P207000016049",
    "school_name": "Example Academy"
}))]
pub struct MemberCreate {
    pub member_role: MemberRole,
    pub relationship: MemberRelationship,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub given_name: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub family_name: String,
    /// Not in the future, not before 1900.
    pub date_of_birth: NaiveDate,
    pub gender: Gender,
    #[schema(pattern = "^[A-Za-z0-9]{13}$", example = "P207000016049")]
    pub upn: Option<String>,
    #[schema(
        pattern = "^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$",
        example = "9434765919"
    )]
    pub nhs_number: Option<String>,
    #[schema(
        pattern = "^[A-Za-z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Da-d]$",
        example = "AB123456C"
    )]
    pub ni_number: Option<String>,
    /// Children only.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub school_name: Option<String>,
}

/// Changes to a member. Absent fields stay; `null` clears an optional field.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"school_name": "Example Pupil Referral Unit"}))]
pub struct MemberUpdate {
    pub member_role: Option<MemberRole>,
    pub relationship: Option<MemberRelationship>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub given_name: Option<String>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: Option<Gender>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9]{13}$")]
    pub upn: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$")]
    pub nhs_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Da-d]$")]
    pub ni_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 200))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub school_name: Option<Option<String>>,
}

/// A relative outside the household.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "relationship": "son", "given_name": "Son", "family_name": "H", "date_of_birth": "1993-05-01",
    "notes": "Older son, lives independently."
}))]
pub struct RelativeCreate {
    /// The household member this person is related to.
    pub related_member_id: Option<Uuid>,
    pub relationship: RelativeRelationship,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub given_name: String,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub family_name: String,
    pub date_of_birth: Option<NaiveDate>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: Option<String>,
}

/// Filters for listing families (documentation of the query string; parsed field by field so an
/// error names its parameter). Every filter is backed by an index.
#[derive(IntoParams)]
#[allow(dead_code)]
#[into_params(parameter_in = Query)]
pub struct FamilyListQuery {
    /// Exact postcode, any case, with or without the space.
    #[param(
        pattern = "^([A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}|[Gg][Ii][Rr] ?0[Aa][Aa])$"
    )]
    pub postcode: Option<String>,
    /// Status; without it, archived families are left out.
    #[param(inline)]
    pub status: Option<FamilyStatus>,
    /// Text found in the family reference (text with a digit, or starting `FFC`, e.g. `FFC-0001`
    /// or `00012`) or else in a current member's full name (at least 3 characters).
    #[param(
        min_length = 3,
        max_length = 100,
        pattern = "^[^\\u0000]*[^\\u0000\\t\\n\\u000b\\f\\r ][^\\u0000]*$"
    )]
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_wire_names() {
        crate::api::wire_names_agree(HousingTenure::ALL, HousingTenure::as_str);
        crate::api::wire_names_agree(FamilyStatus::ALL, FamilyStatus::as_str);
        crate::api::wire_names_agree(MemberRole::ALL, MemberRole::as_str);
        crate::api::wire_names_agree(MemberRelationship::ALL, MemberRelationship::as_str);
        crate::api::wire_names_agree(Gender::ALL, Gender::as_str);
        crate::api::wire_names_agree(RelativeRelationship::ALL, RelativeRelationship::as_str);
    }
}
