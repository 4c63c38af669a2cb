//! Time as the emulator reads and writes it: the API's format, the fixtures' and state
//! file's (RFC 3339), and durations as the command line and the control API spell them.
//!
//! The API's format:
//!
//! The documentation gives `yyyy-mm-ddThh:mm:ssZ` where `Z` is a numeric offset without a
//! colon (`2020-07-07T01:17:05+0800`). The emulator writes UTC (`+0000`) and reads every
//! variant a client may send in a query: `+hhmm`, `-hhmm`, `+hh:mm`, a literal `Z`, and a space
//! where form decoding turned an unescaped `+` into one.

use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, SecondsFormat, Timelike, Utc};

/// Formats a time as the API does, in UTC: `2026-04-24T10:19:57+0000`. Written digit by
/// digit: it runs for every time of every answer, where `format!` costs ten times as much.
pub fn format_api_time(t: DateTime<Utc>) -> String {
    match api_time_digits(t) {
        Some(digits) => super::ids::ascii(&digits),
        None => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+0000",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
    }
}

/// A time in the API's format, for answers: serialized without building a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiTime(pub DateTime<Utc>);

impl ApiTime {
    /// `f` of the time's text, written on the stack (no string is built).
    pub fn with_text<R>(self, f: impl FnOnce(&str) -> R) -> R {
        match api_time_digits(self.0) {
            Some(digits) => f(std::str::from_utf8(&digits).unwrap_or("")),
            None => f(&format_api_time(self.0)),
        }
    }
}

impl serde::Serialize for ApiTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with_text(|text| serializer.serialize_str(text))
    }
}

/// The API's format of a time of the years 0 to 9999 (every time the clock allows), as bytes.
fn api_time_digits(t: DateTime<Utc>) -> Option<[u8; 24]> {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some(api_time_bytes(t, year as u32))
}

fn api_time_bytes(t: DateTime<Utc>, year: u32) -> [u8; 24] {
    let mut out = *b"0000-00-00T00:00:00+0000";
    let digits = [
        (0, year / 100),
        (2, year % 100),
        (5, t.month()),
        (8, t.day()),
        (11, t.hour()),
        (14, t.minute()),
        (17, t.second()),
    ];
    for (at, value) in digits {
        out[at] = b'0' + (value / 10) as u8;
        out[at + 1] = b'0' + (value % 10) as u8;
    }
    out
}

/// Reads a time given in a query parameter; `None` if it is not in the API's format.
pub fn parse_api_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim_end();
    // 19 characters of date and time, then the zone.
    if s.len() < 20 || !s.is_char_boundary(19) {
        return None;
    }
    let (datetime, zone) = s.split_at(19);
    let zone = match zone {
        "Z" | "z" => "+0000".to_owned(),
        _ => {
            let zone = zone.replacen(' ', "+", 1).replacen(':', "", 1);
            if zone.len() != 5 {
                return None;
            }
            zone
        }
    };
    DateTime::<FixedOffset>::parse_from_str(&format!("{datetime}{zone}"), "%Y-%m-%dT%H:%M:%S%z")
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Writes a time for a fixtures or state file: RFC 3339 in UTC, with fractions only when there are any.
pub fn write_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Reads a fixtures or state-file time: the API's format or RFC 3339.
pub fn read_time(s: &str) -> Option<DateTime<Utc>> {
    parse_api_time(s).or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// Reads a duration written as a whole number and a unit: `ms`, `s`, `m`, `h` or `d`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let value: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration; write e.g. 0s, 250ms, 5s, 2m or 1h"))?;
    let millis_per_unit = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(format!(
                "{s:?} has no unit of ms, s, m, h or d (e.g. 250ms, 5s, 2m, 7d)"
            ));
        }
    };
    let millis = value
        .checked_mul(millis_per_unit)
        .filter(|ms| *ms <= 10 * 365 * 24 * 3_600_000)
        .ok_or_else(|| format!("{s:?} is longer than ten years"))?;
    Ok(Duration::from_millis(millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn times_are_written_in_utc_without_a_colon_in_the_offset() {
        assert_eq!(
            format_api_time(utc("2020-07-06T18:41:14+08:00")),
            "2020-07-06T10:41:14+0000"
        );
    }

    #[test]
    fn the_hand_written_format_is_chronos_for_every_second_of_the_range() {
        // A stride through 0000-01-01 .. 9999-12-31, and both ends.
        let first = utc("0000-01-01T00:00:00Z").timestamp();
        let last = crate::clock::LATEST.timestamp();
        let step = (last - first) / 100_003;
        let mut t = first;
        while t <= last {
            let time = DateTime::from_timestamp(t, 0).unwrap();
            assert_eq!(
                format_api_time(time),
                time.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
            );
            t += step;
        }
        assert_eq!(
            format_api_time(crate::clock::LATEST),
            "9999-12-31T23:59:59+0000"
        );
    }

    #[test]
    fn every_documented_offset_form_is_read() {
        let expected = utc("2020-07-06T02:41:14Z");
        for s in [
            "2020-07-06T10:41:14+0800",
            "2020-07-06T10:41:14 0800",
            "2020-07-06T10:41:14+08:00",
            "2020-07-06T02:41:14Z",
            "2020-07-06T02:41:14+0000",
            "2020-07-05T20:41:14-0600",
        ] {
            assert_eq!(parse_api_time(s), Some(expected), "{s}");
        }
    }

    #[test]
    fn malformed_times_are_refused() {
        for s in [
            "",
            "2020-07-06",
            "2020-07-06T10:41:14",
            "2020-13-06T10:41:14+0800",
            "2020-07-06T10:41:14+08",
            "2020-07-06 10:41:14+0800",
            "2020-07-06T10:41:14+0800x",
            "2020-07-06T10:41:1é+0800",
        ] {
            assert_eq!(parse_api_time(s), None, "{s:?}");
        }
    }

    #[test]
    fn written_times_read_back_unchanged() {
        let t = utc("2026-11-26T19:20:44Z");
        assert_eq!(parse_api_time(&format_api_time(t)), Some(t));
    }

    #[test]
    fn durations_take_ms_s_m_and_h() {
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
    }

    #[test]
    fn durations_without_a_unit_or_number_are_refused() {
        for bad in ["", "5", "s", "-1s", "1.5s", "5 s", "5w", "99999999999h"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}
