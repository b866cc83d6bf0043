//! Rules about household members that do not need the database.

use chrono::NaiveDate;

/// Dates of birth: not before 1900 (a typing error) and not in the future.
pub fn check_date_of_birth(dob: NaiveDate, today: NaiveDate) -> Result<(), &'static str> {
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");
    if dob < earliest {
        Err("must not be before 1900-01-01")
    } else if dob > today {
        Err("must not be in the future")
    } else {
        Ok(())
    }
}

/// Children have a school (docs/rules.md, "Families and members"); adults do not.
pub fn check_school(is_child: bool, has_school: bool) -> Result<(), &'static str> {
    if has_school && !is_child {
        Err("only children have a school")
    } else {
        Ok(())
    }
}

/// The date in England (Europe/London) at a UTC instant: British Summer Time (UTC+1) runs from
/// 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October.
pub fn london_date(now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    use chrono::{Datelike, Duration, Weekday};
    let last_sunday = |month: u32| {
        let mut d =
            NaiveDate::from_ymd_opt(now.year(), month, 31).expect("March and October have 31 days");
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().expect("date");
        }
        d.and_hms_opt(1, 0, 0).expect("time").and_utc()
    };
    let bst = now >= last_sunday(3) && now < last_sunday(10);
    (now + Duration::hours(if bst { 1 } else { 0 })).date_naive()
}

/// Whole years of age on a date: the age that the programme's rules (under 18, 11-17) test.
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut years = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn date_of_birth_today_is_allowed_tomorrow_is_not() {
        assert!(check_date_of_birth(d(2013, 5, 1), d(2013, 5, 1)).is_ok());
        assert!(check_date_of_birth(d(2013, 5, 2), d(2013, 5, 1)).is_err());
    }

    #[test]
    fn date_of_birth_boundary_1900() {
        assert!(check_date_of_birth(d(1900, 1, 1), d(2013, 5, 1)).is_ok());
        assert!(check_date_of_birth(d(1899, 12, 31), d(2013, 5, 1)).is_err());
    }

    #[test]
    fn only_children_have_a_school() {
        assert!(check_school(true, true).is_ok());
        assert!(check_school(false, false).is_ok());
        assert!(check_school(false, true).is_err());
    }

    #[test]
    fn london_dates_follow_british_summer_time() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        // Winter: London is on UTC.
        assert_eq!(london_date(at("2026-01-15T23:30:00Z")), d(2026, 1, 15));
        // Summer: 23:30 UTC is already tomorrow in London.
        assert_eq!(london_date(at("2026-07-15T23:30:00Z")), d(2026, 7, 16));
        // The changes, 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(london_date(at("2026-03-29T00:59:00Z")), d(2026, 3, 29));
        assert_eq!(london_date(at("2026-03-28T23:30:00Z")), d(2026, 3, 28));
        assert_eq!(london_date(at("2026-10-24T23:30:00Z")), d(2026, 10, 25));
        assert_eq!(london_date(at("2026-10-25T23:30:00Z")), d(2026, 10, 25));
    }

    #[test]
    fn age_turns_on_the_birthday() {
        assert_eq!(age_on(d(1996, 9, 1), d(2013, 8, 31)), 16);
        assert_eq!(age_on(d(1996, 9, 1), d(2013, 9, 1)), 17);
        assert_eq!(age_on(d(2000, 2, 29), d(2018, 2, 28)), 17);
        assert_eq!(age_on(d(2000, 2, 29), d(2018, 3, 1)), 18);
    }
}
