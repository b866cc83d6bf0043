use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assessments::Domain;
use super::text_enum;
use crate::db::providers::{ProviderUserRow, ServiceRow};

text_enum!(
    /// A social care plan a service may require the member referred to be on.
    RequiredPlan {
        ChildProtectionPlan => "child_protection_plan",
        ChildInNeedPlan => "child_in_need_plan",
    }
);

/// A commissioned service: whom it is for, how many families it takes at once, its contract.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Multi-Systemic Therapy (with the Barnsley team)", "need": "crime_asb",
    "min_age": 11, "max_age": 17, "required_plans": [], "capacity": 10, "contract_start": "2014-07-01",
    "contract_end": null, "contract_value_pence": 25000000}))]
pub struct ServiceTerms {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// The need it addresses.
    pub need: Domain,
    /// Youngest age taken, on the referral date.
    #[validate(range(min = 0, max = 120))]
    #[schema(minimum = 0, maximum = 120)]
    pub min_age: Option<i32>,
    /// Oldest age taken, on the referral date.
    #[validate(range(min = 0, max = 120))]
    #[schema(minimum = 0, maximum = 120)]
    pub max_age: Option<i32>,
    /// The member must be on one of these plans on the referral date.
    #[serde(default)]
    #[validate(length(max = 2))]
    #[schema(max_items = 2)]
    pub required_plans: Vec<RequiredPlan>,
    /// Open cases at once; absent for no limit.
    #[validate(range(min = 1, max = 100000))]
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: Option<i32>,
    #[validate(custom(function = "crate::api::casework_date"))]
    pub contract_start: NaiveDate,
    /// Inclusive; absent for open-ended.
    #[validate(custom(function = "crate::api::casework_date"))]
    pub contract_end: Option<NaiveDate>,
    /// In pence.
    #[validate(range(min = 0, max = 100_000_000_000i64))]
    #[schema(minimum = 0, maximum = 100_000_000_000i64)]
    pub contract_value_pence: Option<i64>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: Option<String>,
}

/// A new service, offered by an organisation.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "rotherham-parenting", "organisation": "rmbc", "name": "Parenting programme",
    "need": "family_relationships", "capacity": 12, "contract_start": "2014-04-01"}))]
pub struct ServiceCreate {
    /// 2 to 40 lower-case letters, digits or hyphens.
    #[validate(length(min = 2, max = 40))]
    #[schema(pattern = "^[a-z0-9-]{2,40}$", min_length = 2, max_length = 40)]
    pub code: String,
    /// The organisation (code) that provides it.
    #[validate(length(min = 2, max = 40))]
    #[schema(min_length = 2, max_length = 40)]
    pub organisation: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub need: Domain,
    #[validate(range(min = 0, max = 120))]
    #[schema(minimum = 0, maximum = 120)]
    pub min_age: Option<i32>,
    #[validate(range(min = 0, max = 120))]
    #[schema(minimum = 0, maximum = 120)]
    pub max_age: Option<i32>,
    #[serde(default)]
    #[validate(length(max = 2))]
    #[schema(max_items = 2)]
    pub required_plans: Vec<RequiredPlan>,
    #[validate(range(min = 1, max = 100000))]
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: Option<i32>,
    #[validate(custom(function = "crate::api::casework_date"))]
    pub contract_start: NaiveDate,
    #[validate(custom(function = "crate::api::casework_date"))]
    pub contract_end: Option<NaiveDate>,
    #[validate(range(min = 0, max = 100_000_000_000i64))]
    #[schema(minimum = 0, maximum = 100_000_000_000i64)]
    pub contract_value_pence: Option<i64>,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub notes: Option<String>,
}

impl ServiceCreate {
    pub fn split(self) -> (String, String, ServiceTerms) {
        (
            self.code,
            self.organisation,
            ServiceTerms {
                name: self.name,
                need: self.need,
                min_age: self.min_age,
                max_age: self.max_age,
                required_plans: self.required_plans,
                capacity: self.capacity,
                contract_start: self.contract_start,
                contract_end: self.contract_end,
                contract_value_pence: self.contract_value_pence,
                notes: self.notes,
            },
        )
    }
}

/// A commissioned service.
#[derive(Serialize, ToSchema)]
pub struct Service {
    pub code: String,
    pub organisation: String,
    pub name: String,
    pub need: Domain,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub required_plans: Vec<RequiredPlan>,
    pub capacity: Option<i32>,
    pub contract_start: NaiveDate,
    pub contract_end: Option<NaiveDate>,
    pub contract_value_pence: Option<i64>,
    pub notes: Option<String>,
    pub version: i32,
}

impl From<ServiceRow> for Service {
    fn from(r: ServiceRow) -> Self {
        Service {
            code: r.code,
            organisation: r.organisation,
            name: r.name,
            need: Domain::from_db(&r.need),
            min_age: r.min_age,
            max_age: r.max_age,
            required_plans: r
                .required_plans
                .iter()
                .map(|p| RequiredPlan::from_db(p))
                .collect(),
            capacity: r.capacity,
            contract_start: r.contract_start,
            contract_end: r.contract_end,
            contract_value_pence: r.contract_value_pence,
            notes: r.notes,
            version: r.version,
        }
    }
}

/// Bind a provider's tokens (issuer and subject) to its organisation.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"issuer": "https://login.rotherham-mind.example", "subject": "mind-case-system",
    "organisation": "rotherham-mind"}))]
pub struct ProviderUserCreate {
    /// The `iss` claim of the provider's tokens (`ffc-dev` for development tokens).
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub issuer: String,
    /// The `sub` claim of the provider's tokens.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    #[validate(length(min = 2, max = 40))]
    #[schema(min_length = 2, max_length = 40)]
    pub organisation: String,
}

/// A provider's user (a person or a system), bound to one organisation.
#[derive(Serialize, ToSchema)]
pub struct ProviderUser {
    pub id: Uuid,
    pub issuer: String,
    pub subject: String,
    pub organisation: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<ProviderUserRow> for ProviderUser {
    fn from(r: ProviderUserRow) -> Self {
        ProviderUser {
            id: r.id,
            issuer: r.issuer,
            subject: r.subject,
            organisation: r.organisation,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_are_the_wire_names() {
        crate::api::wire_names_agree(RequiredPlan::ALL, RequiredPlan::as_str);
    }
}
