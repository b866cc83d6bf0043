//! Information requests to partner organisations (docs/rules.md, "Information requests"): the
//! police single point of contact shares "on a family by family basis where needed" (progress
//! report, autumn 2014), and the same exchange works with health and schools.

use chrono::{Days, NaiveDate};

text_enum!(
    /// Where a request stands: `open` until the organisation answers (`answered`) or declines
    /// (`declined`); it never changes after that.
    RequestStatus {
        Open => "open",
        Answered => "answered",
        Declined => "declined",
    }
);

text_enum!(
    /// What an answer says: records were found (each becomes evidence), or nothing is held.
    RequestOutcome {
        Found => "found",
        NothingHeld => "nothing_held",
    }
);

text_enum!(
    /// Which way an entry of the information-sharing log went: `sent` by the council, or
    /// `received` from the organisation named.
    SharingDirection {
        Sent => "sent",
        Received => "received",
    }
);

/// The longest a request may be given to be answered. Crime and Disorder Act s115 exchanges
/// under a local information-sharing agreement are commonly answered within days; a quarter is
/// the outer bound a request can sensibly wait before the work it serves has moved on.
pub const LONGEST_WAIT_DAYS: u64 = 90;

/// Whether a due date can be asked for on `today`: not in the past, at most `LONGEST_WAIT_DAYS`
/// ahead.
pub fn check_due_on(due_on: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if due_on < today {
        return Err("must not be in the past".into());
    }
    let last = today + Days::new(LONGEST_WAIT_DAYS);
    if due_on > last {
        return Err(format!(
            "at most {LONGEST_WAIT_DAYS} days ahead (by {last})"
        ));
    }
    Ok(())
}

/// Whether an open request is overdue on `today`: its due date has passed.
pub fn overdue(status: RequestStatus, due_on: NaiveDate, today: NaiveDate) -> bool {
    status == RequestStatus::Open && due_on < today
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_due_date_is_today_or_within_ninety_days() {
        let today = d(2013, 3, 1);
        assert!(check_due_on(today, today).is_ok());
        assert!(check_due_on(d(2013, 5, 30), today).is_ok());
        assert!(check_due_on(d(2013, 5, 31), today).is_err());
        assert_eq!(
            check_due_on(d(2013, 2, 28), today),
            Err("must not be in the past".into())
        );
    }

    #[test]
    fn only_an_open_request_past_its_date_is_overdue() {
        let today = d(2013, 3, 10);
        assert!(overdue(RequestStatus::Open, d(2013, 3, 9), today));
        assert!(!overdue(RequestStatus::Open, today, today));
        assert!(!overdue(RequestStatus::Answered, d(2013, 3, 1), today));
    }

    #[test]
    fn stored_names_are_the_wire_names() {
        crate::api::wire_names_agree(RequestStatus::ALL, RequestStatus::as_str);
        crate::api::wire_names_agree(RequestOutcome::ALL, RequestOutcome::as_str);
        crate::api::wire_names_agree(SharingDirection::ALL, SharingDirection::as_str);
    }
}
