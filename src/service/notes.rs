//! Case notes: who wrote what about a family, and when. Sensitive notes are for the family's
//! allocated worker and managers only.

use std::collections::HashMap;

use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::families::visible_family;
use super::{audit, audit_family_read, idem_begin, idem_finish, Idem};
use crate::api::notes::*;
use crate::api::{decode_cursor, end_page, parse_limit, Page};
use crate::auth::Role;
use crate::context::{Allowed, Ctx, Policy};
use crate::db::notes::{self as q, NoteRow};
use crate::db::{allocations as aq, Conn, Pool};
use crate::error::{ApiError, ApiResult};
use crate::http::reply::Reply;

/// Coordinators, managers, the family's workers and the partners on its team write notes.
pub const WRITE: &[Role] = &[
    Role::Coordinator,
    Role::Manager,
    Role::LeadWorker,
    Role::KeyWorker,
    Role::EmploymentAdviser,
    Role::SocialWorker,
];

pub struct Write;
impl Policy for Write {
    const ROLES: &'static [Role] = WRITE;
}

/// Sensitive notes: managers, and the worker the family is allocated to now.
async fn sees_sensitive(conn: &mut Conn, ctx: &Ctx, family_id: Uuid) -> ApiResult<bool> {
    if ctx.principal.has(Role::Manager) {
        return Ok(true);
    }
    let worker = ctx.principal.has(Role::LeadWorker) || ctx.principal.has(Role::KeyWorker);
    Ok(worker && aq::allocated_to(conn, family_id, &ctx.principal.subject).await?)
}

pub async fn create(
    pool: &Pool,
    ctx: &Allowed<Write>,
    family_id: Uuid,
    input: NoteCreate,
    idem: Option<Idem>,
) -> ApiResult<Reply> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idem_begin(conn, ctx, &idem).await? {
            return Ok(replay);
        }
        visible_family(conn, ctx, family_id, false).await?;
        if input.sensitive && !sees_sensitive(conn, ctx, family_id).await? {
            return Err(ApiError::Forbidden(
                "Only the family's allocated worker and managers write sensitive notes.".into(),
            ));
        }
        let row = q::insert(
            conn,
            NoteRow {
                id: Uuid::now_v7(),
                family_id,
                author: ctx.principal.subject.clone(),
                body: crate::api::tidy(&input.text),
                sensitive: input.sensitive,
                created_at: chrono::Utc::now(),
            },
        )
        .await?;
        audit(conn, ctx, "note.create", "case_note", &[row.id, family_id]).await?;
        let body = Note::from(row);
        let reply = Reply::created(&body, format!("/api/v1/families/{family_id}/notes"), 1);
        idem_finish(conn, ctx, &idem, &reply).await?;
        Ok(reply)
    })
    .await
}

pub async fn list(
    pool: &Pool,
    ctx: &Allowed<super::families::TeamRead>,
    family_id: Uuid,
    params: HashMap<String, String>,
) -> ApiResult<Reply> {
    let limit = parse_limit(params.get("limit").map(String::as_str))?;
    let before = params.get("cursor").map(|c| decode_cursor(c)).transpose()?;
    // A partner on the team records their own contacts; the rest of the case record is the
    // lead worker's (need to know).
    let author = super::families::partner_only(ctx).then_some(ctx.principal.subject.as_str());
    super::read(pool, async |conn| {
        visible_family(conn, ctx, family_id, false).await?;
        let sensitive = sees_sensitive(conn, ctx, family_id).await?;
        let mut rows = q::list(conn, family_id, sensitive, author, before, limit + 1).await?;
        let next_cursor = end_page(&mut rows, limit, |r| r.id);
        audit_family_read(
            conn,
            ctx,
            "note.list",
            "case_note",
            rows.iter().map(|r| r.id),
            family_id,
        )
        .await?;
        let items: Vec<Note> = rows.into_iter().map(Note::from).collect();
        Ok(Reply::ok(&Page { items, next_cursor }, None))
    })
    .await
}
