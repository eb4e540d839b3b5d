//! Proleptic Gregorian calendar arithmetic over any `i64` day count, so that
//! every instant a Go `time.Time` can hold (the zero time, year 0, negative
//! years) converts without a range limit.

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// A calendar date and wall-clock time, as Go's formatter needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    /// 1..=12
    pub month: u32,
    /// 1..=31
    pub day: u32,
    /// Day of the year, 1..=366.
    pub yday: u32,
    /// 0 = Sunday.
    pub weekday: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

/// The civil time of `secs` seconds after the Unix epoch (already shifted by
/// the zone offset).
pub fn civil_from_unix(secs: i64) -> Civil {
    let days = secs.div_euclid(DAY);
    let clock = secs.rem_euclid(DAY) as u32;
    let (year, month, day) = date_from_days(days);
    Civil {
        year,
        month,
        day,
        yday: (days - days_from_date(year, 1, 1) + 1) as u32,
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7) as u32,
        hour: clock / 3600,
        minute: clock / 60 % 60,
        second: clock % 60,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
/// `days_from_civil`); `month` may be 1..=12 only.
pub fn days_from_date(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // Wrapping, as Go's own calendar arithmetic does for absurd years.
    era.wrapping_mul(146_097).wrapping_add(doe - 719_468)
}

/// The inverse of [`days_from_date`].
pub fn date_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

pub fn days_in_month(month: u32, year: i64) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Unix seconds of a civil date-time with Go's `time.Date` normalisation:
/// months, days, hours… outside their ranges carry into the next field.
pub fn unix_from_fields(year: i64, month: i64, day: i64, hour: i64, min: i64, sec: i64) -> i64 {
    let month0 = month.wrapping_sub(1);
    let year = year.wrapping_add(month0.div_euclid(12));
    let month = month0.rem_euclid(12) as u32 + 1;
    let days = days_from_date(year, month, 1).wrapping_add(day.wrapping_sub(1));
    days.wrapping_mul(DAY)
        .wrapping_add(hour.wrapping_mul(3600))
        .wrapping_add(min.wrapping_mul(60))
        .wrapping_add(sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_dates() {
        for days in [-719_528, -1, 0, 1, 19_494, 2_932_896] {
            let (y, m, d) = date_from_days(days);
            assert_eq!(days_from_date(y, m, d), days);
        }
        assert_eq!(date_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_date(1, 1, 1) * DAY, -62_135_596_800);
    }

    #[test]
    fn computes_weekday_and_yday() {
        let c = civil_from_unix(1_684_281_600); // 2023-05-17
        assert_eq!(
            (c.year, c.month, c.day, c.weekday, c.yday),
            (2023, 5, 17, 3, 137)
        );
    }
}
