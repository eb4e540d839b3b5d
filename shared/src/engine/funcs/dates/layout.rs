//! Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`, `Mon Jan _2`,
//! `.000`, `PM`, `MST`, …) for formatting and for parsing.

use std::rc::Rc;

use super::civil::{self, days_in_month, is_leap};
use super::duration::go_quote;
use super::time::{GoTime, Location};

pub const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

pub const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// One element of a layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    /// A numeric offset: `z` says the `Z…` form (prints `Z` for UTC).
    Offset {
        z: bool,
        form: OffsetForm,
    },
    /// `.000` (`trim == false`) or `.999` with `digits` places and `,` or `.`.
    Frac {
        digits: usize,
        trim: bool,
        sep: u8,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OffsetForm {
    /// `-07`
    Hours,
    /// `-0700`
    HoursMinutes,
    /// `-07:00`
    ColonHoursMinutes,
    /// `-070000`
    WithSeconds,
    /// `-07:00:00`
    ColonWithSeconds,
}

/// Splits off the text before the first layout element, the element, and
/// the rest (Go's `nextStdChunk`).
fn next_chunk(layout: &str) -> (&str, Option<Std>, &str) {
    let b = layout.as_bytes();
    let has = |i: usize, s: &str| layout[i..].starts_with(s);
    for i in 0..b.len() {
        let found = match b[i] {
            b'J' if has(i, "January") => Some((Std::LongMonth, 7)),
            b'J' if has(i, "Jan") && !starts_lower(&b[i + 3..]) => Some((Std::Month, 3)),
            b'M' if has(i, "Monday") => Some((Std::LongWeekDay, 6)),
            b'M' if has(i, "Mon") && !starts_lower(&b[i + 3..]) => Some((Std::WeekDay, 3)),
            b'M' if has(i, "MST") => Some((Std::TZ, 3)),
            b'0' if matches!(b.get(i + 1), Some(b'1'..=b'6')) => {
                let std = [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][usize::from(b[i + 1] - b'1')];
                Some((std, 2))
            }
            b'0' if has(i, "002") => Some((Std::ZeroYearDay, 3)),
            b'1' if has(i, "15") => Some((Std::Hour, 2)),
            b'1' => Some((Std::NumMonth, 1)),
            b'2' if has(i, "2006") => Some((Std::LongYear, 4)),
            b'2' => Some((Std::Day, 1)),
            // `_2006` is a literal underscore before a long year.
            b'_' if has(i, "_2006") => {
                return (&layout[..i + 1], Some(Std::LongYear), &layout[i + 5..]);
            }
            b'_' if has(i, "_2") => Some((Std::UnderDay, 2)),
            b'_' if has(i, "__2") => Some((Std::UnderYearDay, 3)),
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if has(i, "PM") => Some((Std::PM, 2)),
            b'p' if has(i, "pm") => Some((Std::Pm, 2)),
            b'-' | b'Z' => offset_at(&layout[i + 1..]).map(|(form, len)| {
                let z = b[i] == b'Z';
                (Std::Offset { z, form }, len + 1)
            }),
            b'.' | b',' if matches!(b.get(i + 1), Some(b'0' | b'9')) => {
                let ch = b[i + 1];
                let run = b[i + 1..].iter().take_while(|c| **c == ch).count();
                let end = i + 1 + run;
                if b.get(end).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    let std = Std::Frac {
                        digits: run,
                        trim: ch == b'9',
                        sep: b[i],
                    };
                    Some((std, 1 + run))
                }
            }
            _ => None,
        };
        if let Some((std, len)) = found {
            return (&layout[..i], Some(std), &layout[i + len..]);
        }
    }
    (layout, None, "")
}

/// The offset forms after a `-` or `Z`, longest first as Go tries them.
fn offset_at(rest: &str) -> Option<(OffsetForm, usize)> {
    [
        ("070000", OffsetForm::WithSeconds),
        ("07:00:00", OffsetForm::ColonWithSeconds),
        ("0700", OffsetForm::HoursMinutes),
        ("07:00", OffsetForm::ColonHoursMinutes),
        ("07", OffsetForm::Hours),
    ]
    .into_iter()
    .find(|(text, _)| rest.starts_with(text))
    .map(|(text, form)| (form, text.len()))
}

