//! Referrals to commissioned services: the rules at referral time (consent to share with the
//! provider, the service's eligibility and contract on the day, its capacity with a queue) and the
//! lifecycle, each move recorded. docs/rules.md, "Delivery routes and providers".

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::families::{today, visible_family};
use super::{audit, idem_begin, idem_finish, Idem};
use crate::api::referrals::*;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::providers::{self as pq, ServiceRow};
use crate::db::referrals::{self as q, ReferralFilter, ReferralRow};
use crate::db::{consent as cq, families as fq, Conn, Pool};
use crate::domain::consent::{decide, Question};
use crate::domain::referrals::{self as rules, Needs, ServiceRules, Side};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::extract::{bad_param, check_version, code_param};
use crate::http::reply::Reply;

/// Those who work with families refer them and cancel their referrals.
pub const REFER: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::LeadWorker,
    Role::KeyWorker,
];
/// Moves: the referring side's and the provider's (managers may record a provider's move for a
/// provider without a system of its own).
pub const MOVE: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::LeadWorker,
    Role::KeyWorker,
    Role::Provider,
];
/// Every referral for the council; a provider's own organisation's.
pub const LIST: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
    Role::Auditor,
    Role::Provider,
];
/// One referral: whoever sees its family, and the provider it is made to.
pub const READ: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
    Role::Auditor,
    Role::LeadWorker,
    Role::KeyWorker,
    Role::Provider,
];
/// Updates come from the provider (a manager may record one for a provider without a system).
pub const POST_UPDATE: &[Role] = &[Role::Provider, Role::Manager];

pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}
pub struct PostUpdate;
impl Policy for PostUpdate {
    const ROLES: &'static [Role] = POST_UPDATE;
}

pub struct Refer;
impl Policy for Refer {
    const ROLES: &'static [Role] = REFER;
}
pub struct Move;
impl Policy for Move {
    const ROLES: &'static [Role] = MOVE;
}
pub struct List;
impl Policy for List {
    const ROLES: &'static [Role] = LIST;
}

/// Tells the provider's systems (thin: ids and the new status; they fetch the rest with their
/// own token), through the outbox in this transaction.
async fn notify(
    conn: &mut Conn,
    organisation: &str,
    event: &str,
    referral_id: Uuid,
    status: ReferralStatus,
    extra: Option<(&str, Uuid)>,
) -> ApiResult<()> {
    let mut data = serde_json::json!({"referral_id": referral_id, "status": status});
    if let Some((k, v)) = extra {
        data[k] = serde_json::json!(v);
    }
    crate::db::webhooks::emit(conn, organisation, event, data).await?;
    Ok(())
}

pub fn location(id: Uuid) -> String {
    format!("/api/v1/referrals/{id}")
}

/// Whose eyes: council staff, or a provider seeing one organisation's referrals (none when its
/// subject is not bound to one).
enum Viewer {
    Council,
    Provider(Option<String>),
}

async fn viewer(conn: &mut Conn, ctx: &Ctx) -> ApiResult<Viewer> {
    let council = READ
        .iter()
        .any(|r| *r != Role::Provider && ctx.principal.has(*r));
    if council || !ctx.principal.has(Role::Provider) {
        return Ok(Viewer::Council);
    }
    Ok(Viewer::Provider(
        pq::organisation_of(conn, &ctx.principal.issuer, &ctx.principal.subject).await?,
    ))
}

/// The referral, if the caller may see it: council staff who see its family, and the provider
/// it is made to. Anything else is 404, so its existence is not disclosed.
async fn visible(conn: &mut Conn, ctx: &Ctx, id: Uuid, for_update: bool) -> ApiResult<ReferralRow> {
    let row = q::find(conn, id, for_update)
        .await?
        .ok_or_else(|| ApiError::not_found("referral"))?;
    match viewer(conn, ctx).await? {
        Viewer::Council => {
            visible_family(conn, ctx, row.family_id, false)
                .await
                .map_err(|_| ApiError::not_found("referral"))?;
        }
        Viewer::Provider(org) => {
            if org.as_deref() != Some(row.organisation.as_str()) {
                return Err(ApiError::not_found("referral"));
            }
        }
    }
    Ok(row)
}

