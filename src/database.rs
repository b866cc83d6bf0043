//! Where the database comes from: DATABASE_URL as given, or a cluster the service manages itself.

use std::path::PathBuf;

use crate::config::Config;
use crate::pgcluster::{self, Cluster, APP_ROLE, DATABASE, OWNER_ROLE};

pub struct Database {
    pub app_url: String,
    pub owner_url: String,
    /// The managed cluster, when this process started it (and so must stop it).
    pub cluster: Option<Cluster>,
    /// The managed data folder, when there is one.
    pub data_dir: Option<PathBuf>,
}

/// The managed data folder, created (and relocated where `postgres` cannot reach it) on demand.
pub fn managed_data_dir(config: &Config) -> Result<PathBuf, String> {
    let (dir, relocated) = pgcluster::resolve_data_dir(&config.data_dir)?;
    if relocated {
        log::warn!(
            "the postgres user cannot reach {}; the managed database lives in {} instead",
            config.data_dir.display(),
            dir.display()
        );
    }
    Ok(dir)
}

/// Connects to DATABASE_URL, or creates/starts the managed cluster; then migrates as the owner.
pub async fn prepare(config: &Config) -> Result<Database, String> {
    if let Some(url) = &config.database_url {
        let owner_url = config
            .migration_database_url
            .clone()
            .unwrap_or_else(|| url.clone());
        if config.migration_database_url.is_none() {
            log::warn!(
                "MIGRATION_DATABASE_URL is not set: migrations run as the service's own role; \
                 for an audit trail the service cannot alter, give it a role without ownership"
            );
        }
        let n = crate::db::migrate(&owner_url).await?;
        log::info!("using DATABASE_URL; {n} migrations applied");
        return Ok(Database {
            app_url: url.clone(),
            owner_url,
            cluster: None,
            data_dir: None,
        });
    }
    let dir = managed_data_dir(config)?;
    let mut cluster = Cluster::new(dir.clone())?;
    if cluster.init_if_needed(true)? {
        log::info!(
            "created a PostgreSQL cluster in {}",
            cluster.pgdata().display()
        );
    }
    cluster.start()?;
    log::info!("PostgreSQL listening on 127.0.0.1:{}", cluster.port);
    pgcluster::bootstrap(&cluster.url("postgres", "postgres"), DATABASE).await?;
    let owner_url = cluster.url(OWNER_ROLE, DATABASE);
    let n = crate::db::migrate(&owner_url).await?;
    if n > 0 {
        log::info!("{n} migrations applied");
    }
    Ok(Database {
        app_url: cluster.url(APP_ROLE, DATABASE),
        owner_url,
        cluster: Some(cluster),
        data_dir: Some(dir),
    })
}

/// The development signing secret: FFC_DEV_JWT_SECRET, or one generated once and kept in the
/// managed data folder (so `ffc token` and `ffc serve` agree). `None` when development signing
/// is off.
pub fn dev_secret(
    config: &Config,
    data_dir: Option<&std::path::Path>,
) -> Result<Option<Vec<u8>>, String> {
    if !config.dev_auth_enabled() {
        return Ok(None);
    }
    if let Some(s) = &config.dev_jwt_secret {
        if s.len() < 32 {
            return Err("FFC_DEV_JWT_SECRET must be at least 32 characters".into());
        }
        return Ok(Some(s.as_bytes().to_vec()));
    }
    let Some(dir) = data_dir else {
        return Err(
            "FFC_DEV_AUTH is on but FFC_DEV_JWT_SECRET is not set (with DATABASE_URL there is no \
             managed folder to keep a generated one in)"
                .into(),
        );
    };
    let path = dir.join("dev-jwt-secret");
    if let Ok(s) = std::fs::read_to_string(&path) {
        return Ok(Some(s.trim().as_bytes().to_vec()));
    }
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    std::fs::write(&path, &secret).map_err(|e| format!("writing {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(Some(secret.into_bytes()))
}