fn starts_lower(rest: &[u8]) -> bool {
    rest.first().is_some_and(u8::is_ascii_lowercase)
}

/// `t.Format(layout)`.
pub fn format(t: &GoTime, mut layout: &str) -> String {
    let (name, offset, c) = t.local_parts();
    let mut out = String::with_capacity(layout.len() + 10);
    loop {
        let (prefix, std, suffix) = next_chunk(layout);
        out.push_str(prefix);
        let Some(std) = std else { break };
        layout = suffix;
        let hour12 = match c.hour % 12 {
            0 => 12,
            h => h,
        };
        match std {
            Std::Year => out.push_str(&pad(c.year.abs() % 100, 2)),
            Std::LongYear => out.push_str(&pad(c.year, 4)),
            Std::Month => out.push_str(&LONG_MONTHS[c.month as usize - 1][..3]),
            Std::LongMonth => out.push_str(LONG_MONTHS[c.month as usize - 1]),
            Std::NumMonth => out.push_str(&c.month.to_string()),
            Std::ZeroMonth => out.push_str(&pad(c.month.into(), 2)),
            Std::WeekDay => out.push_str(&LONG_DAYS[c.weekday as usize][..3]),
            Std::LongWeekDay => out.push_str(LONG_DAYS[c.weekday as usize]),
            Std::Day => out.push_str(&c.day.to_string()),
            Std::UnderDay => out.push_str(&format!("{:>2}", c.day)),
            Std::ZeroDay => out.push_str(&pad(c.day.into(), 2)),
            Std::UnderYearDay => out.push_str(&format!("{:>3}", c.yday)),
            Std::ZeroYearDay => out.push_str(&pad(c.yday.into(), 3)),
            Std::Hour => out.push_str(&pad(c.hour.into(), 2)),
            Std::Hour12 => out.push_str(&hour12.to_string()),
            Std::ZeroHour12 => out.push_str(&pad(hour12.into(), 2)),
            Std::Minute => out.push_str(&c.minute.to_string()),
            Std::ZeroMinute => out.push_str(&pad(c.minute.into(), 2)),
            Std::Second => out.push_str(&c.second.to_string()),
            Std::ZeroSecond => out.push_str(&pad(c.second.into(), 2)),
            Std::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            Std::Offset { z: true, .. } if offset == 0 => out.push('Z'),
            Std::Offset { form, .. } => out.push_str(&format_offset(offset, form)),
            Std::TZ if !name.is_empty() => out.push_str(&name),
            Std::TZ => out.push_str(&format_offset(offset, OffsetForm::HoursMinutes)),
            Std::Frac { digits, trim, sep } => {
                out.push_str(&format_fraction(t.nanos(), digits, trim, sep));
            }
        }
    }
    out
}

/// Go's `appendInt(b, x, width)`: a sign, then zero padding to `width`.
fn pad(x: i64, width: usize) -> String {
    let digits = format!("{:0width$}", x.unsigned_abs());
    if x < 0 { format!("-{digits}") } else { digits }
}

fn format_offset(offset: i32, form: OffsetForm) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    let (hours, minutes, seconds) = (abs / 3600, abs / 60 % 60, abs % 60);
    match form {
        OffsetForm::Hours => format!("{sign}{hours:02}"),
        OffsetForm::HoursMinutes => format!("{sign}{hours:02}{minutes:02}"),
        OffsetForm::ColonHoursMinutes => format!("{sign}{hours:02}:{minutes:02}"),
        OffsetForm::WithSeconds => format!("{sign}{hours:02}{minutes:02}{seconds:02}"),
        OffsetForm::ColonWithSeconds => {
            format!("{sign}{hours:02}:{minutes:02}:{seconds:02}")
        }
    }
}

fn format_fraction(nanos: u32, digits: usize, trim: bool, sep: u8) -> String {
    if trim && (digits == 0 || nanos == 0) {
        return String::new();
    }
    let all = format!("{nanos:09}");
    let mut frac = &all[..digits.min(9)];
    if trim {
        frac = frac.trim_end_matches('0');
        if frac.is_empty() {
            return String::new();
        }
    }
    format!("{}{frac}", char::from(sep))
}

