//! Who is calling and about what: the context every layer shares (HTTP extracts it, services
//! authorise and audit with it, jobs and the command line build their own), so that nothing
//! below the routes needs the HTTP layer to know its caller.

use std::marker::PhantomData;

use sha2::{Digest, Sha256};

use crate::auth::{Principal, Role};
use crate::error::ApiError;

/// The authenticated caller and what the audit trail needs to know about the request.
#[derive(Clone)]
pub struct Ctx {
    pub principal: Principal,
    pub request_id: String,
    pub purpose: Option<String>,
}

/// A role policy: the roles that may call an operation, written once. The extractor checks it,
/// services take the proof ([`Allowed`]) instead of checking again, and the document's
/// `security` requirement and roles line are generated from it.
pub trait Policy {
    const ROLES: &'static [Role];
}

/// Proof that the caller holds one of policy `P`'s roles. It can only be made by
/// [`Allowed::check`], so a service that takes `&Allowed<P>` cannot be reached by anyone else.
pub struct Allowed<P: Policy> {
    ctx: Ctx,
    policy: PhantomData<P>,
}

impl<P: Policy> Allowed<P> {
    /// 403 unless the caller holds one of `P`'s roles.
    pub fn check(ctx: Ctx) -> Result<Self, ApiError> {
        ctx.principal.require(P::ROLES)?;
        Ok(Allowed {
            ctx,
            policy: PhantomData,
        })
    }
}

impl<P: Policy> std::ops::Deref for Allowed<P> {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

/// An `Idempotency-Key` with the fingerprint of the request it came with.
pub struct Idem {
    pub key: String,
    pub fingerprint: String,
}

impl Idem {
    pub fn new(key: Option<String>, method: &str, path: &str, body_hash: &str) -> Option<Idem> {
        key.map(|key| {
            let fp = Sha256::digest(format!("{method} {path} {body_hash}").as_bytes());
            Idem {
                key,
                fingerprint: fp.iter().map(|b| format!("{b:02x}")).collect(),
            }
        })
    }
}
