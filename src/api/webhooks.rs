use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::webhooks::{DeliveryRow, SubscriptionRow};

/// Subscribe a provider's system to notifications about its referrals.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://cases.rotherham-mind.example/hooks/ffc"}))]
pub struct SubscriptionCreate {
    /// Where to POST events: http(s), not a loopback, link-local or private address.
    #[validate(length(min = 8, max = 2000))]
    #[schema(min_length = 8, max_length = 2000)]
    pub url: String,
    /// Admins name the organisation; a provider subscribes for its own.
    #[validate(length(min = 2, max = 40))]
    #[schema(min_length = 2, max_length = 40)]
    pub organisation: Option<String>,
}

/// A webhook subscription. Events: `referral.created`, `referral.status_changed`,
/// `referral.update_posted`; each carries only ids and the status (fetch the rest with your own
/// token), signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`).
#[derive(Serialize, ToSchema)]
pub struct Subscription {
    pub id: Uuid,
    pub organisation: String,
    pub url: String,
    /// The signing secret (`whsec_...`), shown once, when the subscription is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl Subscription {
    pub fn from_row(r: SubscriptionRow, with_secret: bool) -> Self {
        Subscription {
            id: r.id,
            organisation: r.organisation,
            url: r.url,
            secret: with_secret.then_some(r.secret),
            created_by: r.created_by,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

/// One event's delivery to one subscription.
#[derive(Serialize, ToSchema)]
pub struct Delivery {
    /// The `webhook-id` header: the same on every attempt.
    pub id: Uuid,
    pub event_type: String,
    pub subscription_id: Uuid,
    /// `pending`, `delivered`, or `dead` (attempts exhausted).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl Delivery {
    pub fn from_row(r: DeliveryRow, event_type: String) -> Self {
        Delivery {
            id: r.id,
            event_type,
            subscription_id: r.subscription_id,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            delivered_at: r.delivered_at,
        }
    }
}