/// `time.ParseInLocation(layout, value, loc)` with Go's error texts.
pub fn parse_in_location(layout: &str, value: &str, loc: &Location) -> Result<GoTime, String> {
    Parser::new(layout, value).run(loc)
}

/// The fields a parse has gathered so far.
struct Parser<'a> {
    full_layout: &'a str,
    full_value: &'a str,
    year: i64,
    month: i64,
    day: i64,
    yday: i64,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: i64,
    am: bool,
    pm: bool,
    utc: bool,
    zone_offset: Option<i64>,
    zone_name: &'a str,
}

/// Why a layout element did not match.
enum Failure {
    /// The value does not have the element's shape.
    Bad,
    /// It has, but the number is out of range (`"month"`, `"hour"`, …).
    Range(&'static str),
}

impl<'a> Parser<'a> {
    fn new(layout: &'a str, value: &'a str) -> Parser<'a> {
        Parser {
            full_layout: layout,
            full_value: value,
            year: 0,
            month: -1,
            day: -1,
            yday: -1,
            hour: 0,
            minute: 0,
            second: 0,
            nanos: 0,
            am: false,
            pm: false,
            utc: false,
            zone_offset: None,
            zone_name: "",
        }
    }

    fn error(&self, layout_elem: &str, value_elem: &str) -> String {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            go_quote(self.full_value),
            go_quote(self.full_layout),
            go_quote(value_elem),
            go_quote(layout_elem)
        )
    }

    fn message(&self, message: &str) -> String {
        format!("parsing time {}{message}", go_quote(self.full_value))
    }

    fn run(mut self, loc: &Location) -> Result<GoTime, String> {
        let (mut layout, mut value) = (self.full_layout, self.full_value);
        loop {
            let (prefix, std, suffix) = next_chunk(layout);
            let std_text = &layout[prefix.len()..layout.len() - suffix.len()];
            value = skip(value, prefix).ok_or_else(|| self.error(prefix, value))?;
            let Some(std) = std else {
                if !value.is_empty() {
                    return Err(self.message(&format!(": extra text: {}", go_quote(value))));
                }
                break;
            };
            layout = suffix;
            let hold = value;
            match self.element(std, value, layout) {
                Ok(rest) => value = rest,
                Err(Failure::Range(what)) => {
                    return Err(self.message(&format!(": {what} out of range")));
                }
                Err(Failure::Bad) => return Err(self.error(std_text, hold)),
            }
        }
        self.finish(loc)
    }

    /// Parses one element at the start of `value`; returns the rest.
    fn element(&mut self, std: Std, value: &'a str, layout_rest: &str) -> Result<&'a str, Failure> {
        let bad = || Failure::Bad;
        let range = Failure::Range;
        match std {
            Std::Year => {
                let p = value.get(..2).ok_or_else(bad)?;
                let y = atoi(p).ok_or_else(bad)?;
                self.year = if y >= 69 { y + 1900 } else { y + 2000 };
                Ok(&value[2..])
            }
            Std::LongYear => {
                if value.len() < 4 || !value.as_bytes()[0].is_ascii_digit() {
                    return Err(bad());
                }
                let p = value.get(..4).ok_or_else(bad)?;
                self.year = atoi(p).ok_or_else(bad)?;
                Ok(&value[4..])
            }
            Std::Month | Std::LongMonth => {
                let names = LONG_MONTHS.map(|m| if std == Std::Month { &m[..3] } else { m });
                let (i, rest) = lookup(&names, value).ok_or_else(bad)?;
                self.month = i as i64 + 1;
                Ok(rest)
            }
            Std::NumMonth | Std::ZeroMonth => {
                let (m, rest) = getnum(value, std == Std::ZeroMonth).ok_or_else(bad)?;
                self.month = m;
                if !(1..=12).contains(&m) {
                    return Err(range("month"));
                }
                Ok(rest)
            }
            Std::WeekDay | Std::LongWeekDay => {
                let names = LONG_DAYS.map(|d| if std == Std::WeekDay { &d[..3] } else { d });
                lookup(&names, value).map(|(_, rest)| rest).ok_or_else(bad)
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                let v = match std {
                    Std::UnderDay => value.strip_prefix(' ').unwrap_or(value),
                    _ => value,
                };
                let (d, rest) = getnum(v, std == Std::ZeroDay).ok_or_else(bad)?;
                self.day = d;
                Ok(rest)
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                let mut v = value;
                if std == Std::UnderYearDay {
                    for _ in 0..2 {
                        v = v.strip_prefix(' ').unwrap_or(v);
                    }
                }
                let (d, rest) = getnum3(v, std == Std::ZeroYearDay).ok_or_else(bad)?;
                self.yday = d;
                Ok(rest)
            }
            Std::Hour => {
                let (h, rest) = getnum(value, false).ok_or_else(bad)?;
                self.hour = h;
                if h >= 24 {
                    return Err(range("hour"));
                }
                Ok(rest)
            }
            Std::Hour12 | Std::ZeroHour12 => {
                let (h, rest) = getnum(value, std == Std::ZeroHour12).ok_or_else(bad)?;
                self.hour = h;
                if h > 12 {
                    return Err(range("hour"));
                }
                Ok(rest)
            }
            Std::Minute | Std::ZeroMinute => {
                let (m, rest) = getnum(value, std == Std::ZeroMinute).ok_or_else(bad)?;
                self.minute = m;
                if m >= 60 {
                    return Err(range("minute"));
                }
                Ok(rest)
            }
            Std::Second | Std::ZeroSecond => {
                let (s, mut rest) = getnum(value, std == Std::ZeroSecond).ok_or_else(bad)?;
                self.second = s;
                if s >= 60 {
                    return Err(range("second"));
                }
                // A fraction in the value may follow seconds even when the
                // layout has none.
                let b = rest.as_bytes();
                if b.len() >= 2 && is_comma_or_period(b[0]) && b[1].is_ascii_digit() {
                    let next = next_chunk(layout_rest).1;
                    if !matches!(next, Some(Std::Frac { .. })) {
                        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                        self.nanos = parse_nanos(&rest[..n]).ok_or_else(bad)?;
                        rest = &rest[n..];
                    }
                }
                Ok(rest)
            }
            Std::PM | Std::Pm => {
                let p = value.get(..2).ok_or_else(bad)?;
                let (am, pm) = if std == Std::PM {
                    ("AM", "PM")
                } else {
                    ("am", "pm")
                };
                match p {
                    _ if p == pm => self.pm = true,
                    _ if p == am => self.am = true,
                    _ => return Err(bad()),
                }
                Ok(&value[2..])
            }
            Std::Offset { z, form } => {
                if z && value.starts_with('Z') {
                    self.utc = true;
                    return Ok(&value[1..]);
                }
                self.offset(form, value)
            }
            Std::TZ => {
                if let Some(rest) = value.strip_prefix("UTC") {
                    self.utc = true;
                    return Ok(rest);
                }
                let n = time_zone_len(value).ok_or_else(bad)?;
                self.zone_name = &value[..n];
                Ok(&value[n..])
            }
            Std::Frac {
                digits,
                trim: false,
                ..
            } => {
                let n = 1 + digits;
                let p = value.get(..n).ok_or_else(bad)?;
                self.nanos = parse_nanos(p).ok_or_else(bad)?;
                Ok(&value[n..])
            }
            Std::Frac { trim: true, .. } => {
                let b = value.as_bytes();
                if b.len() < 2 || !is_comma_or_period(b[0]) || !b[1].is_ascii_digit() {
                    return Ok(value);
                }
                let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                self.nanos = parse_nanos(&value[..n]).ok_or_else(bad)?;
                Ok(&value[n..])
            }
        }
    }

    fn offset(&mut self, form: OffsetForm, value: &'a str) -> Result<&'a str, Failure> {
        let bad = || Failure::Bad;
        let b = value.as_bytes();
        let field = |from: usize| value.get(from..from + 2).ok_or_else(bad);
        let (hh, mm, ss, len) = match form {
            OffsetForm::ColonHoursMinutes => {
                if b.len() < 6 || b[3] != b':' {
                    return Err(bad());
                }
                (field(1)?, field(4)?, "00", 6)
            }
            OffsetForm::Hours => {
                if b.len() < 3 {
                    return Err(bad());
                }
                (field(1)?, "00", "00", 3)
            }
            OffsetForm::ColonWithSeconds => {
                if b.len() < 9 || b[3] != b':' || b[6] != b':' {
                    return Err(bad());
                }
                (field(1)?, field(4)?, field(7)?, 9)
            }
            OffsetForm::WithSeconds => {
                if b.len() < 7 {
                    return Err(bad());
                }
                (field(1)?, field(3)?, field(5)?, 7)
            }
            OffsetForm::HoursMinutes => {
                if b.len() < 5 {
                    return Err(bad());
                }
                (field(1)?, field(3)?, "00", 5)
            }
        };
        let num = |s: &str| getnum(s, true).map(|(n, _)| n).ok_or_else(bad);
        let (h, m, s) = (num(hh)?, num(mm)?, num(ss)?);
        let rest = &value[len..];
        let seconds = (h * 60 + m) * 60 + s;
        self.zone_offset = Some(match b[0] {
            b'+' => seconds,
            b'-' => -seconds,
            _ => return Err(bad()),
        });
        // Go tests ranges with `>` (offsets of 24h or 60m are accepted).
        for (v, max, what) in [
            (s, 60, "time zone offset second"),
            (m, 60, "time zone offset minute"),
            (h, 24, "time zone offset hour"),
        ] {
            if v > max {
                return Err(Failure::Range(what));
            }
        }
        Ok(rest)
    }

    /// Validates the date and builds the time, as the end of Go's `parse`.
    fn finish(mut self, loc: &Location) -> Result<GoTime, String> {
        if self.pm && self.hour < 12 {
            self.hour += 12;
        } else if self.am && self.hour == 12 {
            self.hour = 0;
        }
        if self.yday >= 0 {
            self.apply_year_day()?;
        } else {
            if self.month < 0 {
                self.month = 1;
            }
            if self.day < 0 {
                self.day = 1;
            }
        }
        if self.day < 1 || self.day > i64::from(days_in_month(self.month as u32, self.year)) {
            return Err(self.message(": day out of range"));
        }
        let wall = civil::unix_from_fields(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        );
        let nanos = self.nanos as u32;
        if self.utc {
            return Ok(GoTime::at(wall, nanos, Location::Utc));
        }
        if let Some(offset) = self.zone_offset {
            let unix = wall - offset;
            let (name, local_offset) = loc.zone_at(unix);
            if i64::from(local_offset) == offset
                && (self.zone_name.is_empty() || name == self.zone_name)
            {
                return Ok(GoTime::at(unix, nanos, loc.clone()));
            }
            let fixed = Location::Fixed {
                name: Rc::from(self.zone_name),
                offset: offset as i32,
            };
            return Ok(GoTime::at(unix, nanos, fixed));
        }
        if !self.zone_name.is_empty() {
            let (name, offset) = loc.zone_at(wall);
            if name == self.zone_name {
                return Ok(GoTime::at(wall - i64::from(offset), nanos, loc.clone()));
            }
            // An unknown abbreviation: a fabricated zone at offset zero
            // (GMT±h carries its hours).
            let offset = self
                .zone_name
                .strip_prefix("GMT")
                .and_then(atoi)
                .map_or(0, |h| h * 3600);
            let fixed = Location::Fixed {
                name: Rc::from(self.zone_name),
                offset: offset as i32,
            };
            return Ok(GoTime::at(wall, nanos, fixed));
        }
        Ok(GoTime::at(loc.unix_from_wall(wall), nanos, loc.clone()))
    }

    /// Turns a day of the year into month and day, checking any month and
    /// day the value also gave.
    fn apply_year_day(&mut self) -> Result<(), String> {
        let mut yday = self.yday;
        let mut feb29 = false;
        if is_leap(self.year) {
            if yday == 31 + 29 {
                feb29 = true;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(self.message(": day-of-year out of range"));
        }
        let (m, d) = if feb29 {
            (2, 29)
        } else {
            let mut m = 1;
            while m < 12 && days_before(m + 1) < yday {
                m += 1;
            }
            (m, yday - days_before(m))
        };
        if self.month >= 0 && self.month != m {
            return Err(self.message(": day-of-year does not match month"));
        }
        if self.day >= 0 && self.day != d {
            return Err(self.message(": day-of-year does not match day"));
        }
        self.month = m;
        self.day = d;
        Ok(())
    }
}

/// Days in a non-leap year before the first of `month` (1..=13).
fn days_before(month: i64) -> i64 {
    (1..month)
        .map(|m| i64::from(days_in_month(m as u32, 1)))
        .sum()
}

/// Go's `skip`: matches a literal prefix, any run of spaces matching any run.
fn skip<'v>(mut value: &'v str, mut prefix: &str) -> Option<&'v str> {
    while let Some(p) = prefix.chars().next() {
        if p == ' ' {
            if !value.is_empty() && !value.starts_with(' ') {
                return None;
            }
            prefix = prefix.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        // Compare bytes, as Go does.
        if value.as_bytes().first() != prefix.as_bytes().first() {
            return None;
        }
        let len = p.len_utf8();
        prefix = &prefix[len..];
        value = value.get(len..)?;
    }
    Some(value)
}

/// Case-insensitive match of one of `names` at the start of `value`.
fn lookup<'v>(names: &[&str], value: &'v str) -> Option<(usize, &'v str)> {
    names.iter().enumerate().find_map(|(i, name)| {
        let head = value.get(..name.len())?;
        head.eq_ignore_ascii_case(name)
            .then(|| (i, &value[name.len()..]))
    })
}

