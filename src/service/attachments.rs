//! Attaching families to the programme.

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::rulesets::{facts, judge, revision_for, Params};
use super::{audit, audit_family_read, idem_begin, idem_finish, Idem};
use crate::api::attachments::*;
use crate::auth::Role;
use crate::context::{Allowed, Policy};
use crate::db::attachments::{self as q, AttachmentRow};
use crate::db::{evidence as eq, families as fq, Pool};
use crate::domain::payments;
use crate::error::{ApiError, ApiResult};
use crate::http::reply::Reply;

/// Coordinators and managers attach; only managers may override an ineligible verdict.
pub const ATTACH: &[Role] = &[Role::Coordinator, Role::Manager];
pub const OVERRIDE: &[Role] = &[Role::Manager];

pub struct Attach;
impl Policy for Attach {
    const ROLES: &'static [Role] = ATTACH;
}

pub fn location(family_id: Uuid, id: Uuid) -> String {
    format!("/api/v1/families/{family_id}/attachments/{id}")
}

pub async fn attach(
    pool: &Pool,
    ctx: &Allowed<Attach>,
    family_id: Uuid,
    input: AttachmentCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    if input.override_justification.is_some() {
        ctx.principal.require(OVERRIDE).map_err(|_| {
            ApiError::Forbidden(
                "Only a manager may attach a family the rules find ineligible.".into(),
            )
        })?;
    }
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        // Locking the family serialises attachments of one family; the unique constraint holds
        // the rule whatever happens.
        let family = super::families::visible_family(conn, ctx, family_id, true).await?;
        if q::of_family(conn, family_id).await?.iter().any(|a| a.ruleset_code == input.ruleset) {
            return Err(ApiError::Conflict(format!(
                "The family is already attached under {}.",
                input.ruleset
            )));
        }
        let (set, rev, params) = revision_for(conn, &input.ruleset, input.attached_on).await?;
        let members = fq::people_of(conn, &[family_id]).await?;
        let evidence = eq::in_force_for(conn, &[family_id]).await?;
        let verdict = judge(&params, &facts(&family, &members, &evidence), input.attached_on);
        if !verdict.eligible && input.override_justification.is_none() {
            return Err(ApiError::Unprocessable(format!(
                "Not eligible under {} on {}: {} A manager may attach it with an override_justification.",
                set.code, input.attached_on, verdict.reason
            )));
        }
        let year = payments::financial_year(input.attached_on);
        let fee = match &params {
            Params::Phase1(p) => payments::phase1_attachment_fee(p, year).ok_or_else(|| {
                ApiError::validation(
                    "attached_on",
                    format!(
                        "{} has no attachment fee for {}: the programme did not attach families then",
                        set.code,
                        payments::financial_year_label(year)
                    ),
                )
            })?,
            Params::Phase2(p) => payments::phase2_attachment_fee(p),
            Params::SupportingFamilies(_) => 0,
        };
        let row = q::insert(
            conn,
            AttachmentRow {
                id: Uuid::now_v7(),
                family_id,
                ruleset_code: set.code.clone(),
                revision_id: rev.id,
                attached_on: input.attached_on,
                financial_year: year as i16,
                attachment_fee_pence: fee,
                eligible: verdict.eligible,
                eligibility: serde_json::to_value(&verdict).expect("verdict serialises"),
                override_justification: input.override_justification.as_deref().map(crate::api::tidy),
                attached_by: ctx.principal.subject.clone(),
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
        q::mark_attached(conn, family_id).await?;
        audit(conn, ctx, "attachment.create", "attachment", &[row.id, family_id]).await?;
        let body = Attachment::from_row(row);
        let reply = Reply::created(&body, location(family_id, body.id), 1);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn list(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        super::families::visible_family(conn, ctx, family_id, false).await?;
        let rows = q::of_family(conn, family_id).await?;
        audit_family_read(
            conn,
            ctx,
            "attachment.list",
            "attachment",
            rows.iter().map(|r| r.id),
            family_id,
        )
        .await?;
        let items: Vec<Attachment> = rows.into_iter().map(Attachment::from_row).collect();
        Ok(Reply::ok(
            &crate::api::Page {
                items,
                next_cursor: None,
            },
            None,
        ))
    })
    .await
}

pub async fn get(
    pool: &Pool,
    ctx: &Allowed<super::families::Read>,
    family_id: Uuid,
    id: Uuid,
) -> ApiResult<Reply> {
    super::read(pool, async |conn| {
        super::families::visible_family(conn, ctx, family_id, false).await?;
        let row = q::of_family(conn, family_id)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| ApiError::not_found("attachment"))?;
        audit(conn, ctx, "attachment.read", "attachment", &[id, family_id]).await?;
        Ok(Reply::ok(&Attachment::from_row(row), None))
    })
    .await
}
