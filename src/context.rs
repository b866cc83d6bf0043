//! Who is calling and about what: the context every layer shares (HTTP extracts it, services
//! authorise and audit with it, jobs and the command line build their own), so that nothing
//! below the routes needs the HTTP layer to know its caller.

use sha2::{Digest, Sha256};

use crate::auth::Principal;

/// The authenticated caller and what the audit trail needs to know about the request.
pub struct Ctx {
    pub principal: Principal,
    pub request_id: String,
    pub purpose: Option<String>,
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
