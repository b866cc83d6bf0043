//! Notifications to providers' systems: Standard Webhooks signing and a destination check against
//! requests into private networks. The worker that delivers the outbox is `jobs::deliveries`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::WebhookConfig;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A new signing secret in the Standard Webhooks form, `whsec_` and base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut key = uuid::Uuid::new_v4().as_bytes().to_vec();
    key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!("whsec_{}", B64.encode(key))
}

/// `v1,` and base64 of HMAC-SHA256 over `id.timestamp.body` with the secret's key bytes.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let key = B64
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap_or_else(|_| secret.as_bytes().to_vec());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

fn private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (o[1] == 18 || o[1] == 19))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
            // IPv4 inside IPv6: mapped or compatible (::a.b.c.d), NAT64 (64:ff9b::/96), 6to4.
            let embedded = v6
                .to_ipv4()
                .or_else(|| {
                    (s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0])
                        .then(|| v4(s[6], s[7]))
                })
                .or_else(|| (s[0] == 0x2002).then(|| v4(s[1], s[2])));
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                || embedded.is_some_and(|a| private(IpAddr::V4(a)))
        }
    }
}

/// Refuses URLs that are not http(s) or that resolve to loopback, link-local or private
/// addresses (unless development allows them). Checked when subscribing and again before each
/// delivery, as a name may resolve elsewhere later.
pub async fn destination(url: &str, allow_private: bool) -> Result<reqwest::Url, String> {
    checked(url, allow_private).await.map(|(u, _)| u)
}

/// The URL, and the addresses it was checked against (none when private ones are allowed): a
/// delivery connects to those only, so a name cannot resolve to a public address for the check
/// and to a private one for the connection.
pub(crate) async fn checked(
    url: &str,
    allow_private: bool,
) -> Result<(reqwest::Url, Vec<SocketAddr>), String> {
    let parsed = reqwest::Url::parse(url).map_err(|_| "not a URL".to_string())?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err("only http and https URLs".into());
    }
    let host = parsed.host_str().ok_or("no host")?.to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    if allow_private {
        return Ok((parsed, vec![]));
    }
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        // Bounded: a resolver that does not answer must not hold the request.
        Err(_) => tokio::time::timeout(
            Duration::from_secs(3),
            tokio::net::lookup_host((host.as_str(), port)),
        )
        .await
        .map_err(|_| "the host does not resolve in time".to_string())?
        .map_err(|_| "the host does not resolve".to_string())?
        .map(|a| a.ip())
        .collect(),
    };
    if addrs.is_empty() || addrs.iter().any(|a| private(*a)) {
        return Err("loopback, link-local and private addresses are refused".into());
    }
    let pinned = addrs
        .into_iter()
        .map(|ip| SocketAddr::new(ip, port))
        .collect();
    Ok((parsed, pinned))
}

/// The delay before retry `attempt` (1 for the first retry): doubling, at most an hour (the
/// jobs' rule, with the webhooks' own base).
pub fn backoff(cfg: &WebhookConfig, attempt: i32) -> Duration {
    crate::domain::jobs::backoff(
        Duration::from_millis(cfg.backoff_ms),
        attempt,
        Duration::from_secs(3600),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The Standard Webhooks specification's example: its secret, id, timestamp and body give
        // this signature.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn private_destinations_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "0.1.2.3",
            "198.18.0.1",
            "224.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "::7f00:1",
            "2002:a9fe:a9fe::1",
            "fec0::1",
            "ff02::1",
            "100.64.0.1",
        ] {
            assert!(private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["81.2.69.142", "2a00:1450:4009::1"] {
            assert!(!private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn retries_back_off_exponentially_to_an_hour() {
        let cfg = WebhookConfig {
            max_attempts: 8,
            backoff_ms: 1000,
            allow_private: false,
        };
        let delays: Vec<u64> = (1..=5)
            .map(|a| backoff(&cfg, a).as_millis() as u64)
            .collect();
        assert_eq!(delays, vec![1000, 2000, 4000, 8000, 16000]);
        assert_eq!(backoff(&cfg, 30), Duration::from_secs(3600));
    }
}
