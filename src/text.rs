//! Text as the contract means it, for every layer (wire types, errors, services).

/// Whitespace as the document's text pattern means it: ASCII space and control whitespace only, so
/// that every client's regex engine and this service agree on what "blank" is.
pub fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_space)
}

/// The text without surrounding whitespace (in the sense of `is_space`).
pub fn tidy(s: &str) -> String {
    s.trim_matches(is_space).to_string()
}
