//! Sprig's date functions: `now`, `date`, `dateInZone`, `toDate`,
//! `dateModify`, `duration`, `durationRound`, `ago`, `unixEpoch`, `htmlDate`…
//!
//! Times are Go `time.Time` objects ([`GoTime`]); layouts are Go's
//! reference-time layouts ([`layout`]); durations print as Go's
//! `time.Duration` ([`duration`]).

mod civil;
mod duration;
mod layout;
mod time;

pub use self::duration::parse_duration;
pub use self::time::{GoTime, Location};

use super::{FuncMap, add};
use crate::engine::value::{IntKind, Ty, Value};
use duration::{SECOND, format_duration, round_duration};

pub(super) fn register(map: &mut FuncMap) {
    add(map, "now", &[], |_, _| Ok(GoTime::now().into_value()));
    add(map, "date", &[Ty::String, Ty::Any], |_, a| {
        Ok(date_in_zone(str_arg(&a, 0), &a[1], "Local"))
    });
    for name in ["dateInZone", "date_in_zone"] {
        add(map, name, &[Ty::String, Ty::Any, Ty::String], |_, a| {
            Ok(date_in_zone(str_arg(&a, 0), &a[1], str_arg(&a, 2)))
        });
    }
    add(map, "htmlDate", &[Ty::Any], |_, a| {
        Ok(date_in_zone("2006-01-02", &a[0], "Local"))
    });
    add(map, "htmlDateInZone", &[Ty::Any, Ty::String], |_, a| {
        Ok(date_in_zone("2006-01-02", &a[0], str_arg(&a, 1)))
    });
    add(map, "toDate", &[Ty::String, Ty::String], |_, a| {
        let parsed = layout::parse_in_location(str_arg(&a, 0), str_arg(&a, 1), &Location::Local);
        Ok(parsed.unwrap_or_else(|_| GoTime::zero()).into_value())
    });
    add(map, "mustToDate", &[Ty::String, Ty::String], |_, a| {
        layout::parse_in_location(str_arg(&a, 0), str_arg(&a, 1), &Location::Local)
            .map(GoTime::into_value)
    });
    for name in ["dateModify", "date_modify"] {
        add(map, name, &[Ty::String, TIME], |_, a| {
            let t = time_arg(&a[1])?;
            let modified = parse_duration(str_arg(&a, 0)).map_or_else(|_| t.clone(), |d| t.add(d));
            Ok(modified.into_value())
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        add(map, name, &[Ty::String, TIME], |_, a| {
            let t = time_arg(&a[1])?;
            let d = parse_duration(str_arg(&a, 0))?;
            Ok(t.add(d).into_value())
        });
    }
    add(map, "unixEpoch", &[TIME], |_, a| {
        Ok(Value::str(time_arg(&a[0])?.unix().to_string()))
    });
    add(map, "ago", &[Ty::Any], |_, a| {
        let t = match &a[0] {
            Value::Int(n, IntKind::Int | IntKind::Int64) => GoTime::from_unix(*n),
            other => GoTime::of(other).cloned().unwrap_or_else(GoTime::now),
        };
        let since = round_duration(GoTime::now().sub(&t), SECOND);
        Ok(Value::str(format_duration(since)))
    });
    add(map, "duration", &[Ty::Any], |_, a| {
        let seconds = match &a[0] {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int(n, IntKind::Int64) => *n,
            _ => 0,
        };
        Ok(Value::str(format_duration(seconds.wrapping_mul(SECOND))))
    });
    add(map, "durationRound", &[Ty::Any], |_, a| {
        let d = match &a[0] {
            Value::String(s) => parse_duration(s).unwrap_or(0),
            Value::Int(n, IntKind::Int64) => *n,
            other => GoTime::of(other).map_or(0, |t| GoTime::now().sub(t)),
        };
        Ok(Value::str(round_to_largest_unit(d)))
    });
}

/// The string argument `i` (declared `Ty::String`, so always a string).
fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

/// Go's `time.Time` as a parameter type.
const TIME: Ty = Ty::Object("time.Time");

/// A `time.Time` parameter (declared [`TIME`], so the executor checked it).
fn time_arg(v: &Value) -> Result<&GoTime, String> {
    GoTime::of(v).ok_or_else(|| {
        format!(
            "wrong type for value; expected time.Time; got {}",
            v.type_name()
        )
    })
}

/// Sprig's `dateInZone`: `time.Time`, or `int`/`int32`/`int64` Unix
/// seconds; anything else means now. Unknown zones fall back to UTC.
fn date_in_zone(layout_text: &str, date: &Value, zone: &str) -> Value {
    let t = match date {
        Value::Int(n, IntKind::Int | IntKind::Int32 | IntKind::Int64) => GoTime::from_unix(*n),
        other => GoTime::of(other).cloned().unwrap_or_else(GoTime::now),
    };
    let loc = Location::load(zone).unwrap_or(Location::Utc);
    Value::str(t.in_location(loc).format(layout_text))
}

/// Sprig's `durationRound`: the count of the largest unit (`y`, `mo`, `d`,
/// `h`, `m`, `s`) the magnitude strictly exceeds, truncated.
fn round_to_largest_unit(d: i64) -> String {
    const DAY: u64 = 24 * 3600 * SECOND as u64;
    let units = [
        (365 * DAY, "y"),
        (30 * DAY, "mo"),
        (DAY, "d"),
        (3600 * SECOND as u64, "h"),
        (60 * SECOND as u64, "m"),
        (SECOND as u64, "s"),
    ];
    let u = d.unsigned_abs();
    units
        .iter()
        .find(|(unit, _)| u > *unit)
        .map_or_else(|| "0s".into(), |(unit, name)| format!("{}{name}", u / unit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::funcs::call;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn text(r: Result<Value, String>) -> String {
        match r {
            Ok(Value::String(s)) => s.to_string(),
            Ok(Value::Object(o)) => o.format(),
            other => format!("{other:?}"),
        }
    }

    fn fixed() -> Value {
        call("toDate", vec![s("2006-01-02"), s("2023-05-17")]).unwrap()
    }

    #[test]
    fn dates_in_zones() {
        let t = fixed();
        let r = call(
            "dateInZone",
            vec![s("2006-01-02 15:04 MST"), t.clone(), s("Asia/Tokyo")],
        );
        assert_eq!(
            text(r),
            "2020-02-29 09:00 JST".replace("2020-02-29", "2023-05-17")
        );
        let r = call(
            "date_in_zone",
            vec![
                s("Mon Jan _2 15:04:05 MST 2006"),
                Value::int64(1_700_000_000),
                s("America/New_York"),
            ],
        );
        assert_eq!(text(r), "Tue Nov 14 17:13:20 EST 2023");
        let r = call(
            "dateInZone",
            vec![s("15:04 MST"), Value::int64(0), s("Nope/Zone")],
        );
        assert_eq!(text(r), "00:00 UTC");
        let r = call(
            "htmlDateInZone",
            vec![Value::int64(1_700_000_000), s("Pacific/Kiritimati")],
        );
        assert_eq!(text(r), "2023-11-15");
        let zones = [
            ("Asia/Kolkata", "+05:30 IST"),
            ("America/Sao_Paulo", "-03:00 -03"),
            ("", "Z UTC"),
        ];
        for (zone, want) in zones {
            let r = call(
                "dateInZone",
                vec![s("Z07:00 MST"), Value::int64(1_700_000_000), s(zone)],
            );
            assert_eq!(text(r), want);
        }
        let r = call(
            "dateInZone",
            vec![
                s("2006 MST"),
                Value::int64(-99_999_999_999),
                s("Europe/Berlin"),
            ],
        );
        assert_eq!(text(r), "-1199 LMT");
    }

    #[test]
    fn to_date_and_modify() {
        assert_eq!(text(Ok(fixed())), "2023-05-17 00:00:00 +0000 UTC");
        let bad = call("toDate", vec![s("x"), s("y")]);
        assert_eq!(text(bad.clone()), "0001-01-01 00:00:00 +0000 UTC");
        assert_eq!(text(call("unixEpoch", vec![bad.unwrap()])), "-62135596800");
        let r = call("mustDateModify", vec![s("1.5h"), fixed()]);
        assert_eq!(text(r), "2023-05-17 01:30:00 +0000 UTC");
        let r = call("dateModify", vec![s("bad"), fixed()]);
        assert_eq!(text(r), "2023-05-17 00:00:00 +0000 UTC");
        let r = call("mustDateModify", vec![s("bad"), fixed()]);
        assert_eq!(r.unwrap_err(), "time: invalid duration \"bad\"");
        let zero = call("toDate", vec![s("x"), s("y")]).unwrap();
        let r = call("dateModify", vec![s("-1h"), zero]);
        assert_eq!(text(r), "0000-12-31 23:00:00 +0000 UTC");
    }

    #[test]
    fn durations() {
        let d = |v: Value| text(call("duration", vec![v]));
        assert_eq!(d(Value::int(3600)), "0s");
        assert_eq!(d(Value::int64(3600)), "1h0m0s");
        assert_eq!(d(s("3600")), "1h0m0s");
        assert_eq!(d(Value::int64(-90_061)), "-25h1m1s");
        let r = |v: Value| text(call("durationRound", vec![v]));
        assert_eq!(r(s("2400h")), "3mo");
        assert_eq!(r(s("-25h")), "1d");
        assert_eq!(r(Value::int64(90_000_000_000)), "1m");
        assert_eq!(r(s("1s")), "0s");
        assert_eq!(r(s("1.5s")), "1s");
        assert_eq!(r(s("9000h")), "1y");
    }

    #[test]
    fn now_is_a_local_time() {
        let now = call("now", vec![]).unwrap();
        assert_eq!(now.type_name(), "time.Time");
        assert!(text(Ok(now.clone())).contains(" m=+"));
        assert_eq!(text(call("ago", vec![now])), "0s");
    }

    #[test]
    fn absurd_arguments_do_not_panic() {
        let Value::Object(t) = fixed() else { panic!() };
        let big = Value::int(i64::MAX);
        let r = t.call("AddDate", vec![big.clone(), big.clone(), big]);
        assert!(r.is_ok());
        assert!(t.call("Add", vec![Value::int64(i64::MIN)]).is_ok());
        assert!(t.call("Round", vec![Value::int64(i64::MAX)]).is_ok());
        let r = call(
            "dateInZone",
            vec![s("2006"), Value::int64(i64::MIN), s("UTC")],
        );
        assert!(r.is_ok());
    }

    #[test]
    fn methods() {
        let Value::Object(t) = fixed() else { panic!() };
        assert_eq!(
            format!("{:?}", t.call("UnixNano", vec![])),
            "Ok(int64(1684281600000000000))"
        );
        let month = t.call("Month", vec![]).unwrap();
        assert_eq!(
            (month.type_name(), text(Ok(month))),
            ("time.Month".into(), "May".into())
        );
        let later = t.call(
            "AddDate",
            vec![Value::int(0), Value::int(1), Value::int(20)],
        );
        assert_eq!(text(later), "2023-07-07 00:00:00 +0000 UTC");
        let r = t.call("Add", vec![Value::int64(3600)]);
        assert_eq!(text(r), "2023-05-17 00:00:00.0000036 +0000 UTC");
    }
}