async fn shown(conn: &mut Conn, row: ReferralRow, with_history: bool) -> ApiResult<Referral> {
    let position = q::positions(conn, &[row.id]).await?.get(&row.id).copied();
    let history = if with_history {
        Some(q::events_of(conn, row.id).await?)
    } else {
        None
    };
    Ok(Referral::from_row(row, position, history))
}

fn service_rules(s: &ServiceRow) -> ServiceRules<'_> {
    ServiceRules {
        min_age: s.min_age,
        max_age: s.max_age,
        required_plans: &s.required_plans,
        contract_start: s.contract_start,
        contract_end: s.contract_end,
    }
}

/// The consent to share with the service's organisation for a referral: the member's identity and
/// contact details, and the data of the need the service addresses. The first refusal wins.
async fn consent_for(
    conn: &mut Conn,
    family_id: Uuid,
    member_id: Option<Uuid>,
    service: &ServiceRow,
    on: NaiveDate,
) -> ApiResult<Result<Uuid, String>> {
    let grants = super::consent::grants(&cq::consents_of(conn, family_id).await?);
    let mut decided = None;
    for category in ["identity_contact", service.need.as_str()] {
        let v = decide(
            &grants,
            &Question {
                member_id,
                organisation: &service.organisation,
                purpose: "referral",
                category,
                on,
            },
        );
        if !v.allowed {
            return Ok(Err(v.reason));
        }
        decided = v.consent_id;
    }
    Ok(decided.ok_or_else(|| "No consent decides it.".to_string()))
}

