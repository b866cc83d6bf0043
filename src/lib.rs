//! Families for Change: a case-management API for whole-family early-help programmes.

pub mod api;
pub mod auth;
pub mod config;
pub mod context;
pub mod database;
pub mod db;
pub mod demo;
pub mod demo_casework;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod openapi;
pub mod pgcluster;
pub mod routes;
pub mod seed;
pub mod server;
pub mod service;
pub mod text;
pub mod webhooks;

/// Process-wide crypto backends, chosen explicitly (see notes on jsonwebtoken and rustls).
pub fn install_crypto() {
    auth::install_crypto_provider();
    http::client::install_tls_provider();
}
