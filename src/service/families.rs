//! Families, their members and relatives outside the household.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::{audit, idem_begin, idem_finish, read, Idem};
use crate::api::families::*;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::families as q;
use crate::db::Pool;
use crate::domain::{identifiers, people};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::extract::{bad_param, check_version};
use crate::http::reply::Reply;

/// Who sees every family (docs/architecture.md, "Need to know"); auditors read only.
pub const SEE_ALL: &[Role] = &[Role::Coordinator, Role::Manager, Role::Admin, Role::Auditor];
/// Who may read families and members: those who see all, and key and lead workers, who see the
/// families allocated to them or whose Team Around the Family they sit on (any other family is
/// 404). Providers and the police see families
/// through referrals and sharing records, which later capabilities add.
pub const READ: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
    Role::Auditor,
    Role::LeadWorker,
    Role::KeyWorker,
];
/// Partners on the Team Around the Family (docs/architecture.md, "Partners on the team"): the
/// employment adviser seconded from DWP and the social worker see the families whose team they
/// sit on or that are allocated to them, like a key worker, and of each only what their part
/// needs: the household, the plan's actions they own or share, meetings, their own notes, and
/// for the adviser the work and benefit evidence.
pub const PARTNERS: &[Role] = &[Role::EmploymentAdviser, Role::SocialWorker];
/// Who reads the household and the team's work: the family's readers and its partners.
pub const TEAM_READ: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::Admin,
    Role::Auditor,
    Role::LeadWorker,
    Role::KeyWorker,
    Role::EmploymentAdviser,
    Role::SocialWorker,
];
/// Who may create, change and archive families and members.
pub const WRITE: &[Role] = &[Role::Coordinator, Role::Manager, Role::Admin];

pub struct Read;
impl Policy for Read {
    const ROLES: &'static [Role] = READ;
}
pub struct Write;
impl Policy for Write {
    const ROLES: &'static [Role] = WRITE;
}
pub struct TeamRead;
impl Policy for TeamRead {
    const ROLES: &'static [Role] = TEAM_READ;
}

/// Whether the caller reads only as a partner on the team: a partner role and none of the
/// family's full readers (a token holding both reads as the fuller role).
pub fn partner_only(ctx: &Ctx) -> bool {
    let roles = &ctx.principal.roles;
    roles.iter().any(|r| PARTNERS.contains(r)) && !roles.iter().any(|r| READ.contains(r))
}

/// Today in England (docs/architecture.md: dates are Europe/London).
pub fn today() -> NaiveDate {
    people::london_date(Utc::now())
}

pub fn family_location(id: Uuid) -> String {
    format!("/api/v1/families/{id}")
}

pub fn member_location(family_id: Uuid, id: Uuid) -> String {
    format!("/api/v1/families/{family_id}/members/{id}")
}