pub async fn create(
    pool: &Pool,
    ctx: &Allowed<Refer>,
    family_id: Uuid,
    input: ReferralCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let on = input.referred_on.unwrap_or_else(today);
    // A referral may be recorded after the fact, not ahead of it: a future date would take a place
    // today on eligibility the member does not have yet.
    if on > today() {
        return Err(ApiError::validation(
            "referred_on",
            "must not be in the future",
        ));
    }
    if input.consent_override.is_some() && !ctx.principal.has(Role::Manager) {
        return Err(ApiError::Forbidden(
            "Only a manager may refer without consent.".into(),
        ));
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, true).await?;
        // The service row lock queues referrals racing for its last place.
        let service = pq::find_service(conn, &input.service_code, true)
            .await?
            .ok_or_else(|| {
                ApiError::validation("service_code", "no such service (see GET /api/v1/services)")
            })?;
        let (age, plans) = match input.member_id {
            Some(m) => {
                let member = fq::find_member(conn, family_id, m).await?.ok_or_else(|| {
                    ApiError::validation("member_id", "not a current member of this family")
                })?;
                (
                    Some(crate::domain::people::age_on(member.date_of_birth, on)),
                    q::plans_on(conn, m, on).await?,
                )
            }
            None => (None, vec![]),
        };
        let refused = rules::refusals(&service_rules(&service), age, &plans, on);
        if !refused.is_empty() {
            return Err(ApiError::Validation(
                refused
                    .into_iter()
                    .map(|(f, m)| FieldError::new(f, m))
                    .collect(),
            ));
        }
        let (consent_id, consent_override) =
            // The data goes to the provider now: the consent must be in force today.
            match consent_for(conn, family_id, input.member_id, &service, today()).await? {
                Ok(id) => (Some(id), None),
                Err(why) => match &input.consent_override {
                    Some(o) => (None, Some(crate::api::tidy(o))),
                    None => {
                        return Err(ApiError::Conflict(format!(
                            "No consent to share with {} for a referral: {why} A manager may \
                             refer anyway with a written consent_override.",
                            service.organisation
                        )))
                    }
                },
            };
        let full = match service.capacity {
            Some(cap) => q::taken(conn, &service.code).await? >= i64::from(cap),
            None => false,
        };
        let status = if full {
            ReferralStatus::Waiting
        } else {
            ReferralStatus::Requested
        };
        let row = q::insert(
            conn,
            ReferralRow {
                id: Uuid::now_v7(),
                family_id,
                member_id: input.member_id,
                service_code: service.code.clone(),
                organisation: service.organisation.clone(),
                status,
                reason: crate::api::tidy(&input.reason),
                referred_on: on,
                consent_id,
                override_by: consent_override
                    .as_ref()
                    .map(|_| ctx.principal.subject.clone()),
                consent_override,
                queued_at: full.then(chrono::Utc::now),
                outcome: None,
                referred_by: ctx.principal.subject.clone(),
                created_at: chrono::Utc::now(),
                version: 1,
            },
        )
        .await?;
        q::event(
            conn,
            row.id,
            "create",
            None,
            status,
            None,
            &ctx.principal.subject,
        )
        .await?;
        notify(
            conn,
            &row.organisation,
            "referral.created",
            row.id,
            status,
            None,
        )
        .await?;
        let mut ids = vec![row.id, family_id];
        ids.extend(input.member_id);
        audit(conn, ctx, "referral.create", "referral", &ids).await?;
        let body = shown(conn, row, true).await?;
        let reply = Reply::created(&body, location(body.id), 1);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

/// Who may make a move of this side.
fn may_move(ctx: &Ctx, side: Side) -> bool {
    match side {
        Side::Referrer => REFER.iter().any(|r| ctx.principal.has(*r)),
        Side::Provider => ctx.principal.has(Role::Provider) || ctx.principal.has(Role::Manager),
    }
}

pub async fn transition(
    pool: &Pool,
    ctx: &Allowed<Move>,
    id: Uuid,
    expected: Option<i32>,
    input: Transition,
) -> ApiResult<Reply> {
    let (move_, action) = (input.action, input.action.as_str());
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        // The service before the referral, in the order every writer takes them: a freed place
        // goes to the first waiting referral, which another request may be moving.
        let peek = visible(conn, ctx, id, false).await?;
        pq::find_service(conn, &peek.service_code, true).await?;
        let row = visible(conn, ctx, id, true).await?;
        check_version(expected, row.version)?;
        let Some((to, side, needs)) = rules::transition(row.status, move_) else {
            let allowed = rules::allowed(row.status);
            return Err(ApiError::Conflict(if allowed.is_empty() {
                format!(
                    "The referral has ended ({}); nothing moves it.",
                    row.status.as_str()
                )
            } else {
                format!(
                    "A {} referral cannot {action}; it can: {}.",
                    row.status.words(),
                    allowed
                        .iter()
                        .map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }));
        };
        if !may_move(ctx, side) {
            return Err(ApiError::Forbidden(match side {
                Side::Provider => "The provider makes this move.".into(),
                Side::Referrer => "The referring side makes this move.".into(),
            }));
        }
        let reason = input.reason.as_deref().map(crate::api::tidy);
        let outcome = input.outcome.as_deref().map(crate::api::tidy);
        if outcome.is_some() && needs != Needs::Outcome {
            return Err(ApiError::validation(
                "outcome",
                format!("only when completing, not to {action}"),
            ));
        }
        match needs {
            Needs::Reason if reason.is_none() => {
                return Err(ApiError::validation(
                    "reason",
                    format!("say why, to {action}"),
                ))
            }
            Needs::Outcome if outcome.is_none() => {
                return Err(ApiError::validation(
                    "outcome",
                    "summarise what came of the work, to complete",
                ))
            }
            _ => {}
        }
        let frees = row.status.holds_place() && !to.holds_place();
        let kept = outcome.clone().or(row.outcome.clone());
        let moved = q::set_status(conn, id, to, kept.as_deref()).await?;
        q::event(
            conn,
            id,
            action,
            Some(row.status),
            to,
            reason.as_deref().or(outcome.as_deref()),
            &ctx.principal.subject,
        )
        .await?;
        notify(
            conn,
            &row.organisation,
            "referral.status_changed",
            id,
            to,
            None,
        )
        .await?;
        let mut ids = vec![id, row.family_id];
        if frees {
            ids.extend(offer_places(conn, ctx, &row.service_code).await?);
        }
        audit(conn, ctx, &format!("referral.{action}"), "referral", &ids).await?;
        let version = moved.version;
        Ok(Reply::ok(&shown(conn, moved, true).await?, Some(version)))
    })
    .await
}

pub async fn get(pool: &Pool, ctx: &Allowed<Read>, id: Uuid) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        let row = visible(conn, ctx, id, false).await?;
        audit(conn, ctx, "referral.read", "referral", &[id, row.family_id]).await?;
        let version = row.version;
        Ok(Reply::ok(&shown(conn, row, true).await?, Some(version)))
    })
    .await
}

