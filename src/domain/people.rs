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

/// Children have a school (programme-rules.md, "Families and members"); adults do not.
pub fn check_school(is_child: bool, has_school: bool) -> Result<(), &'static str> {
    if has_school && !is_child {
        Err("only children have a school")
    } else {
        Ok(())
    }
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
    fn age_turns_on_the_birthday() {
        assert_eq!(age_on(d(1996, 9, 1), d(2013, 8, 31)), 16);
        assert_eq!(age_on(d(1996, 9, 1), d(2013, 9, 1)), 17);
        assert_eq!(age_on(d(2000, 2, 29), d(2018, 2, 28)), 17);
        assert_eq!(age_on(d(2000, 2, 29), d(2018, 3, 1)), 18);
    }
}
