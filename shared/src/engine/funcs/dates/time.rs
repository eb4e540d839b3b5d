//! Go's `time.Time` and `time.Location` as template values.

use std::any::Any;
use std::rc::Rc;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use chrono::{Offset, TimeZone};
use chrono_tz::{OffsetName, Tz};

use super::civil::{self, Civil};
use super::duration::SECOND;
use super::layout;
use crate::engine::value::{IntKind, MethodSig, Object, Ty, Value};

/// Seconds from the Unix epoch back to Go's zero time, 0001-01-01 UTC.
const ZERO_TIME_UNIX: i64 = -62_135_596_800;

/// A `*time.Location`.
#[derive(Clone, Debug)]
pub enum Location {
    /// `time.UTC` (also the location of the zero `time.Time`).
    Utc,
    /// `time.Local`: the process zone, from `TZ` or `/etc/localtime`.
    Local,
    /// A zone loaded from the IANA database by name.
    Named(Tz),
    /// A `time.FixedZone`, as parsing a numeric offset creates.
    Fixed { name: Rc<str>, offset: i32 },
}

impl Location {
    /// `time.LoadLocation`: `""` and `"UTC"` are UTC, `"Local"` the process
    /// zone, anything else an IANA name.
    pub fn load(name: &str) -> Option<Location> {
        match name {
            "" | "UTC" => Some(Location::Utc),
            "Local" => Some(Location::Local),
            _ => Tz::from_str(name).ok().map(Location::Named),
        }
    }

    /// The zone abbreviation and UTC offset (seconds east) in force at the
    /// instant `unix`.
    pub fn zone_at(&self, unix: i64) -> (String, i32) {
        match self {
            Location::Utc => ("UTC".into(), 0),
            Location::Local => match local_zone() {
                Some(tz) => tz_zone(*tz, unix),
                None => ("UTC".into(), 0),
            },
            Location::Named(tz) => tz_zone(*tz, unix),
            Location::Fixed { name, offset } => (name.to_string(), *offset),
        }
    }

    /// Unix seconds of a wall-clock time in this location, resolving the
    /// offset the way Go's `time.Date` does (offset of the naive instant,
    /// re-checked once).
    pub fn unix_from_wall(&self, wall: i64) -> i64 {
        let (_, guess) = self.zone_at(wall);
        let utc = wall - i64::from(guess);
        let (_, offset) = self.zone_at(utc);
        wall - i64::from(offset)
    }
}

fn tz_zone(tz: Tz, unix: i64) -> (String, i32) {
    // chrono covers ±262,000 years; beyond that the nearest rule stands.
    let clamped = unix.clamp(-8_000_000_000_000, 8_000_000_000_000);
    let Some(at) = chrono::DateTime::from_timestamp(clamped, 0) else {
        return ("UTC".into(), 0);
    };
    let offset = tz.offset_from_utc_datetime(&at.naive_utc());
    let seconds = offset.fix().local_minus_utc();
    let name = match offset.abbreviation() {
        Some(name) => name.to_string(),
        None => numeric_abbreviation(seconds),
    };
    (name, seconds)
}

/// The `+03`/`+0530` names tzdata gives zones without letters.
fn numeric_abbreviation(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    match minutes % 60 {
        0 => format!("{sign}{:02}", minutes / 60),
        m => format!("{sign}{:02}{m:02}", minutes / 60),
    }
}

/// The IANA zone of `time.Local`, or `None` for UTC. Go reads `TZ`
/// (unset: `/etc/localtime`; empty, `UTC` or unknown: UTC).
fn local_zone() -> &'static Option<Tz> {
    static LOCAL: OnceLock<Option<Tz>> = OnceLock::new();
    LOCAL.get_or_init(|| {
        let name = match std::env::var_os("TZ") {
            None => system_zone_name(),
            Some(tz) => {
                let tz = tz.to_string_lossy();
                let tz = tz.strip_prefix(':').unwrap_or(&tz);
                match tz.strip_prefix('/') {
                    Some(_) => zone_name_of_path(tz),
                    None => Some(tz.to_string()),
                }
            }
        };
        name.and_then(|n| Tz::from_str(&n).ok())
    })
}

fn system_zone_name() -> Option<String> {
    if let Ok(target) = std::fs::read_link("/etc/localtime") {
        return zone_name_of_path(&target.to_string_lossy());
    }
    let name = std::fs::read_to_string("/etc/timezone").ok()?;
    Some(name.trim().to_string())
}

/// `…/zoneinfo/Europe/Berlin` → `Europe/Berlin`.
fn zone_name_of_path(path: &str) -> Option<String> {
    path.rsplit_once("zoneinfo/")
        .map(|(_, name)| name.to_string())
}

