//! Authentication: bearer JWTs from configured issuers (RS256 via JWKS), or a development HS256
//! issuer that must be switched on explicitly. Authorisation helpers for the route layer.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::RwLock;

use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The roles of the security model (docs/architecture.md, "Roles"). A token may carry several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Coordinator,
    LeadWorker,
    KeyWorker,
    EmploymentAdviser,
    Provider,
    SocialWorker,
    PoliceContact,
    ClaimsOfficer,
    Auditor,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Coordinator,
        Role::LeadWorker,
        Role::KeyWorker,
        Role::EmploymentAdviser,
        Role::Provider,
        Role::SocialWorker,
        Role::PoliceContact,
        Role::ClaimsOfficer,
        Role::Auditor,
        Role::Manager,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::LeadWorker => "lead_worker",
            Role::KeyWorker => "key_worker",
            Role::EmploymentAdviser => "employment_adviser",
            Role::Provider => "provider",
            Role::SocialWorker => "social_worker",
            Role::PoliceContact => "police_contact",
            Role::ClaimsOfficer => "claims_officer",
            Role::Auditor => "auditor",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Who is calling, established from a verified token.
#[derive(Debug, Clone)]
pub struct Principal {
    pub subject: String,
    pub issuer: String,
    pub roles: Vec<Role>,
}

impl Principal {
    /// 403 unless the caller holds one of `allowed`.
    pub fn require(&self, allowed: &[Role]) -> Result<(), ApiError> {
        if self.roles.iter().any(|r| allowed.contains(r)) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "Your roles do not allow this operation.".into(),
            ))
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The key under which idempotency keys and rate limits are held for this caller.
    pub fn caller_key(&self) -> String {
        format!("{}|{}", self.issuer, self.subject)
    }

    pub fn role_names(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.as_str().to_string()).collect()
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default)]
    pub roles: Vec<String>,
}

/// One trusted identity service (the council's staff directory, a provider's own service).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerConfig {
    pub issuer: String,
    pub audience: String,
    /// A JWKS document on disk.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// A JWKS document served over HTTP(S); fetched at start and again when an unknown `kid` arrives.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// Accepted algorithms; pinned, never taken from the token. Default RS256.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<Algorithm>,
    /// The roles this issuer may grant (a provider's identity service: `["provider"]`). Any other
    /// role in its tokens is ignored, so no issuer can make itself an administrator.
    pub roles: Vec<Role>,
}

fn default_algorithms() -> Vec<Algorithm> {
    vec![Algorithm::RS256]
}

struct Issuer {
    config: IssuerConfig,
    keys: RwLock<HashMap<String, DecodingKey>>,
    last_refresh: RwLock<Option<std::time::Instant>>,
}

/// The development issuer: HS256 with a shared secret. Never on unless configured.
pub const DEV_ISSUER: &str = "ffc-dev";
pub const DEV_AUDIENCE: &str = "ffc-api";

pub struct Verifier {
    issuers: Vec<Issuer>,
    dev_secret: Option<Vec<u8>>,
    leeway: u64,
}

fn keys_from_jwks(set: &JwkSet) -> Result<HashMap<String, DecodingKey>, String> {
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let Some(kid) = jwk.common.key_id.clone() else {
            continue; // a key without kid can never be selected: tokens must name their key
        };
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("JWKS key {kid}: {e}"))?;
        keys.insert(kid, key);
    }
    Ok(keys)
}

async fn fetch_jwks(url: &str) -> Result<JwkSet, String> {
    let text = crate::http::client::get_text(url).await?;
    serde_json::from_str(&text).map_err(|e| format!("JWKS at {url}: {e}"))
}

