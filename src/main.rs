use std::process::ExitCode;

use ffc::auth::Role;
use ffc::config::Config;

const USAGE: &str = "usage: ffc [serve | migrate | openapi | demo | seed --families N [--seed S] | token --role ROLE[,ROLE...] [--sub NAME] [--ttl SECONDS]]";

// glibc's allocator was a tenth of the service's CPU on a family read (malloc, free and their
// consolidation, by perf); mimalloc's per-thread pages cost less for a server's many short-lived
// allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    ffc::install_crypto();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = rt.block_on(async move {
        match args.first().map(String::as_str) {
            None | Some("serve") => serve().await,
            Some("migrate") => migrate().await,
            Some("openapi") => {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&ffc::openapi::document()).unwrap()
                );
                Ok(())
            }
            Some("token") => token(&args[1..]),
            Some("demo") => demo().await,
            Some("seed") => seed(&args[1..]).await,
            Some("-h" | "--help" | "help") => {
                println!("{USAGE}");
                Ok(())
            }
            Some(other) => Err(format!("unknown command {other:?}\n{USAGE}")),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ffc: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), String> {
    let config = Config::from_env()?;
    let db = ffc::database::prepare(&config).await?;
    let result = serve_with(&config, &db).await;
    if let Some(cluster) = &db.cluster {
        cluster.stop();
    }
    result
}

async fn serve_with(config: &Config, db: &ffc::database::Database) -> Result<(), String> {
    let secret = ffc::database::dev_secret(config, db.data_dir.as_deref())?;
    let verifier = ffc::server::verifier(config, secret.clone()).await?;
    if let Some(secret) = &secret {
        // Self-test: sign and verify once, so a broken crypto setup fails at start, not at first use.
        let t = ffc::auth::mint_dev_token(secret, "self-test", &[Role::Admin], 60);
        verifier
            .verify(&t)
            .await
            .map_err(|e| format!("token self-test: {e}"))?;
        log::warn!("development tokens (HS256, issuer ffc-dev) are accepted: mint one with `ffc token --role coordinator`");
    }
    let pool = ffc::db::pool_with(&db.app_url, config.db_pool_size, &config.limits)?;
    let state = ffc::server::state(config.clone(), pool, verifier);
    ffc::server::start_background(&state, &db.app_url);
    let base = config.public_url.trim_end_matches('/');
    log::info!(
        "Families for Change API on {base} - docs {base}/docs/ - OpenAPI {base}/openapi.json"
    );
    ffc::server::run(state, &config.bind, config.workers, &config.limits)
        .await
        .map_err(|e| format!("server on {}: {e}", config.bind))
}

/// Synthetic families for load tests and benchmarks (see `ffc::seed`).
async fn seed(args: &[String]) -> Result<(), String> {
    let (mut families, mut seed) = (None, 1u64);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("{a} needs a value\n{USAGE}"))?;
        match a.as_str() {
            "--families" => {
                families = Some(
                    value
                        .parse::<u64>()
                        .ok()
                        .filter(|n| (1..=10_000_000).contains(n))
                        .ok_or("--families takes a number from 1 to 10000000")?,
                )
            }
            "--seed" => seed = value.parse().map_err(|_| "--seed takes a whole number")?,
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    let families = families.ok_or(format!("--families is required\n{USAGE}"))?;
    let config = Config::from_env()?;
    let db = ffc::database::prepare(&config).await?;
    let started = std::time::Instant::now();
    let outcome = ffc::seed::seed(&db.owner_url, families, seed).await;
    if let Some(cluster) = &db.cluster {
        cluster.stop_if_started_here();
    }
    let c = outcome?;
    println!(
        "seeded {} families, {} members, {} evidence records, {} allocations, {} referrals in {:.1} s (seed {seed})",
        c.families,
        c.members,
        c.evidence,
        c.allocations,
        c.referrals,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn migrate() -> Result<(), String> {
    let config = Config::from_env()?;
    let db = ffc::database::prepare(&config).await?;
    if let Some(cluster) = &db.cluster {
        cluster.stop_if_started_here();
    }
    println!("database is migrated");
    Ok(())
}

async fn demo() -> Result<(), String> {
    let config = Config::from_env()?;
    let db = ffc::database::prepare(&config).await?;
    let pool = ffc::db::pool(&db.app_url, 2)?;
    let result = ffc::demo::load(&pool, config.taf_review).await;
    if let Some(cluster) = &db.cluster {
        cluster.stop_if_started_here();
    }
    let reference = result?;
    println!("case-study family loaded: {reference}");
    Ok(())
}

fn token(args: &[String]) -> Result<(), String> {
    let mut roles = Vec::new();
    let mut sub = None;
    let mut ttl = 3600u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--role" | "--roles" => {
                for r in value()?.split(',') {
                    roles.push(Role::parse(r.trim()).ok_or_else(|| {
                        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                        format!("unknown role {r:?}; roles are {}", all.join(", "))
                    })?);
                }
            }
            "--sub" => sub = Some(value()?),
            "--ttl" => {
                ttl = value()?
                    .parse()
                    .map_err(|_| "--ttl takes a number of seconds".to_string())?
            }
            other => return Err(format!("unknown option {other:?}\n{USAGE}")),
        }
    }
    if roles.is_empty() {
        return Err(format!("--role is required\n{USAGE}"));
    }
    let config = Config::from_env()?;
    if !config.dev_auth_enabled() {
        return Err(
            "development signing is off (it is on by default only when the service \
                    manages its own database; set FFC_DEV_AUTH=true and FFC_DEV_JWT_SECRET to \
                    enable it)"
                .into(),
        );
    }
    let data_dir = if config.database_url.is_none() {
        Some(ffc::database::managed_data_dir(&config)?)
    } else {
        None
    };
    let secret = ffc::database::dev_secret(&config, data_dir.as_deref())?
        .ok_or("development signing is off")?;
    let sub = sub.unwrap_or_else(|| format!("dev-{}", roles[0].as_str()));
    println!("{}", ffc::auth::mint_dev_token(&secret, &sub, &roles, ttl));
    Ok(())
}