fn postcode(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> String {
    identifiers::normalise_postcode(raw).unwrap_or_else(|m| {
        errors.push(FieldError::new(field, m));
        String::new()
    })
}

/// LSOA codes: E01 (England) or W01 (Wales) and six digits.
fn lsoa(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = raw?;
    let ok = identifiers::is_lsoa(v);
    if !ok {
        errors.push(FieldError::new(
            "lsoa",
            "an LSOA code: E01 or W01 and six digits",
        ));
    }
    ok.then(|| v.to_string())
}

type Normaliser = fn(&str) -> Result<String, &'static str>;

fn identifier(
    field: String,
    raw: Option<&str>,
    f: Normaliser,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    raw.and_then(|v| match f(v) {
        Ok(n) => Some(n),
        Err(m) => {
            errors.push(FieldError::new(field, m));
            None
        }
    })
}

fn trimmed(s: &str) -> String {
    crate::api::tidy(s)
}

fn new_member(
    family_id: Uuid,
    m: &MemberCreate,
    prefix: &str,
    errors: &mut Vec<FieldError>,
) -> q::NewMember {
    let f = |name: &str| format!("{prefix}{name}");
    if let Err(msg) = people::check_date_of_birth(m.date_of_birth, today()) {
        errors.push(FieldError::new(f("date_of_birth"), msg));
    }
    if let Err(msg) =
        people::check_school(m.member_role == MemberRole::Child, m.school_name.is_some())
    {
        errors.push(FieldError::new(f("school_name"), msg));
    }
    q::NewMember {
        id: Uuid::now_v7(),
        family_id,
        member_role: m.member_role.as_str().into(),
        relationship: m.relationship.as_str().into(),
        given_name: trimmed(&m.given_name),
        family_name: trimmed(&m.family_name),
        date_of_birth: m.date_of_birth,
        gender: m.gender.as_str().into(),
        upn: identifier(
            f("upn"),
            m.upn.as_deref(),
            identifiers::normalise_upn,
            errors,
        ),
        nhs_number: identifier(
            f("nhs_number"),
            m.nhs_number.as_deref(),
            identifiers::normalise_nhs_number,
            errors,
        ),
        ni_number: identifier(
            f("ni_number"),
            m.ni_number.as_deref(),
            identifiers::normalise_ni_number,
            errors,
        ),
        school_name: m.school_name.as_deref().map(trimmed),
    }
}

fn fail_if(errors: Vec<FieldError>) -> ApiResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Whether the caller sees only the families allocated to them.
pub fn scoped(ctx: &Ctx) -> bool {
    !ctx.principal.roles.iter().any(|r| SEE_ALL.contains(r))
}

/// A current family the caller may see, else 404 (its existence is not disclosed).
pub async fn visible_family(
    conn: &mut crate::db::Conn,
    ctx: &Ctx,
    id: Uuid,
    for_update: bool,
) -> ApiResult<q::FamilyRow> {
    let family = q::find_family(conn, id, for_update).await?;
    in_scope(conn, ctx, id, family).await
}

/// The family, unless it is missing or outside a key or lead worker's caseload (404 alike).
async fn in_scope<T>(
    conn: &mut crate::db::Conn,
    ctx: &Ctx,
    id: Uuid,
    found: Option<T>,
) -> ApiResult<T> {
    let found = found.ok_or_else(|| ApiError::not_found("family"))?;
    if scoped(ctx) && !q::worker_sees(conn, id, &ctx.principal.subject).await? {
        return Err(ApiError::not_found("family"));
    }
    Ok(found)
}

/// The family as the API shows it, its people read in one more round trip.
async fn load_family(conn: &mut crate::db::Conn, row: q::FamilyRow) -> ApiResult<Family> {
    let (members, relatives) = q::members_and_relatives(conn, row.id).await?;
    Ok(Family::from_rows(row, members, relatives))
}

fn family_ids(f: &Family) -> Vec<Uuid> {
    std::iter::once(f.id)
        .chain(f.members.iter().map(|m| m.id))
        .chain(f.relatives.iter().map(|r| r.id))
        .collect()
}

pub async fn create_family(
    pool: &Pool,
    ctx: &Allowed<Write>,
    input: FamilyCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut errors = Vec::new();
    let id = Uuid::now_v7();
    let new = q::NewFamily {
        id,
        address_line1: trimmed(&input.address_line1),
        address_line2: input.address_line2.as_deref().map(trimmed),
        town: trimmed(&input.town),
        postcode: postcode("postcode", &input.postcode, &mut errors),
        lsoa: lsoa(input.lsoa.as_deref(), &mut errors),
        housing_tenure: input.housing_tenure.as_str().into(),
        bedrooms: input.bedrooms,
        notes: input.notes.as_deref().map(trimmed),
    };
    let members: Vec<q::NewMember> = input
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| new_member(id, m, &format!("members[{i}]."), &mut errors))
        .collect();
    fail_if(errors)?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        let row = q::insert_family(conn, new).await?;
        let mut people = if members.is_empty() {
            Vec::new()
        } else {
            q::insert_members(conn, members).await?
        };
        // As a read orders them (members_of), without reading them back; a new family has no
        // relatives yet.
        people.sort_by_key(|m| (m.date_of_birth, m.id));
        let family = Family::from_rows(row, people, Vec::new());
        audit(conn, ctx, "family.create", "family", &family_ids(&family)).await?;
        let reply = Reply::created(&family, family_location(id), family.version);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

/// References are `FFC-` and digits and names have no digits: text with a digit, or starting
/// with FFC, is part of a reference; anything else part of a name.
fn looks_like_reference(text: &str) -> bool {
    let t = text.trim();
    t.chars().any(|c| c.is_ascii_digit())
        || t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("ffc"))
}

