//! The API's time format.
//!
//! The documentation gives `yyyy-mm-ddThh:mm:ssZ` where `Z` is a numeric offset without a
//! colon (`2020-07-07T01:17:05+0800`). The emulator writes UTC (`+0000`) and reads every
//! variant a client may send in a query: `+hhmm`, `-hhmm`, `+hh:mm`, a literal `Z`, and a space
//! where form decoding turned an unescaped `+` into one.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};

/// Formats a time as the API does, in UTC: `2026-04-24T10:19:57+0000`. Written digit by
/// digit: it runs for every time of every answer, where `format!` costs ten times as much.
pub fn format_api_time(t: DateTime<Utc>) -> String {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return format!(
            "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}+0000",
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
    }
    let mut out = *b"0000-00-00T00:00:00+0000";
    let year = year as u32;
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
    String::from_utf8_lossy(&out).into_owned()
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
}
