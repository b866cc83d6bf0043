//! Integration tests over real HTTP against a real PostgreSQL.

mod audit;
mod casework;
mod claims;
mod cli;
mod cohort;
mod common;
mod consent;
mod contract;
mod conventions;
mod families;
mod imports;
mod indexes;
mod information;
mod jobs;
mod layout;
mod metrics;
mod outcomes;
mod plans;
mod provider_access;
mod providers;
mod referrals;
mod reports;
mod security;
mod staff;
mod webhooks;
