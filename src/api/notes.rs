use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::notes::NoteRow;

/// A new case note. Notes are never edited: add another to correct one.
#[derive(Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Home visit: Adult H keen to start the confidence course.", "sensitive": false}))]
pub struct NoteCreate {
    #[validate(length(min = 1, max = 10000))]
    #[schema(min_length = 1, max_length = 10000)]
    pub text: String,
    /// Seen only by the family's allocated worker and managers.
    #[serde(default)]
    pub sensitive: bool,
}

/// A case note.
#[derive(Serialize, ToSchema)]
pub struct Note {
    pub id: Uuid,
    pub family_id: Uuid,
    /// Token subject of whoever wrote it.
    pub author: String,
    pub text: String,
    pub sensitive: bool,
    pub created_at: DateTime<Utc>,
}

impl From<NoteRow> for Note {
    fn from(r: NoteRow) -> Self {
        Note {
            id: r.id,
            family_id: r.family_id,
            author: r.author,
            text: r.body,
            sensitive: r.sensitive,
            created_at: r.created_at,
        }
    }
}
