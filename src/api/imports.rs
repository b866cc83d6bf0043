use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::text_enum;

text_enum!(
    /// What a file holds.
    ImportKind { SchoolTerms => "school_terms", Police => "police" }
);

text_enum!(
    /// Why a row was kept for review instead of imported.
    ReviewProblem { Invalid => "invalid", Unmatched => "unmatched", Ambiguous => "ambiguous" }
);

/// A row kept for review, by its line in the file (the header is line 1).
#[derive(Serialize, ToSchema)]
pub struct ReviewItem {
    pub line: i32,
    pub problem: ReviewProblem,
    #[schema(example = "no current member has UPN P207000016049")]
    pub detail: String,
    /// The row's values by column, as uploaded.
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
}

/// What an upload did: every row is imported, a duplicate of one imported before, or kept for
/// review.
#[derive(Serialize, ToSchema)]
pub struct Import {
    pub id: Uuid,
    pub kind: ImportKind,
    /// SHA-256 of the file as uploaded.
    pub file_sha256: String,
    pub rows_total: i32,
    pub imported: i32,
    /// Rows already imported (by this or an earlier upload): nothing added.
    pub duplicates: i32,
    pub for_review: i32,
    pub review: Vec<ReviewItem>,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}
