//! Routes: extract the caller and input, call one service function. No database code here.

pub mod allocations;
pub mod assessments;
pub mod attachments;
pub mod audit;
pub mod claims;
pub mod consent;
pub mod evidence;
pub mod families;
pub mod health;
pub mod identification;
pub mod imports;
pub mod information;
pub mod jobs;
pub mod metrics;
pub mod notes;
pub mod outcomes;
pub mod plans;
pub mod providers;
pub mod referrals;
pub mod reports;
pub mod rulesets;
pub mod staff;
pub mod timeline;
pub mod webhooks;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(families::configure)
            .configure(evidence::configure)
            .configure(attachments::configure)
            .configure(identification::configure)
            .configure(imports::configure)
            .configure(rulesets::configure)
            .configure(notes::configure)
            .configure(staff::configure)
            .configure(allocations::configure)
            .configure(consent::configure)
            .configure(information::configure)
            .configure(assessments::configure)
            .configure(timeline::configure)
            .configure(plans::configure)
            .configure(providers::configure)
            .configure(referrals::configure)
            .configure(referrals::configure_reports)
            .configure(outcomes::configure)
            .configure(claims::configure)
            .configure(jobs::configure)
            .configure(reports::configure)
            .configure(webhooks::configure)
            .configure(audit::configure),
    );
    cfg.configure(health::configure);
    cfg.configure(metrics::configure);
}
