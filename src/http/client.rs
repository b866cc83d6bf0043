//! Outbound HTTP (JWKS documents only, for now).

use std::time::Duration;

pub async fn get_text(url: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("http client: {e}"))?;
    let res = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("GET {url}: status {}", res.status()));
    }
    res.text().await.map_err(|e| format!("GET {url}: {e}"))
}

/// rustls needs its crypto backend chosen once per process.
pub fn install_tls_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