/// A Go `time.Time`: an instant, the location it displays in, and for
/// `now` a monotonic clock reading.
#[derive(Clone, Debug)]
pub struct GoTime {
    unix: i64,
    nanos: u32,
    loc: Location,
    /// Nanoseconds since process start, printed by `String()` as `m=+…`.
    mono: Option<i64>,
}

/// When the process started, for monotonic readings.
fn process_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

impl GoTime {
    /// `time.Now()`, in the local zone, with a monotonic reading.
    pub fn now() -> GoTime {
        let mono = process_start().elapsed().as_nanos();
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        GoTime {
            unix: since_epoch.as_secs() as i64,
            nanos: since_epoch.subsec_nanos(),
            loc: Location::Local,
            mono: i64::try_from(mono).ok(),
        }
    }

    /// `time.Unix(secs, 0)`: local zone.
    pub fn from_unix(unix: i64) -> GoTime {
        GoTime::at(unix, 0, Location::Local)
    }

    /// The zero `time.Time` (0001-01-01 00:00:00 UTC).
    pub fn zero() -> GoTime {
        GoTime::at(ZERO_TIME_UNIX, 0, Location::Utc)
    }

    pub fn at(unix: i64, nanos: u32, loc: Location) -> GoTime {
        GoTime {
            unix,
            nanos,
            loc,
            mono: None,
        }
    }

    /// The time of a template value, if it is a `time.Time`.
    pub fn of(v: &Value) -> Option<&GoTime> {
        match v {
            Value::Object(o) => o.as_any()?.downcast_ref::<GoTime>(),
            _ => None,
        }
    }

    pub fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    pub fn unix(&self) -> i64 {
        self.unix
    }

    /// Nanoseconds since the Unix epoch, wrapping as Go's `UnixNano` does
    /// outside 1678–2262.
    pub fn unix_nano(&self) -> i64 {
        self.unix
            .wrapping_mul(SECOND)
            .wrapping_add(i64::from(self.nanos))
    }

    pub fn nanos(&self) -> u32 {
        self.nanos
    }

    /// `t.In(loc)`: the same instant shown in another location.
    pub fn in_location(&self, loc: Location) -> GoTime {
        GoTime {
            loc,
            ..self.clone()
        }
    }

    /// The zone abbreviation and offset, and the civil fields of the time
    /// as seen in its location.
    pub fn local_parts(&self) -> (String, i32, Civil) {
        let (name, offset) = self.loc.zone_at(self.unix);
        let civil = civil::civil_from_unix(self.unix.saturating_add(i64::from(offset)));
        (name, offset, civil)
    }

    /// `t.Add(d)`, keeping the location and the monotonic reading.
    pub fn add(&self, d: i64) -> GoTime {
        let total = i64::from(self.nanos) + d.rem_euclid(SECOND);
        GoTime {
            unix: self
                .unix
                .saturating_add(d.div_euclid(SECOND))
                .saturating_add(total / SECOND),
            nanos: (total % SECOND) as u32,
            loc: self.loc.clone(),
            mono: self.mono.and_then(|m| m.checked_add(d)),
        }
    }

    /// `t.Sub(u)` saturated to the Duration range, using monotonic
    /// readings when both have one (as `time.Since` does).
    pub fn sub(&self, other: &GoTime) -> i64 {
        if let (Some(a), Some(b)) = (self.mono, other.mono) {
            return a.saturating_sub(b);
        }
        let secs = i128::from(self.unix) - i128::from(other.unix);
        let nanos = secs * i128::from(SECOND) + i128::from(self.nanos) - i128::from(other.nanos);
        nanos.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// `t.AddDate(years, months, days)`, normalising like `time.Date`.
    pub fn add_date(&self, years: i64, months: i64, days: i64) -> GoTime {
        let (_, _, c) = self.local_parts();
        let wall = civil::unix_from_fields(
            c.year.saturating_add(years),
            i64::from(c.month).saturating_add(months),
            i64::from(c.day).saturating_add(days),
            i64::from(c.hour),
            i64::from(c.minute),
            i64::from(c.second),
        );
        GoTime::at(self.loc.unix_from_wall(wall), self.nanos, self.loc.clone())
    }

    /// `t.Truncate(d)` / `t.Round(d)`: multiples of `d` since the zero time;
    /// both drop the monotonic reading.
    pub fn round_to(&self, d: i64, round: bool) -> GoTime {
        if d <= 0 {
            return GoTime {
                mono: None,
                ..self.clone()
            };
        }
        let since_zero = (i128::from(self.unix) - i128::from(ZERO_TIME_UNIX)) * i128::from(SECOND)
            + i128::from(self.nanos);
        let d = i128::from(d);
        let r = since_zero.rem_euclid(d);
        let shift = if round && r + r >= d { d - r } else { -r };
        let total = since_zero + shift;
        let unix = total.div_euclid(i128::from(SECOND)) + i128::from(ZERO_TIME_UNIX);
        GoTime::at(
            unix.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
            total.rem_euclid(i128::from(SECOND)) as u32,
            self.loc.clone(),
        )
    }

    pub fn format(&self, layout_text: &str) -> String {
        layout::format(self, layout_text)
    }

    /// `Time.String()`, with the `m=±s.nnnnnnnnn` suffix when there is a
    /// monotonic reading.
    pub fn string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let m = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                m / 1_000_000_000,
                m % 1_000_000_000
            ));
        }
        s
    }
}