pub async fn get_family(pool: &Pool, ctx: &Allowed<TeamRead>, id: Uuid) -> ApiResult<Reply> {
    read(pool, async |conn| {
        // One round trip for the three reads; people of a family out of scope are dropped.
        let (row, members, relatives) = q::family_with_people(conn, id).await?;
        let row = in_scope(conn, ctx, id, row).await?;
        let family = Family::from_rows(row, members, relatives);
        audit(conn, ctx, "family.read", "family", &family_ids(&family)).await?;
        Ok(Reply::ok(&family, Some(family.version)))
    })
    .await
}

pub async fn list_families(
    pool: &Pool,
    ctx: &Allowed<TeamRead>,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let postcode = match params.get("postcode") {
        Some(p) => Some(identifiers::normalise_postcode(p).map_err(|m| bad_param("postcode", m))?),
        None => None,
    };
    let status = match params.get("status") {
        Some(s) => Some(
            FamilyStatus::parse(s)
                .ok_or_else(|| {
                    bad_param("status", "one of identified, attached, closed, archived")
                })?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let text = match params.get("q") {
        Some(t) => {
            // As documented: 3 to 100 characters, not all blank, no NUL; surrounding spaces are
            // not part of the search.
            let n = t.chars().count();
            if !(3..=100).contains(&n) || crate::api::is_blank(t) || t.contains('\0') {
                return Err(bad_param("q", "from 3 to 100 characters, not all blank"));
            }
            let escaped = crate::api::tidy(t)
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = format!("%{escaped}%");
            Some(if looks_like_reference(t) {
                q::TextSearch::Reference(pattern)
            } else {
                q::TextSearch::Names(pattern)
            })
        }
        None => None,
    };
    let before_id = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    let filter = q::FamilyFilter {
        postcode,
        status,
        text,
        before_id,
        worker: scoped(ctx).then(|| ctx.principal.subject.clone()),
    };
    read(pool, async |conn| {
        let mut rows = q::list_families(conn, &filter, limit + 1).await?;
        let next_cursor = end_page(&mut rows, limit, |r| r.id);
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut by_family: HashMap<Uuid, Vec<MemberName>> = HashMap::new();
        let mut seen = ids.clone();
        for m in q::members_of(conn, &ids).await? {
            seen.push(m.id);
            by_family.entry(m.family_id).or_default().push(MemberName {
                id: m.id,
                member_role: MemberRole::from_db(&m.member_role),
                given_name: m.given_name,
                family_name: m.family_name,
            });
        }
        let items: Vec<FamilySummary> = rows
            .into_iter()
            .map(|r| FamilySummary {
                members: by_family.remove(&r.id).unwrap_or_default(),
                id: r.id,
                reference: r.reference,
                town: r.town,
                postcode: r.postcode,
                status: FamilyStatus::from_db(&r.status),
                created_at: r.created_at,
                version: r.version,
            })
            .collect();
        audit(conn, ctx, "family.list", "family", &seen).await?;
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}

pub async fn update_family(
    pool: &Pool,
    ctx: &Allowed<Write>,
    id: Uuid,
    expected: Option<i32>,
    input: FamilyUpdate,
) -> ApiResult<Reply> {
    let mut errors = Vec::new();
    let changes = q::FamilyChanges {
        address_line1: input.address_line1.as_deref().map(trimmed),
        address_line2: input.address_line2.map(|o| o.as_deref().map(trimmed)),
        town: input.town.as_deref().map(trimmed),
        postcode: input
            .postcode
            .as_deref()
            .map(|p| postcode("postcode", p, &mut errors)),
        lsoa: input.lsoa.map(|o| lsoa(o.as_deref(), &mut errors)),
        housing_tenure: input.housing_tenure.map(|t| t.as_str().to_string()),
        bedrooms: input.bedrooms,
        notes: input.notes.map(|o| o.as_deref().map(trimmed)),
    };
    fail_if(errors)?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let current = visible_family(conn, ctx, id, false).await?;
        let version = check_version(expected, current.version)?;
        let row = q::update_family(conn, id, version, changes)
            .await?
            .ok_or(ApiError::PreconditionFailed)?;
        let family = load_family(conn, row).await?;
        audit(conn, ctx, "family.update", "family", &family_ids(&family)).await?;
        Ok(Reply::ok(&family, Some(family.version)))
    })
    .await
}

pub async fn archive_family(
    pool: &Pool,
    ctx: &Allowed<Write>,
    id: Uuid,
    expected: Option<i32>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        // Locked, so that an FCAF cannot start while the family is being archived.
        let current = visible_family(conn, ctx, id, true).await?;
        let version = check_version(expected, current.version)?;
        // docs/architecture.md, "Archiving": refused once a family is attached (it may carry
        // claims).
        if current.status != FamilyStatus::Identified.as_str() {
            return Err(ApiError::Conflict(format!(
                "A family with status {} cannot be archived.",
                current.status
            )));
        }
        // An open FCAF's plan could no longer be worked or closed once the family is hidden.
        if crate::db::assessments::open_for_family(conn, id)
            .await?
            .is_some()
        {
            return Err(ApiError::Conflict(
                "The family has an open FCAF: close it before archiving the family.".into(),
            ));
        }
        if !q::archive_family(conn, id, version).await? {
            return Err(ApiError::PreconditionFailed);
        }
        audit(conn, ctx, "family.archive", "family", &[id]).await?;
        Ok(Reply::no_content())
    })
    .await
}