async fn page(
    conn: &mut super::ReadConn<'_>,
    ctx: &Ctx,
    filter: &ReferralFilter,
    limit: i64,
) -> ApiResult<Reply> {
    let mut rows = q::list(conn, filter, limit + 1).await?;
    let next_cursor = end_page(&mut rows, limit, |r| r.id);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let positions = q::positions(conn, &ids).await?;
    let mut audited: Vec<Uuid> = rows.iter().flat_map(|r| [r.id, r.family_id]).collect();
    audited.dedup();
    audit(conn, ctx, "referral.list", "referral", &audited).await?;
    let items: Vec<Referral> = rows
        .into_iter()
        .map(|r| {
            let p = positions.get(&r.id).copied();
            Referral::from_row(r, p, None)
        })
        .collect();
    Ok(Reply::ok(&Page { items, next_cursor }, None))
}

fn filter_from(params: &HashMap<String, String>) -> ApiResult<ReferralFilter> {
    Ok(ReferralFilter {
        family_id: None,
        organisation: code_param(params, "organisation")?,
        service_code: code_param(params, "service_code")?,
        status: params
            .get("status")
            .map(|s| {
                ReferralStatus::parse(s).ok_or_else(|| bad_param("status", "not a referral status"))
            })
            .transpose()?,
        before_id: params.get("cursor").map(|c| decode_cursor(c)).transpose()?,
    })
}

pub async fn list(
    pool: &Pool,
    ctx: &Allowed<List>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let mut filter = filter_from(&params)?;
    super::read(pool, async |conn| {
        if let Viewer::Provider(org) = viewer(conn, ctx).await? {
            // A provider lists its own organisation's referrals; an unbound one, nothing ("-" is
            // no organisation's code). Its filter narrows that and never replaces it: asking for
            // another organisation's referrals answers an empty page, not its own.
            let own = org.unwrap_or_else(|| "-".into());
            filter.organisation = match filter.organisation.take() {
                Some(asked) if asked != own => Some("-".into()),
                _ => Some(own),
            };
        }
        page(conn, ctx, &filter, limit).await
    })
    .await
}

pub async fn list_for_family(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let mut filter = filter_from(&params)?;
    filter.family_id = Some(family_id);
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        page(conn, ctx, &filter, limit).await
    })
    .await
}

