//! Integration tests over real HTTP against a real PostgreSQL.

mod common;
mod conventions;
mod families;