pub async fn add_member(
    pool: &Pool,
    ctx: &Allowed<Write>,
    family_id: Uuid,
    input: MemberCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut errors = Vec::new();
    let new = new_member(family_id, &input, "", &mut errors);
    fail_if(errors)?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, true).await?;
        let row = q::insert_members(conn, vec![new])
            .await?
            .pop()
            .ok_or_else(|| ApiError::Internal("insert returned nothing".into()))?;
        q::touch_family(conn, family_id).await?;
        audit(conn, ctx, "member.create", "member", &[row.id, family_id]).await?;
        let member = Member::from(row);
        let reply = Reply::created(
            &member,
            member_location(family_id, member.id),
            member.version,
        );
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn get_member(
    pool: &Pool,
    ctx: &Allowed<TeamRead>,
    family_id: Uuid,
    id: Uuid,
) -> ApiResult<Reply> {
    read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let row = q::find_member(conn, family_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("member"))?;
        audit(conn, ctx, "member.read", "member", &[id, family_id]).await?;
        let member = Member::from(row);
        Ok(Reply::ok(&member, Some(member.version)))
    })
    .await
}

pub async fn update_member(
    pool: &Pool,
    ctx: &Allowed<Write>,
    family_id: Uuid,
    id: Uuid,
    expected: Option<i32>,
    input: MemberUpdate,
) -> ApiResult<Reply> {
    let mut errors = Vec::new();
    if let Some(dob) = input.date_of_birth {
        if let Err(m) = people::check_date_of_birth(dob, today()) {
            errors.push(FieldError::new("date_of_birth", m));
        }
    }
    let clearable =
        |field: &str, v: &Option<Option<String>>, f: Normaliser, errors: &mut Vec<FieldError>| {
            v.as_ref()
                .map(|inner| identifier(field.into(), inner.as_deref(), f, errors))
        };
    let changes = q::MemberChanges {
        member_role: input.member_role.map(|r| r.as_str().into()),
        relationship: input.relationship.map(|r| r.as_str().into()),
        given_name: input.given_name.as_deref().map(trimmed),
        family_name: input.family_name.as_deref().map(trimmed),
        date_of_birth: input.date_of_birth,
        gender: input.gender.map(|g| g.as_str().into()),
        upn: clearable("upn", &input.upn, identifiers::normalise_upn, &mut errors),
        nhs_number: clearable(
            "nhs_number",
            &input.nhs_number,
            identifiers::normalise_nhs_number,
            &mut errors,
        ),
        ni_number: clearable(
            "ni_number",
            &input.ni_number,
            identifiers::normalise_ni_number,
            &mut errors,
        ),
        school_name: input.school_name.map(|o| o.as_deref().map(trimmed)),
    };
    fail_if(errors)?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, true).await?;
        let current = q::find_member(conn, family_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("member"))?;
        let version = check_version(expected, current.version)?;
        // The school rule depends on the member as it will be after the change.
        let role_after = changes
            .member_role
            .clone()
            .unwrap_or(current.member_role.clone());
        let school_after = match &changes.school_name {
            Some(v) => v.is_some(),
            None => current.school_name.is_some(),
        };
        if let Err(m) = people::check_school(role_after == "child", school_after) {
            return Err(ApiError::validation("school_name", m));
        }
        let row = q::update_member(conn, id, version, changes)
            .await?
            .ok_or(ApiError::PreconditionFailed)?;
        q::touch_family(conn, family_id).await?;
        audit(conn, ctx, "member.update", "member", &[id, family_id]).await?;
        let member = Member::from(row);
        Ok(Reply::ok(&member, Some(member.version)))
    })
    .await
}

