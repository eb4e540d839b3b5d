//! Go's `time.Time` as the release record carries it.

use chrono::{DateTime, FixedOffset, Utc};

use crate::chart::go_timestamp;

/// A point in time, or Go's zero time (`0001-01-01T00:00:00Z`), which
/// Helm's `omitzero` fields leave out of the record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Time(Option<DateTime<FixedOffset>>);

impl Time {
    /// Go's zero time.
    pub const ZERO: Time = Time(None);

    /// The current time, in UTC, to the nanosecond (as Helm stamps a release).
    pub fn now() -> Time {
        Time::from(Utc::now().fixed_offset())
    }

    /// Whether this is Go's zero time (`IsZero`).
    pub fn is_zero(&self) -> bool {
        self.0.is_none()
    }

    /// The instant, `None` for the zero time.
    pub fn get(&self) -> Option<DateTime<FixedOffset>> {
        self.0
    }

    /// Reads what `time.Time`'s `UnmarshalJSON` accepts: RFC 3339 with an
    /// optional fraction of any length.
    pub fn parse(text: &str) -> Option<Time> {
        DateTime::parse_from_rfc3339(text).ok().map(Time::from)
    }

    /// The text `encoding/json` writes: RFC 3339 with nanoseconds, trailing
    /// zeros dropped, `Z` for a zero offset.
    pub fn to_go_string(&self) -> String {
        match self.0 {
            Some(t) => go_timestamp(&t),
            None => "0001-01-01T00:00:00Z".to_string(),
        }
    }

    /// Whole seconds since the Unix epoch (Go's `Unix()`), as Helm's
    /// `createdAt`/`modifiedAt` labels carry them.
    pub fn unix(&self) -> i64 {
        match self.0 {
            Some(t) => t.timestamp(),
            None => ZERO_UNIX,
        }
    }
}

/// `time.Time{}.Unix()`: seconds from year 1 to 1970.
const ZERO_UNIX: i64 = -62_135_596_800;

impl From<DateTime<FixedOffset>> for Time {
    fn from(t: DateTime<FixedOffset>) -> Time {
        // Go's zero test compares the instant, whatever the zone.
        if t.timestamp() == ZERO_UNIX && t.timestamp_subsec_nanos() == 0 {
            Time::ZERO
        } else {
            Time(Some(t))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_go() {
        let t = Time::parse("2026-11-22T01:51:15.041202360Z").unwrap();
        assert_eq!(t.to_go_string(), "2026-11-22T01:51:15.04120236Z");
        let t = Time::parse("2024-01-02T03:04:05+02:00").unwrap();
        assert_eq!(t.to_go_string(), "2024-01-02T03:04:05+02:00");
        assert_eq!(Time::ZERO.to_go_string(), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn zero_instant_in_any_zone_is_zero() {
        assert!(Time::parse("0001-01-01T00:00:00Z").unwrap().is_zero());
        assert!(Time::parse("0001-01-01T01:00:00+01:00").unwrap().is_zero());
        assert!(!Time::parse("0001-01-01T00:00:00.1Z").unwrap().is_zero());
        assert_eq!(Time::ZERO.unix(), ZERO_UNIX);
        assert!(Time::parse("yesterday").is_none());
    }
}
