//! Prometheus metrics: requests and latency by route template and status (counted in the
//! middleware), the connection pool, and the background work waiting in the database (queued
//! jobs, the webhook outbox backlog and dead letters). Served at `/metrics` to a configured
//! token or to configured addresses only.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::net::IpAddr;
use std::sync::Mutex;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// Counters held by this instance (each instance is scraped on its own).
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    /// Records one request. `route` is the matched template (`/api/v1/families/{family_id}`),
    /// never the raw path, so the number of series stays bounded.
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        // Any token is a method to HTTP: unknown ones share one series.
        let method = match method {
            "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method,
            _ => "OTHER",
        };
        let (method, route) = (method.to_string(), route.to_string());
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.clone(), route.clone(), status))
                .or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry((method, route)).or_default();
            for (i, le) in BUCKETS.iter().enumerate() {
                if seconds <= *le {
                    h.counts[i] += 1;
                }
            }
            h.sum += seconds;
            h.count += 1;
        }
    }

    /// The request series in the text exposition format.
    pub fn render_http(&self, out: &mut String) {
        out.push_str("# HELP ffc_http_requests_total Requests answered, by method, route template and status.\n# TYPE ffc_http_requests_total counter\n");
        if let Ok(r) = self.requests.lock() {
            for ((method, route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "ffc_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    label(method),
                    label(route)
                );
            }
        }
        out.push_str("# HELP ffc_http_request_duration_seconds Time to answer, by method and route template.\n# TYPE ffc_http_request_duration_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for ((method, route), h) in l.iter() {
                let (m, r) = (label(method), label(route));
                for (i, le) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "ffc_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"{le}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "ffc_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"+Inf\"}} {}\nffc_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{r}\"}} {:.6}\nffc_http_request_duration_seconds_count{{method=\"{m}\",route=\"{r}\"}} {}",
                    h.count, h.sum, h.count
                );
            }
        }
    }
}

/// A label value escaped as the exposition format requires.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// One gauge with its help and type lines.
pub fn gauge(out: &mut String, name: &str, help: &str, series: &[(&str, i64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (labels, v) in series {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {v}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {v}");
        }
    }
}

/// A counter: a value that only grows while the instance runs.
pub fn counter(out: &mut String, name: &str, help: &str, series: &[(&str, u64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (labels, v) in series {
        let _ = writeln!(out, "{name}{{{labels}}} {v}");
    }
}

/// An address block: an address and how many leading bits must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Block {
    /// `10.0.0.0/8`, `192.168.1.7`, `::1`, `fd00::/8`.
    pub fn parse(s: &str) -> Result<Block, String> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not an address or block"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?} has a prefix length outside 0-{max}"))?,
        };
        Ok(Block { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 client may arrive as an IPv4-mapped IPv6 address.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                u32::from(a) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                u128::from(a) & mask == u128::from(b) & mask
            }
            _ => false,
        }
    }
}

/// Who may read `/metrics`.
#[derive(Debug, Clone)]
pub struct MetricsAccess {
    /// A bearer token a scraper sends (`FFC_METRICS_TOKEN`).
    pub token: Option<String>,
    /// Addresses that need no token (`FFC_METRICS_ALLOW`; loopback when unset).
    pub allow: Vec<Block>,
}

impl Default for MetricsAccess {
    fn default() -> Self {
        MetricsAccess {
            token: None,
            allow: vec![
                Block::parse("127.0.0.0/8").expect("block"),
                Block::parse("::1").expect("block"),
            ],
        }
    }
}

impl MetricsAccess {
    pub fn allows_address(&self, ip: IpAddr) -> bool {
        self.allow.iter().any(|b| b.contains(ip))
    }

    /// Compares in constant time, so the token cannot be guessed a byte at a time.
    pub fn allows_token(&self, sent: &str) -> bool {
        let Some(token) = &self.token else {
            return false;
        };
        let (a, b) = (token.as_bytes(), sent.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_match_by_prefix() {
        let b = Block::parse("10.0.0.0/8").unwrap();
        assert!(b.contains("10.200.3.4".parse().unwrap()));
        assert!(!b.contains("11.0.0.1".parse().unwrap()));
        assert!(
            b.contains("::ffff:10.1.1.1".parse().unwrap()),
            "IPv4-mapped"
        );
        let one = Block::parse("192.168.1.7").unwrap();
        assert!(one.contains("192.168.1.7".parse().unwrap()));
        assert!(!one.contains("192.168.1.8".parse().unwrap()));
        assert!(Block::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert!(Block::parse("fd00::/8")
            .unwrap()
            .contains("fd12::1".parse().unwrap()));
        assert!(Block::parse("10.0.0.0/33").is_err());
        assert!(Block::parse("not-an-ip").is_err());
    }

    #[test]
    fn tokens_compare_whole() {
        let a = MetricsAccess {
            token: Some("s3cret-metrics".into()),
            allow: Vec::new(),
        };
        assert!(a.allows_token("s3cret-metrics"));
        assert!(!a.allows_token("s3cret-metric"));
        assert!(!a.allows_token(""));
        assert!(
            !MetricsAccess::default().allows_token(""),
            "no token configured"
        );
    }

    #[test]
    fn requests_are_counted_and_timed_by_route() {
        let m = Metrics::default();
        m.record("GET", "/api/v1/families/{family_id}", 200, 0.004);
        m.record("GET", "/api/v1/families/{family_id}", 200, 0.3);
        m.record("GET", "/api/v1/families/{family_id}", 404, 0.001);
        m.record("FOO1", "-", 405, 0.001);
        m.record("FOO2", "-", 405, 0.001);
        let mut out = String::new();
        m.render_http(&mut out);
        assert!(out.contains("ffc_http_requests_total{method=\"GET\",route=\"/api/v1/families/{family_id}\",status=\"200\"} 2"), "{out}");
        assert!(out.contains("le=\"0.005\"} 2"), "{out}");
        assert!(out.contains("le=\"0.5\"} 3"));
        assert!(out.contains("ffc_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/families/{family_id}\"} 3"));
        assert!(
            out.contains("ffc_http_requests_total{method=\"OTHER\",route=\"-\",status=\"405\"} 2"),
            "{out}"
        );
        assert!(!out.contains("FOO1"));
    }
}
