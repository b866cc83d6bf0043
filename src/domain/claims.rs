//! Claim windows' and claimed results' states: defined once, read and written by Diesel, sent
//! by serde and described by utoipa from these types. The money rules are in `payments` and
//! `outcomes`; the workflow that moves these states is `service::claims`.

text_enum!(
    /// `computing` (in the background; `progress` shows how far) -> `review` (the claims officer
    /// excludes what should not be claimed) -> `validated` (by an auditor who did not prepare
    /// it) -> `submitted` (final). A computation that stopped is `failed` and may be run again.
    WindowStatus {
        Computing => "computing",
        Failed => "failed",
        Review => "review",
        Validated => "validated",
        Submitted => "submitted",
    }
);

text_enum!(
    /// `included` in the claim; `excluded` by the claims officer before submission (with a
    /// reason; the result may be claimed in a later window); `withdrawn` after submission (found
    /// invalid: never claimed again, its money recovered).
    ItemStatus {
        Included => "included",
        Excluded => "excluded",
        Withdrawn => "withdrawn",
    }
);

/// The moves a person makes on a window (the computation's own ending is `review` or `failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowMove {
    /// Computed again from scratch (from `review` or `failed`).
    ComputeAgain,
    /// By an auditor who did not prepare it (from `review`).
    Validate,
    /// By a claims officer who neither prepared nor validated it (from `validated`).
    Submit,
}

impl WindowMove {
    /// The states a window may be in for the move, and the state it moves to.
    pub fn from_to(self) -> (&'static [WindowStatus], WindowStatus) {
        match self {
            WindowMove::ComputeAgain => (
                &[WindowStatus::Review, WindowStatus::Failed],
                WindowStatus::Computing,
            ),
            WindowMove::Validate => (&[WindowStatus::Review], WindowStatus::Validated),
            WindowMove::Submit => (&[WindowStatus::Validated], WindowStatus::Submitted),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The four-eyes workflow: review -> validated -> submitted; computing again only before
    // validation; a submitted window never moves.
    #[test]
    fn window_moves_follow_the_workflow() {
        for m in [
            WindowMove::ComputeAgain,
            WindowMove::Validate,
            WindowMove::Submit,
        ] {
            let (from, to) = m.from_to();
            assert!(!from.contains(&WindowStatus::Submitted), "{m:?}");
            assert!(!from.contains(&to), "{m:?}");
        }
        assert_eq!(WindowMove::Submit.from_to().0, &[WindowStatus::Validated]);
    }
}
