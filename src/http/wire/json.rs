//! The JSON conventions every body shares, and the hand-written writer of the hottest answer.
//!
//! Every other body is written by `serde_json` from the structs of its resource's file. The
//! create's answer is written field by field (`backups::CreateBackupResponse::to_json`): it is
//! answered once per create, and `serde_json`'s escaping loop over keys and texts that need
//! no escaping was most of what serialising it cost (`docs/benchmarks.md`). The helpers here
//! write what `serde_json` writes, a test holds them equal.

use serde::Deserialize;

/// `s` as a JSON string: as it is when nothing in it needs escaping (what `serde_json`
/// escapes: control characters, `"` and `\`), else escaped by `serde_json`.
pub(super) fn json_str(out: &mut Vec<u8>, s: &str) {
    if needs_escaping(s.as_bytes()) {
        // Writing a string into a vector cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        json_plain(out, s);
    }
}

/// Whether `bytes` hold a control character, `"` or `\`: eight bytes at a time (the usual
/// bit tricks: a byte below 0x20 is a lane that borrows when 0x20 is taken from it, an equal
/// byte one that is zero after an exclusive or), then the rest one by one.
pub(super) fn needs_escaping(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(lanes);
        let quote = zero(x ^ (ONES * u64::from(b'"')));
        let backslash = zero(x ^ (ONES * u64::from(b'\\')));
        if below(x, 0x20) | quote | backslash != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// `s`, a text of ours that needs no escaping (a time, an id of a checked shape, a status),
/// as a JSON string.
pub(super) fn json_plain(out: &mut Vec<u8>, s: &str) {
    debug_assert!(!needs_escaping(s.as_bytes()), "{s:?}");
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// A number the API types as a string, which clients send either way.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum StringOrNumber {
    Number(i64),
    Text(String),
}

impl StringOrNumber {
    /// The number; `None` for text that is not an integer.
    pub fn value(&self) -> Option<i64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(s) => s.trim().parse().ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_needs_escaping_exactly_when_it_holds_a_control_character_a_quote_or_a_backslash() {
        // Every byte value at every place of a 17-byte text (two 8-byte lanes and a rest),
        // among bytes that need none: just above 0x20, letters, and 0x80 and up.
        for fill in [b'a', b'!', 0x80, 0xff] {
            for place in 0..17 {
                for byte in 0..=255u8 {
                    let mut text = vec![fill; 17];
                    text[place] = byte;
                    let expected = byte < 0x20 || byte == b'"' || byte == b'\\';
                    assert_eq!(needs_escaping(&text), expected, "{fill} {place} {byte}");
                }
            }
        }
        assert!(!needs_escaping(b""));
    }
}