pub async fn archive_member(
    pool: &Pool,
    ctx: &Allowed<Write>,
    family_id: Uuid,
    id: Uuid,
    expected: Option<i32>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, true).await?;
        let current = q::find_member(conn, family_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("member"))?;
        let version = check_version(expected, current.version)?;
        if !q::archive_member(conn, id, version).await? {
            return Err(ApiError::PreconditionFailed);
        }
        q::touch_family(conn, family_id).await?;
        audit(conn, ctx, "member.archive", "member", &[id, family_id]).await?;
        Ok(Reply::no_content())
    })
    .await
}

pub async fn add_relative(
    pool: &Pool,
    ctx: &Allowed<Write>,
    family_id: Uuid,
    input: RelativeCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    if let Some(dob) = input.date_of_birth {
        if let Err(m) = people::check_date_of_birth(dob, today()) {
            return Err(ApiError::validation("date_of_birth", m));
        }
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, true).await?;
        if let Some(mid) = input.related_member_id {
            if q::find_member(conn, family_id, mid).await?.is_none() {
                return Err(ApiError::validation(
                    "related_member_id",
                    "not a current member of this family",
                ));
            }
        }
        let row = q::insert_relative(
            conn,
            q::RelativeRow {
                id: Uuid::now_v7(),
                family_id,
                related_member_id: input.related_member_id,
                relationship: input.relationship.as_str().into(),
                given_name: trimmed(&input.given_name),
                family_name: trimmed(&input.family_name),
                date_of_birth: input.date_of_birth,
                notes: input.notes.as_deref().map(trimmed),
                created_at: Utc::now(),
                version: 1,
            },
        )
        .await?;
        q::touch_family(conn, family_id).await?;
        audit(
            conn,
            ctx,
            "relative.create",
            "relative",
            &[row.id, family_id],
        )
        .await?;
        let relative = Relative::from(row);
        let location = format!("/api/v1/families/{family_id}/relatives/{}", relative.id);
        let reply = Reply::created(&relative, location, relative.version);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn archive_relative(
    pool: &Pool,
    ctx: &Allowed<Write>,
    family_id: Uuid,
    id: Uuid,
    expected: Option<i32>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        visible_family(conn, ctx, family_id, true).await?;
        let current = q::find_relative(conn, family_id, id)
            .await?
            .ok_or_else(|| ApiError::not_found("relative"))?;
        let version = check_version(expected, current.version)?;
        if !q::archive_relative(conn, id, version).await? {
            return Err(ApiError::PreconditionFailed);
        }
        q::touch_family(conn, family_id).await?;
        audit(conn, ctx, "relative.archive", "relative", &[id, family_id]).await?;
        Ok(Reply::no_content())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::looks_like_reference;

    #[test]
    fn list_text_is_a_reference_when_it_has_a_digit_or_starts_with_ffc() {
        for t in ["FFC-000123", "ffc-", "ffc", " FFC", "000123", "50%"] {
            assert!(looks_like_reference(t), "{t}");
        }
        for t in ["Smith", "Ffion", "O'Brien", "zebed", "Anne-Marie"] {
            assert!(!looks_like_reference(t), "{t}");
        }
    }
}
