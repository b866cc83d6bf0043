//! The programme's rules as pure functions: no I/O, unit-tested next to the rule.

pub mod casework;
pub mod consent;
pub mod eligibility;
pub mod identifiers;
pub mod outcomes;
pub mod payments;
pub mod people;
pub mod referrals;
