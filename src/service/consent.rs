//! Consent to share and sharing without consent (docs/architecture.md: "Consent is a grant"), and
//! the one question later capabilities ask of them: may this data go there, for this, today?

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::families::{today, visible_family};
use super::{audit, audit_family_read, audit_keyed, idem_begin, idem_finish, Idem};
use crate::api::consent::*;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::consent::{self as q, ConsentRow, OrganisationRow, SharingRow};
use crate::db::{families as fq, Conn, Pool};
use crate::domain::consent::{self as rules, Grant, Question};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::extract::{bad_param, check_version};
use crate::http::reply::Reply;

/// Those who work with families record consent and sharing.
pub const RECORD: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::LeadWorker,
    Role::KeyWorker,
];
/// Managers and admins keep the list of organisations.
pub const ORGANISATIONS: &[Role] = &[Role::Manager, Role::Admin];

pub struct Record;
impl Policy for Record {
    const ROLES: &'static [Role] = RECORD;
}
pub struct Organisations;
impl Policy for Organisations {
    const ROLES: &'static [Role] = ORGANISATIONS;
}
/// Any signed-in role may read the list of organisations.
pub struct Anyone;
impl Policy for Anyone {
    const ROLES: &'static [Role] = &Role::ALL;
}

pub fn consents_location(family_id: Uuid) -> String {
    format!("/api/v1/families/{family_id}/consents")
}

pub async fn list_organisations(pool: &Pool, ctx: &Ctx) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    let rows = q::organisations(&mut conn).await?;
    // Reference data, not personal data: reading it is not audited.
    let _ = ctx;
    let items: Vec<Organisation> = rows.into_iter().map(Organisation::from).collect();
    Ok(Reply::ok(&Page::all(items), None))
}

