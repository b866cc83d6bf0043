//! Integration tests over real HTTP against a real PostgreSQL.

mod audit;
mod common;
mod contract;
mod conventions;
mod families;
mod security;