const TIME_METHODS: &[(&str, &[Ty])] = &[
    ("Add", &[Ty::Int64]),
    ("AddDate", &[Ty::Int, Ty::Int, Ty::Int]),
    ("Day", &[]),
    ("Format", &[Ty::String]),
    ("Hour", &[]),
    ("IsZero", &[]),
    ("Local", &[]),
    ("Minute", &[]),
    ("Month", &[]),
    ("Nanosecond", &[]),
    ("Round", &[Ty::Int64]),
    ("Second", &[]),
    ("String", &[]),
    ("Truncate", &[Ty::Int64]),
    ("UTC", &[]),
    ("Unix", &[]),
    ("UnixMicro", &[]),
    ("UnixMilli", &[]),
    ("UnixNano", &[]),
    ("Weekday", &[]),
    ("Year", &[]),
    ("YearDay", &[]),
];

impl Object for GoTime {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn method(&self, name: &str) -> Option<MethodSig> {
        TIME_METHODS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, params)| MethodSig {
                params,
                variadic: None,
            })
    }

    fn call(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let int_arg = |i: usize| match args.get(i) {
            Some(Value::Int(n, _)) => *n,
            _ => 0,
        };
        let (_, _, c) = self.local_parts();
        let int = |n: i64| Value::Int(n, IntKind::Int);
        Ok(match name {
            "Add" => self.add(int_arg(0)).into_value(),
            "AddDate" => self
                .add_date(int_arg(0), int_arg(1), int_arg(2))
                .into_value(),
            "Day" => int(c.day.into()),
            "Format" => Value::str(self.format(args.first().and_then(Value::as_str).unwrap_or(""))),
            "Hour" => int(c.hour.into()),
            "IsZero" => Value::Bool(self.unix == ZERO_TIME_UNIX && self.nanos == 0),
            "Local" => self.in_location(Location::Local).into_value(),
            "Minute" => int(c.minute.into()),
            "Month" => CalendarName::month(c.month).into_value(),
            "Nanosecond" => int(self.nanos.into()),
            "Round" => self.round_to(int_arg(0), true).into_value(),
            "Second" => int(c.second.into()),
            "String" => Value::str(self.string()),
            "Truncate" => self.round_to(int_arg(0), false).into_value(),
            "UTC" => self.in_location(Location::Utc).into_value(),
            "Unix" => Value::int64(self.unix),
            "UnixMicro" => Value::int64(
                self.unix
                    .wrapping_mul(1_000_000)
                    .wrapping_add(i64::from(self.nanos / 1_000)),
            ),
            "UnixMilli" => Value::int64(
                self.unix
                    .wrapping_mul(1_000)
                    .wrapping_add(i64::from(self.nanos / 1_000_000)),
            ),
            "UnixNano" => Value::int64(self.unix_nano()),
            "Weekday" => CalendarName::weekday(c.weekday).into_value(),
            "Year" => int(c.year),
            "YearDay" => int(c.yday.into()),
            _ => return Err(format!("can't call method/function {name:?}")),
        })
    }

    fn format(&self) -> String {
        self.string()
    }

    fn to_json(&self) -> Option<Value> {
        Some(Value::str(self.format(layout::RFC3339_NANO)))
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

/// `time.Month` and `time.Weekday`: integers that print as names.
#[derive(Debug)]
struct CalendarName {
    type_name: &'static str,
    number: u32,
    name: &'static str,
}

impl CalendarName {
    fn month(month: u32) -> CalendarName {
        CalendarName {
            type_name: "time.Month",
            number: month,
            name: layout::LONG_MONTHS[(month as usize + 11) % 12],
        }
    }

    fn weekday(day: u32) -> CalendarName {
        CalendarName {
            type_name: "time.Weekday",
            number: day,
            name: layout::LONG_DAYS[day as usize % 7],
        }
    }

    fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }
}

impl Object for CalendarName {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn kind_name(&self) -> &str {
        "int"
    }

    fn format(&self) -> String {
        self.name.into()
    }

    fn truthy(&self) -> bool {
        self.number != 0
    }

    fn to_json(&self) -> Option<Value> {
        Some(Value::int(self.number.into()))
    }
}