pub async fn create_organisation(
    pool: &Pool,
    ctx: &Allowed<Organisations>,
    input: Organisation,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    if !is_code(&input.code) {
        return Err(ApiError::validation(
            "code",
            "2 to 40 lower-case letters, digits or hyphens",
        ));
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        if q::unknown_organisations(conn, std::slice::from_ref(&input.code))
            .await?
            .is_empty()
        {
            return Err(ApiError::Conflict(
                "An organisation with this code exists.".into(),
            ));
        }
        let row = q::insert_organisation(
            conn,
            OrganisationRow {
                code: input.code.clone(),
                name: crate::api::tidy(&input.name),
                kind: input.kind.as_str().into(),
            },
        )
        .await?;
        audit_keyed(
            conn,
            ctx,
            "organisation.create",
            "organisation",
            &[],
            &[&row.code],
        )
        .await?;
        let reply = Reply::created(&Organisation::from(row), "/api/v1/organisations".into(), 1);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

/// 422 for each organisation code that names none.
async fn known_organisations(conn: &mut Conn, field: &str, codes: &[String]) -> ApiResult<()> {
    let mut errors: Vec<FieldError> = codes
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_code(c))
        .map(|(i, _)| FieldError::new(format!("{field}[{i}]"), "not an organisation code"))
        .collect();
    if errors.is_empty() {
        let unknown = q::unknown_organisations(conn, codes).await?;
        errors = codes
            .iter()
            .enumerate()
            .filter(|(_, c)| unknown.contains(c))
            .map(|(i, _)| {
                FieldError::new(
                    format!("{field}[{i}]"),
                    "no such organisation (see GET /api/v1/organisations)",
                )
            })
            .collect();
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The member, if any, must be a current member of this family.
pub async fn family_member(
    conn: &mut Conn,
    family_id: Uuid,
    member_id: Option<Uuid>,
    field: &str,
) -> ApiResult<()> {
    if let Some(m) = member_id {
        if fq::find_member(conn, family_id, m).await?.is_none() {
            return Err(ApiError::validation(
                field,
                "not a current member of this family",
            ));
        }
    }
    Ok(())
}

fn names<T: Copy>(v: &[T], name: fn(T) -> &'static str) -> Vec<String> {
    let mut out: Vec<String> = v.iter().map(|x| name(*x).to_string()).collect();
    out.sort();
    out.dedup();
    out
}

pub async fn create_consent(
    pool: &Pool,
    ctx: &Allowed<Record>,
    family_id: Uuid,
    input: ConsentCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut errors = Vec::new();
    if input.valid_until.is_some_and(|u| u < input.valid_from) {
        errors.push(FieldError::new(
            "valid_until",
            "must not be before valid_from",
        ));
    }
    if input.decision == ConsentDecision::Refused && !input.excluded_categories.is_empty() {
        errors.push(FieldError::new(
            "excluded_categories",
            "a refusal has no exclusions: list what is refused in categories",
        ));
    }
    if let Some(c) = &input.categories {
        if input.excluded_categories.iter().any(|x| c.contains(x)) {
            errors.push(FieldError::new(
                "excluded_categories",
                "a category cannot be both covered and excluded",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, false).await?;
        family_member(conn, family_id, input.member_id, "member_id").await?;
        // Errors name the caller's positions; the stored list is sorted and without repeats.
        known_organisations(conn, "organisations", &input.organisations).await?;
        let mut organisations = input.organisations.clone();
        organisations.sort();
        organisations.dedup();
        let row = q::insert_consent(
            conn,
            ConsentRow {
                id: Uuid::now_v7(),
                family_id,
                member_id: input.member_id,
                decision: input.decision.as_str().into(),
                organisations,
                purposes: names(&input.purposes, SharingPurpose::as_str),
                categories: input
                    .categories
                    .as_ref()
                    .map(|c| names(c, DataCategory::as_str)),
                excluded_categories: names(&input.excluded_categories, DataCategory::as_str),
                valid_from: input.valid_from,
                valid_until: input.valid_until,
                notes: input.notes.as_deref().map(crate::api::tidy),
                recorded_by: ctx.principal.subject.clone(),
                withdrawn_on: None,
                withdrawn_reason: None,
                withdrawn_by: None,
                created_at: chrono::Utc::now(),
                version: 1,
            },
        )
        .await?;
        audit(conn, ctx, "consent.create", "consent", &[row.id, family_id]).await?;
        let reply = Reply::created(&Consent::from(row), consents_location(family_id), 1);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn list_consents(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let rows = q::consents_of(conn, family_id).await?;
        audit_family_read(
            conn,
            ctx,
            "consent.list",
            "consent",
            rows.iter().map(|r| r.id),
            family_id,
        )
        .await?;
        let items: Vec<Consent> = rows.into_iter().map(Consent::from).collect();
        Ok(Reply::ok(&Page::all(items), None))
    })
    .await
}

pub async fn withdraw(
    pool: &Pool,
    ctx: &Allowed<Record>,
    (family_id, id): (Uuid, Uuid),
    expected: Option<i32>,
    input: ConsentWithdraw,
) -> ApiResult<Reply> {
    if input.withdrawn_on > today() {
        return Err(ApiError::validation(
            "withdrawn_on",
            "must not be in the future",
        ));
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let row = q::find_consent(conn, family_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("consent"))?;
        check_version(expected, row.version)?;
        if row.decision != "given" {
            return Err(ApiError::Conflict(
                "A refusal is not withdrawn; record a new consent instead.".into(),
            ));
        }
        if row.withdrawn_on.is_some() {
            return Err(ApiError::Conflict(
                "This consent has already been withdrawn.".into(),
            ));
        }
        if input.withdrawn_on < row.valid_from {
            return Err(ApiError::validation(
                "withdrawn_on",
                format!("must not be before the consent began ({})", row.valid_from),
            ));
        }
        let row = q::withdraw(
            conn,
            id,
            input.withdrawn_on,
            &crate::api::tidy(&input.reason),
            &ctx.principal.subject,
        )
        .await?;
        audit(conn, ctx, "consent.withdraw", "consent", &[id, family_id]).await?;
        let version = row.version;
        Ok(Reply::ok(&Consent::from(row), Some(version)))
    })
    .await
}

pub fn grants(rows: &[ConsentRow]) -> Vec<Grant> {
    rows.iter()
        .map(|r| Grant {
            id: r.id,
            member_id: r.member_id,
            given: r.decision == "given",
            organisations: r.organisations.clone(),
            purposes: r.purposes.clone(),
            categories: r.categories.clone(),
            excluded: r.excluded_categories.clone(),
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            withdrawn_on: r.withdrawn_on,
        })
        .collect()
}

/// The consent for an assessment in force on the day, if there is one.
pub async fn assessment_consent(
    conn: &mut Conn,
    family_id: Uuid,
    on: NaiveDate,
) -> ApiResult<Option<Uuid>> {
    let rows = q::consents_of(conn, family_id).await?;
    Ok(rules::assessment_consent(&grants(&rows), on))
}

pub async fn check(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let required = |name: &str| {
        params
            .get(name)
            .ok_or_else(|| bad_param(name, "is required"))
    };
    let organisation = required("organisation")?.clone();
    if !is_code(&organisation) {
        return Err(bad_param("organisation", "not an organisation code"));
    }
    let purpose = SharingPurpose::parse(required("purpose")?)
        .ok_or_else(|| bad_param("purpose", "not a purpose this API knows"))?;
    let category = DataCategory::parse(required("category")?)
        .ok_or_else(|| bad_param("category", "not a data category this API knows"))?;
    let member_id = params
        .get("member_id")
        .map(|m| Uuid::parse_str(m).map_err(|_| bad_param("member_id", "not a UUID")))
        .transpose()?;
    let on = match params.get("on") {
        Some(d) => d
            .parse::<NaiveDate>()
            .map_err(|_| bad_param("on", "a date, YYYY-MM-DD"))?,
        None => today(),
    };
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        if let Some(m) = member_id {
            // Well-formed but naming nothing here: 422, as for a body.
            if fq::find_member(conn, family_id, m).await?.is_none() {
                return Err(ApiError::validation(
                    "member_id",
                    "not a current member of this family",
                ));
            }
        }
        if !q::unknown_organisations(conn, std::slice::from_ref(&organisation))
            .await?
            .is_empty()
        {
            return Err(ApiError::validation(
                "organisation",
                "no such organisation (see GET /api/v1/organisations)",
            ));
        }
        let rows = q::consents_of(conn, family_id).await?;
        let verdict = rules::decide(
            &grants(&rows),
            &Question {
                member_id,
                organisation: &organisation,
                purpose: purpose.as_str(),
                category: category.as_str(),
                on,
            },
        );
        let mut ids = vec![family_id];
        ids.extend(member_id);
        ids.extend(verdict.consent_id);
        audit(conn, ctx, "consent.check", "consent", &ids).await?;
        Ok(Reply::ok(
            &ConsentCheck {
                allowed: verdict.allowed,
                consent_id: verdict.consent_id,
                reason: verdict.reason,
                member_id,
                organisation: organisation.clone(),
                purpose,
                category,
                on,
            },
            None,
        ))
    })
    .await
}

pub async fn create_sharing(
    pool: &Pool,
    ctx: &Allowed<Record>,
    family_id: Uuid,
    input: SharingCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    if input.shared_on > today() {
        return Err(ApiError::validation(
            "shared_on",
            "must not be in the future",
        ));
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, false).await?;
        family_member(conn, family_id, input.member_id, "member_id").await?;
        known_organisations(
            conn,
            "shared_with",
            std::slice::from_ref(&input.shared_with),
        )
        .await
        .map_err(|e| match e {
            ApiError::Validation(_) => ApiError::validation(
                "shared_with",
                "no such organisation (see GET /api/v1/organisations)",
            ),
            other => other,
        })?;
        let row = q::insert_sharing(
            conn,
            SharingRow {
                id: Uuid::now_v7(),
                family_id,
                member_id: input.member_id,
                shared_with: input.shared_with.clone(),
                lawful_basis: input.lawful_basis.as_str().into(),
                categories: names(&input.categories, DataCategory::as_str),
                what_was_shared: crate::api::tidy(&input.what_was_shared),
                reason: crate::api::tidy(&input.reason),
                shared_on: input.shared_on,
                shared_by: ctx.principal.subject.clone(),
                direction: crate::domain::information::SharingDirection::Sent,
                information_request_id: None,
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
        audit(
            conn,
            ctx,
            "sharing.create",
            "information_sharing",
            &[row.id, family_id],
        )
        .await?;
        let reply = Reply::created(
            &Sharing::from(row),
            format!("/api/v1/families/{family_id}/information-sharing"),
            1,
        );
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn list_sharing(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let before = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let mut rows = q::sharing_of(conn, family_id, before, limit + 1).await?;
        let next_cursor = end_page(&mut rows, limit, |r| r.id);
        audit_family_read(
            conn,
            ctx,
            "sharing.list",
            "information_sharing",
            rows.iter().map(|r| r.id),
            family_id,
        )
        .await?;
        let items: Vec<Sharing> = rows.into_iter().map(Sharing::from).collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}