/// One or two digits (`fixed`: exactly two).
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        return (!fixed).then(|| (i64::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &s[2..],
    ))
}

/// One to three digits (`fixed`: exactly three).
fn getnum3(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let n = s.bytes().take(3).take_while(u8::is_ascii_digit).count();
    if n == 0 || (fixed && n != 3) {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// Go's `atoi` in package time: optional sign, digits, nothing else.
fn atoi(s: &str) -> Option<i64> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut x: i64 = 0;
    for c in digits.bytes() {
        x = x.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    Some(if neg { -x } else { x })
}

fn is_comma_or_period(c: u8) -> bool {
    c == b'.' || c == b','
}

/// A `.ddd` fraction (separator included) as nanoseconds; digits past nine
/// are dropped.
fn parse_nanos(s: &str) -> Option<i64> {
    if !is_comma_or_period(*s.as_bytes().first()?) {
        return None;
    }
    let digits = &s[1..s.len().min(10)];
    let n = atoi(digits)?;
    Some(n * 10i64.pow(9 - digits.len() as u32))
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of
/// `value`, if it looks like one.
fn time_zone_len(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if value.starts_with("ChST") || value.starts_with("MeST") {
        return Some(4);
    }
    if let Some(offset) = value.strip_prefix("GMT") {
        return Some(3 + signed_offset_len(offset));
    }
    if b[0] == b'+' || b[0] == b'-' {
        return Some(signed_offset_len(value)).filter(|n| *n > 0);
    }
    let upper = b
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        5 if b[4] == b'T' => Some(5),
        4 if b[3] == b'T' || value.starts_with("WITA") => Some(4),
        3 => Some(3),
        _ => None,
    }
}

/// A sign and hours in -23..=23 (not zero), as `+03`; 0 if not one.
fn signed_offset_len(value: &str) -> usize {
    let Some(rest) = value.strip_prefix(['+', '-']) else {
        return 0;
    };
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    match rest[..n].parse::<u64>() {
        Ok(hours) if n > 0 && hours <= 23 => 1 + n,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(unix: i64, nanos: u32) -> GoTime {
        GoTime::at(unix, nanos, Location::Utc)
    }

    #[test]
    fn formats_reference_layouts() {
        let t = utc(1_684_318_272, 123_456_789); // 2023-05-17T10:11:12.123456789Z
        let cases = [
            ("2006-01-02T15:04:05Z07:00", "2023-05-17T10:11:12Z"),
            (RFC3339_NANO, "2023-05-17T10:11:12.123456789Z"),
            (
                "Mon Jan _2 15:04:05 MST 2006",
                "Wed May 17 10:11:12 UTC 2023",
            ),
            (
                "Monday, 02-Jan-06 3:4:5 PM",
                "Wednesday, 17-May-23 10:11:12 AM",
            ),
            ("15:04:05.000 -07:00 .9 ,99", "10:11:12.123 +00:00 .1 ,12"),
            ("__2 002 January", "137 137 May"),
            ("Month", "Month"),
            ("_2006", "_2023"),
        ];
        for (layout, want) in cases {
            assert_eq!(format(&t, layout), want, "{layout}");
        }
        let zero = GoTime::zero();
        assert_eq!(
            format(&zero, "2006-01-02 15:04:05 MST"),
            "0001-01-01 00:00:00 UTC"
        );
    }

    #[test]
    fn parses_like_go() {
        let t = parse_in_location("2006-01-02", "2023-05-17", &Location::Utc).unwrap();
        assert_eq!(t.unix(), 1_684_281_600);
        let t = parse_in_location(
            "2006-01-02T15:04:05Z07:00",
            "2023-05-17T10:11:12.5+02:00",
            &Location::Utc,
        )
        .unwrap();
        assert_eq!(t.string(), "2023-05-17 10:11:12.5 +0200 +0200");
        let t = parse_in_location("Jan _2 3:04PM 2006", "may  7 1:02pm 2020", &Location::Utc);
        assert!(t.is_err(), "pm must be upper case");
        let t = parse_in_location("Jan _2 3:04PM 2006", "MAY  7 1:02PM 2020", &Location::Utc);
        assert_eq!(t.unwrap().string(), "2020-05-07 13:02:00 +0000 UTC");
    }

    #[test]
    fn parses_helms_corner_cases() {
        let cases = [
            ("3:04PM", "9:41PM", "0000-01-01 21:41:00 +0000 UTC"),
            ("06-01-02", "69-01-02", "1969-01-02 00:00:00 +0000 UTC"),
            ("06-01-02", "68-01-02", "2068-01-02 00:00:00 +0000 UTC"),
            ("15:04:05", "10:11:12.5", "0000-01-01 10:11:12.5 +0000 UTC"),
            (
                "15:04:05,000",
                "10:11:12,250",
                "0000-01-01 10:11:12.25 +0000 UTC",
            ),
            ("2006-002", "2020-060", "2020-02-29 00:00:00 +0000 UTC"),
            (
                "2006  01 02",
                "2023 05   17",
                "2023-05-17 00:00:00 +0000 UTC",
            ),
            (
                "2006-01-02 MST",
                "2023-05-17 CET",
                "2023-05-17 00:00:00 +0000 CET",
            ),
            (
                "2006-01-02 MST",
                "2023-05-17 GMT+3",
                "2023-05-17 03:00:00 +0300 GMT+3",
            ),
        ];
        for (layout, value, want) in cases {
            let t = parse_in_location(layout, value, &Location::Utc).unwrap();
            assert_eq!(t.string(), want, "{layout} {value}");
        }
    }

    #[test]
    fn reports_errors_like_go() {
        let err = |layout, value| parse_in_location(layout, value, &Location::Utc).unwrap_err();
        assert_eq!(
            err("2006-01-02", "2023-13-01"),
            "parsing time \"2023-13-01\": month out of range"
        );
        assert_eq!(
            err("2006-01-02", "2023-02-30"),
            "parsing time \"2023-02-30\": day out of range"
        );
        assert_eq!(
            err("2006-01-02", "x2023-02-30"),
            "parsing time \"x2023-02-30\" as \"2006-01-02\": cannot parse \"x2023-02-30\" as \"2006\""
        );
        assert_eq!(
            err("2006-01-02", "2023-02-03extra"),
            "parsing time \"2023-02-03extra\": extra text: \"extra\""
        );
        assert_eq!(
            err("15:04", "24:00"),
            "parsing time \"24:00\": hour out of range"
        );
        assert_eq!(
            err("3PM", "3XM"),
            "parsing time \"3XM\" as \"3PM\": cannot parse \"XM\" as \"PM\""
        );
        assert_eq!(
            err("2006", "é\"x"),
            "parsing time \"\\xc3\\xa9\\\"x\" as \"2006\": cannot parse \"\\xc3\\xa9\\\"x\" as \"2006\""
        );
        assert_eq!(
            err("2006 002", "2023 366"),
            "parsing time \"2023 366\": day-of-year out of range"
        );
        assert_eq!(
            err("-0700", "+2500"),
            "parsing time \"+2500\": time zone offset hour out of range"
        );
    }
}