pub async fn post_update(
    pool: &Pool,
    ctx: &Allowed<PostUpdate>,
    id: Uuid,
    input: UpdateCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    if idem.is_none() {
        return Err(ApiError::BadRequest(
            "Invalid header.".into(),
            vec![FieldError::new(
                "Idempotency-Key",
                "required: a retried update is then recorded once",
            )],
        ));
    }
    let mut errors = Vec::new();
    if input.occurred_on > today() {
        errors.push(FieldError::new("occurred_on", "must not be in the future"));
    }
    match input.kind {
        UpdateKind::Session if input.session_held.is_none() => errors.push(FieldError::new(
            "session_held",
            "say whether the session took place",
        )),
        UpdateKind::Progress if input.note.is_none() => errors.push(FieldError::new(
            "note",
            "a progress update says what progress",
        )),
        UpdateKind::Outcome if input.measures.is_empty() => errors.push(FieldError::new(
            "measures",
            "an outcome update gives at least one measure",
        )),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        let row = visible(conn, ctx, id, true).await?;
        if row.status.has_ended() {
            return Err(ApiError::Conflict(format!(
                "The referral has ended ({}); it takes no more updates.",
                row.status.as_str()
            )));
        }
        if !row.status.holds_place() || row.status == ReferralStatus::Requested {
            return Err(ApiError::Conflict(
                "The referral has not been accepted yet; updates follow acceptance.".into(),
            ));
        }
        if input.occurred_on < row.referred_on {
            return Err(ApiError::validation(
                "occurred_on",
                format!("must not be before the referral ({})", row.referred_on),
            ));
        }
        if let Some(c) = input.corrects_update_id {
            if !q::update_of(conn, id, c).await? {
                return Err(ApiError::validation(
                    "corrects_update_id",
                    "not an update of this referral",
                ));
            }
        }
        let measures: Vec<Measure> = input
            .measures
            .iter()
            .map(|m| Measure {
                name: crate::api::tidy(&m.name),
                value: m.value,
                unit: m.unit.as_deref().map(crate::api::tidy),
            })
            .collect();
        let update = q::insert_update(
            conn,
            q::UpdateRow {
                id: Uuid::now_v7(),
                referral_id: id,
                kind: input.kind.as_str().into(),
                occurred_on: input.occurred_on,
                session_held: input.session_held,
                family_engaged: input.family_engaged,
                note: input.note.as_deref().map(crate::api::tidy),
                measures: serde_json::to_value(&measures)
                    .map_err(|e| ApiError::Internal(format!("measures: {e}")))?,
                corrects_id: input.corrects_update_id,
                posted_by: ctx.principal.subject.clone(),
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
        notify(
            conn,
            &row.organisation,
            "referral.update_posted",
            id,
            row.status,
            Some(("update_id", update.id)),
        )
        .await?;
        audit(
            conn,
            ctx,
            "referral.update",
            "referral_update",
            &[update.id, id, row.family_id],
        )
        .await?;
        let reply = Reply::created(
            &ReferralUpdate::from(update),
            format!("{}/updates", location(id)),
            1,
        );
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn list_updates(
    pool: &Pool,
    ctx: &Allowed<Read>,
    id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let before = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    super::read(pool, async |conn| {
        let row = visible(conn, ctx, id, false).await?;
        let mut rows = q::updates_of(conn, id, before, limit + 1).await?;
        let next_cursor = end_page(&mut rows, limit, |r| r.id);
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        ids.extend([id, row.family_id]);
        audit(conn, ctx, "referral.update.list", "referral_update", &ids).await?;
        let items: Vec<ReferralUpdate> = rows.into_iter().map(ReferralUpdate::from).collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}

/// What the provider sees of the family: see `SharedFamily`.
pub async fn shared_family(pool: &Pool, ctx: &Allowed<Read>, id: Uuid) -> ApiResult<Reply> {
    let today = today();
    super::read(pool, async |conn| {
        let row = visible(conn, ctx, id, false).await?;
        // A provider sees the family only while it holds a place for it.
        if matches!(viewer(conn, ctx).await?, Viewer::Provider(_)) && !row.status.holds_place() {
            return Err(ApiError::not_found("referral"));
        }
        let family = fq::find_family(conn, row.family_id, false)
            .await?
            .ok_or_else(|| ApiError::not_found("referral"))?;
        let grants = super::consent::grants(&cq::consents_of(conn, row.family_id).await?);
        let may = |member_id: Option<Uuid>, category: &str| {
            decide(
                &grants,
                &Question {
                    member_id,
                    organisation: &row.organisation,
                    purpose: "referral",
                    category,
                    on: today,
                },
            )
            .allowed
        };
        // Without consent, a manager's override lets the provider know whom it works with and
        // where; with consent, the consent in force today decides.
        let overridden = row.consent_override.is_some();
        let contact = overridden || may(None, "identity_contact");
        let members: Vec<SharedMember> = fq::members_of_family(conn, row.family_id)
            .await?
            .into_iter()
            .filter(|m| {
                may(Some(m.id), "identity_contact") || (overridden && row.member_id == Some(m.id))
            })
            .map(|m| SharedMember {
                id: m.id,
                given_name: m.given_name,
                family_name: m.family_name,
                member_role: m.member_role,
                age: crate::domain::people::age_on(m.date_of_birth, today),
            })
            .collect();
        let filter = crate::db::plans::ActionFilter {
            status: None,
            assessment_id: None,
            before_id: None,
            shared_with: None,
        };
        let plan_items: Vec<SharedAction> =
            crate::db::plans::actions_of(conn, row.family_id, &filter, 200)
                .await?
                .into_iter()
                .filter(|a| may(a.member_id, &a.need))
                .map(|a| SharedAction {
                    description: a.description,
                    need: a.need,
                    member_id: a.member_id,
                    due_on: a.due_on,
                    status: a.status,
                })
                .collect();
        let mut ids: Vec<Uuid> = vec![id, family.id];
        ids.extend(members.iter().map(|m| m.id));
        audit(conn, ctx, "referral.family.read", "referral", &ids).await?;
        Ok(Reply::ok(
            &SharedFamily {
                referral_id: id,
                family_id: family.id,
                reference: family.reference,
                address_line1: contact.then_some(family.address_line1),
                address_line2: family.address_line2.filter(|_| contact),
                town: contact.then_some(family.town),
                postcode: contact.then_some(family.postcode),
                members,
                plan_items,
            },
            None,
        ))
    })
    .await
}

/// The council's dashboards of referrals.
pub const REPORT: &[Role] = &[Role::Coordinator, Role::Manager, Role::Admin, Role::Auditor];

pub struct Report;
impl Policy for Report {
    const ROLES: &'static [Role] = REPORT;
}

fn date_param(params: &HashMap<String, String>, name: &str) -> ApiResult<Option<NaiveDate>> {
    params
        .get(name)
        .map(|v| {
            v.parse::<NaiveDate>()
                .map_err(|_| bad_param(name, "a date, YYYY-MM-DD"))
        })
        .transpose()
}

pub async fn summary(
    pool: &Pool,
    ctx: &Allowed<Report>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let from =
        date_param(&params, "from")?.unwrap_or(NaiveDate::from_ymd_opt(1990, 1, 1).expect("date"));
    // A period that ends before it starts holds no referrals: the answer is empty, not an error.
    let to = date_param(&params, "to")?.unwrap_or_else(today);
    super::read(pool, async |conn| {
        let rows = q::summary(conn, from, to).await?;
        // Counts, not personal data; the reading is still on the record.
        audit(conn, ctx, "report.referrals", "referral", &[]).await?;
        let items: Vec<ReferralCount> = rows
            .into_iter()
            .map(|r| ReferralCount {
                organisation: r.organisation,
                service_code: r.service_code,
                status: r.status,
                age_band: r.age_band,
                referrals: r.referrals,
            })
            .collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

pub async fn capacity(pool: &Pool, ctx: &Allowed<Report>) -> ApiResult<Reply> {
    let rows = super::read(pool, async |conn| {
        let rows = q::capacity(conn).await?;
        audit(conn, ctx, "report.service_capacity", "service", &[]).await?;
        Ok(rows)
    })
    .await?;
    let items: Vec<ServiceLoad> = rows.into_iter().map(ServiceLoad::from).collect();
    Ok(Reply::ok(&Page::all(items), None))
}

/// Offers the service's free places to the referrals waiting longest, in queue order; returns
/// the ids offered (and their families'). The caller holds the service row lock.
pub async fn offer_places(conn: &mut Conn, ctx: &Ctx, service_code: &str) -> ApiResult<Vec<Uuid>> {
    let Some(service) = pq::find_service(conn, service_code, false).await? else {
        return Ok(vec![]);
    };
    let mut free = match service.capacity {
        Some(cap) => i64::from(cap) - q::taken(conn, service_code).await?,
        None => i64::MAX,
    };
    let mut ids = Vec::new();
    let on = today();
    while free > 0 {
        let Some(next) = q::next_waiting(conn, service_code).await? else {
            break;
        };
        // The service must still be able to take it today: contract, age, plan, consent.
        let skip = still_eligible(conn, &service, &next, on).await?;
        let (action, to, why) = match &skip {
            Some(why) => (
                "cancel",
                ReferralStatus::Cancelled,
                format!("A place freed, but {why}"),
            ),
            None => (
                "offer",
                ReferralStatus::Requested,
                "A place freed.".to_string(),
            ),
        };
        q::set_status(conn, next.id, to, None).await?;
        q::event(
            conn,
            next.id,
            action,
            Some(ReferralStatus::Waiting),
            to,
            Some(&why),
            &ctx.principal.subject,
        )
        .await?;
        notify(
            conn,
            &next.organisation,
            "referral.status_changed",
            next.id,
            to,
            None,
        )
        .await?;
        ids.extend([next.id, next.family_id]);
        if skip.is_some() {
            continue;
        }
        free -= 1;
    }
    Ok(ids)
}

/// Why a waiting referral can no longer take a place today, if it cannot.
async fn still_eligible(
    conn: &mut Conn,
    service: &ServiceRow,
    r: &ReferralRow,
    on: NaiveDate,
) -> ApiResult<Option<String>> {
    let (age, plans) = match r.member_id {
        Some(m) => match fq::find_member(conn, r.family_id, m).await? {
            Some(member) => (
                Some(crate::domain::people::age_on(member.date_of_birth, on)),
                q::plans_on(conn, m, on).await?,
            ),
            None => return Ok(Some("the member is no longer in the family".into())),
        },
        None => (None, vec![]),
    };
    if let Some((_, why)) = rules::refusals(&service_rules(service), age, &plans, on)
        .into_iter()
        .next()
    {
        return Ok(Some(why));
    }
    if r.consent_override.is_none() {
        if let Err(why) = consent_for(conn, r.family_id, r.member_id, service, on).await? {
            return Ok(Some(format!("no consent: {why}")));
        }
    }
    Ok(None)
}