impl Verifier {
    pub async fn new(
        configs: Vec<IssuerConfig>,
        dev_secret: Option<Vec<u8>>,
        leeway: u64,
    ) -> Result<Self, String> {
        let mut issuers = Vec::new();
        for config in configs {
            let set: JwkSet = match (&config.jwks_file, &config.jwks_url) {
                (Some(path), None) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| format!("reading {}: {e}", path.display()))?;
                    serde_json::from_str(&text)
                        .map_err(|e| format!("JWKS in {}: {e}", path.display()))?
                }
                (None, Some(url)) => fetch_jwks(url).await?,
                _ => {
                    return Err(format!(
                        "issuer {}: give exactly one of jwks_file and jwks_url",
                        config.issuer
                    ))
                }
            };
            if config
                .algorithms
                .iter()
                .any(|a| matches!(a, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512))
            {
                return Err(format!(
                    "issuer {}: only public-key algorithms may be configured",
                    config.issuer
                ));
            }
            issuers.push(Issuer {
                keys: RwLock::new(keys_from_jwks(&set)?),
                // The first unknown kid may refetch at once (a rotation soon after start); then once a minute.
                last_refresh: RwLock::new(None),
                config,
            });
        }
        Ok(Verifier {
            issuers,
            dev_secret,
            leeway: leeway.min(60),
        })
    }

    pub fn dev_enabled(&self) -> bool {
        self.dev_secret.is_some()
    }

    fn validation(&self, alg: Algorithm, iss: &str, aud: &str) -> Validation {
        let mut v = Validation::new(alg);
        v.algorithms = vec![alg];
        v.set_issuer(&[iss]);
        v.set_audience(&[aud]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v.validate_exp = true;
        v.validate_nbf = true;
        v.leeway = self.leeway;
        v
    }

    /// Verifies a bearer token. Every failure is the same 401 to the caller; the reason is logged.
    pub async fn verify(&self, token: &str) -> Result<Principal, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| format!("header: {e}"))?;
        let iss = unverified_issuer(token)?;
        let claims = if iss == DEV_ISSUER {
            let secret = self
                .dev_secret
                .as_ref()
                .ok_or("development tokens are not enabled")?;
            if header.alg != Algorithm::HS256 {
                return Err("development tokens must be HS256".into());
            }
            let v = self.validation(Algorithm::HS256, DEV_ISSUER, DEV_AUDIENCE);
            jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret), &v)
                .map_err(|e| format!("dev token: {e}"))?
                .claims
        } else {
            let issuer = self
                .issuers
                .iter()
                .find(|i| i.config.issuer == iss)
                .ok_or("unknown issuer")?;
            if !issuer.config.algorithms.contains(&header.alg) {
                return Err(format!("algorithm {:?} not accepted", header.alg));
            }
            let kid = header.kid.as_deref().ok_or("token has no kid")?;
            let mut key = issuer.keys.read().unwrap().get(kid).cloned();
            if key.is_none() {
                self.refresh(issuer).await;
                key = issuer.keys.read().unwrap().get(kid).cloned();
            }
            let key = key.ok_or("unknown kid")?;
            let v = self.validation(header.alg, &issuer.config.issuer, &issuer.config.audience);
            jsonwebtoken::decode::<Claims>(token, &key, &v)
                .map_err(|e| format!("token: {e}"))?
                .claims
        };
        if claims.sub.is_empty() {
            return Err("empty sub".into());
        }
        // Roles the token claims, limited to what its issuer may grant.
        let grantable: Option<&[Role]> = self
            .issuers
            .iter()
            .find(|i| i.config.issuer == claims.iss)
            .map(|i| i.config.roles.as_slice());
        let roles = claims
            .roles
            .iter()
            .filter_map(|r| Role::parse(r))
            .filter(|r| grantable.is_none_or(|g| g.contains(r)))
            .collect();
        Ok(Principal {
            subject: claims.sub,
            issuer: claims.iss,
            roles,
        })
    }

    /// Re-reads a URL-based JWKS when an unknown kid arrives (key rotation), at most once a minute.
    async fn refresh(&self, issuer: &Issuer) {
        let Some(url) = issuer.config.jwks_url.as_deref() else {
            return;
        };
        {
            let last = issuer.last_refresh.read().unwrap();
            if last.is_some_and(|t| t.elapsed() < std::time::Duration::from_secs(60)) {
                return;
            }
        }
        *issuer.last_refresh.write().unwrap() = Some(std::time::Instant::now());
        match fetch_jwks(url).await.and_then(|set| keys_from_jwks(&set)) {
            Ok(keys) => *issuer.keys.write().unwrap() = keys,
            Err(e) => log::warn!("JWKS refresh for {} failed: {e}", issuer.config.issuer),
        }
    }
}

fn unverified_issuer(token: &str) -> Result<String, String> {
    #[derive(Deserialize)]
    struct Iss {
        iss: String,
    }
    let payload = token.split('.').nth(1).ok_or("malformed token")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| "malformed payload")?;
    let iss: Iss = serde_json::from_slice(&bytes).map_err(|_| "payload without iss")?;
    Ok(iss.iss)
}

/// Mints a development token (HS256, issuer `ffc-dev`).
pub fn mint_dev_token(secret: &[u8], sub: &str, roles: &[Role], ttl_seconds: u64) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = Claims {
        sub: sub.to_string(),
        iss: DEV_ISSUER.into(),
        aud: DEV_AUDIENCE.into(),
        exp: now + ttl_seconds,
        nbf: Some(now),
        iat: Some(now),
        roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("HS256 signing cannot fail")
}

/// Selects the crypto backend explicitly: jsonwebtoken panics at first use if it must guess.
pub fn install_crypto_provider() {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}
