//! `SDK-HMAC-SHA256`, the AK/SK request signature of the Huawei Cloud SDKs and API gateway.
//!
//! The canonical request is built from the raw path, the raw query, the signed headers as
//! received and the raw body bytes; the key is the SK itself (not derived from a date or
//! region). The unit tests replay every vector the real SDK signer produced.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name in `Authorization` and in the string to sign.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";

/// How far `X-Sdk-Date` may be from the emulator's clock, as at the gateway.
pub const MAX_SKEW: TimeDelta = TimeDelta::minutes(15);

/// The parts of an `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`
/// header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub access_key: String,
    /// Lower-case header names, in the order given.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl Authorization {
    /// Reads the header; `None` unless it has exactly the three parts of the SDK's format.
    pub fn parse(header: &str) -> Option<Self> {
        let rest = header.strip_prefix(ALGORITHM)?;
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let mut access_key = None;
        let mut signed_headers = None;
        let mut signature = None;
        for part in rest.trim().split(',') {
            let (key, value) = part.trim().split_once('=')?;
            if value.is_empty() || value.contains(char::is_whitespace) {
                return None;
            }
            let slot = match key {
                "Access" => &mut access_key,
                "SignedHeaders" => &mut signed_headers,
                "Signature" => &mut signature,
                _ => return None,
            };
            if slot.replace(value.to_owned()).is_some() {
                return None;
            }
        }
        let signature = signature.filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))?;
        Some(Self {
            access_key: access_key?,
            signed_headers: signed_headers?
                .split(';')
                .map(str::to_ascii_lowercase)
                .collect(),
            signature: signature.to_ascii_lowercase(),
        })
    }
}

/// Reads `X-Sdk-Date` (`20240102T030405Z`).
pub fn parse_sdk_date(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .ok()
        .filter(|_| s.len() == 16)
        .map(|t| t.and_utc())
}

/// A request as received, for signing.
pub struct Request<'a> {
    pub method: &'a str,
    /// The path as sent, still percent-encoded.
    pub path: &'a str,
    /// The query as sent, without `?`.
    pub query: &'a str,
    /// Looks up a header's value by lower-case name.
    pub header: &'a dyn Fn(&str) -> Option<&'a str>,
    pub body: &'a [u8],
}

/// Why a canonical request cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// A header named in `SignedHeaders` is not in the request.
    MissingSignedHeader(String),
    /// `X-Sdk-Content-Sha256` is not the SHA-256 of the body that came: a signature made for
    /// one body must not carry another.
    BodyHashMismatch,
}

/// What `X-Sdk-Content-Sha256` says of a body the signature does not cover.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The canonical request: method, canonical URI, canonical query, canonical headers, signed
/// header names and payload hash, joined by line breaks.
pub fn canonical_request(
    request: &Request<'_>,
    signed_headers: &[String],
) -> Result<String, SignatureError> {
    let mut headers = String::new();
    for name in signed_headers {
        let value = (request.header)(name)
            .ok_or_else(|| SignatureError::MissingSignedHeader(name.clone()))?;
        headers.push_str(name);
        headers.push(':');
        headers.push_str(value.trim());
        headers.push('\n');
    }
    // The payload hash is the body's own. A client may state it in `X-Sdk-Content-Sha256`,
    // but only truly; or state `UNSIGNED-PAYLOAD` (the Huawei SDKs do for every content type
    // but JSON), which then stands in the canonical request for a body that has bytes, as the
    // gateway's scheme and the SDK's signer have it (an empty body keeps its own hash).
    let own = body_hash(request.body);
    let payload = match (request.header)("x-sdk-content-sha256").map(str::trim) {
        Some(UNSIGNED_PAYLOAD) if !request.body.is_empty() => UNSIGNED_PAYLOAD.to_owned(),
        Some(UNSIGNED_PAYLOAD) | None => own,
        Some(given) if given.eq_ignore_ascii_case(&own) => own,
        Some(_) => return Err(SignatureError::BodyHashMismatch),
    };
    Ok(format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.to_ascii_uppercase(),
        canonical_uri(request.path),
        canonical_query(request.query),
        headers,
        signed_headers.join(";"),
        payload
    ))
}

/// The string to sign for a canonical request at `sdk_date`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{sdk_date}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    )
}

/// The signature: hex HMAC-SHA256 of the string to sign, keyed with the SK.
pub fn sign(secret_key: &str, string_to_sign: &str) -> String {
    hex(&hmac(secret_key, string_to_sign))
}

fn hmac(secret_key: &str, message: &str) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Whether `signature` (hex) is the right one, compared in constant time.
pub fn verify(secret_key: &str, string_to_sign: &str, signature: &str) -> bool {
    let Some(given) = unhex(signature) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret_key.as_bytes()).expect("HMAC takes any key length");
    mac.update(string_to_sign.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// The payload hash of a canonical request: lowercase hex SHA-256 of the raw body.
pub fn body_hash(body: &[u8]) -> String {
    hex(&Sha256::digest(body))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Percent-decodes `s` (`+` stays `+`); invalid escapes are kept as they are.
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// Percent-encodes everything but `A-Z a-z 0-9 - _ . ~`, with upper-case hex.
fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Each path segment decoded and re-encoded, always ending in `/`.
fn canonical_uri(path: &str) -> String {
    let mut uri = path
        .split('/')
        .map(|segment| percent_encode(&percent_decode(segment)))
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Every `name=value` pair decoded, sorted, re-encoded and joined with `&`.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", percent_encode(n), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    const VECTORS: &str = include_str!("../tests/data/signature-test-vectors.json");

    fn vectors() -> Vec<Value> {
        serde_json::from_str::<Value>(VECTORS).unwrap()["vectors"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn check(v: &Value, body_override: Option<&[u8]>) -> (String, String, bool) {
        let headers: Vec<(String, String)> = v["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_ascii_lowercase(),
                    h[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let lookup = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let target = v["target"].as_str().unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let auth = Authorization::parse(lookup("authorization").unwrap()).unwrap();
        let body = body_override.unwrap_or(v["body"].as_str().unwrap().as_bytes());
        let request = Request {
            method: v["method"].as_str().unwrap(),
            path,
            query,
            header: &lookup,
            body,
        };
        let canonical = canonical_request(&request, &auth.signed_headers).unwrap();
        let to_sign = string_to_sign(lookup("x-sdk-date").unwrap(), &canonical);
        let ok = verify(v["sk"].as_str().unwrap(), &to_sign, &auth.signature);
        (canonical, to_sign, ok)
    }

    #[test]
    fn every_vector_of_the_real_signer_verifies() {
        let vectors = vectors();
        assert!(vectors.len() >= 6);
        for v in &vectors {
            let name = v["name"].as_str().unwrap();
            let (canonical, to_sign, ok) = check(v, None);
            assert_eq!(
                canonical,
                v["canonical_request"].as_str().unwrap(),
                "{name}"
            );
            assert_eq!(to_sign, v["string_to_sign"].as_str().unwrap(), "{name}");
            assert!(ok, "{name}");
            let auth = Authorization::parse(v["expected_authorization"].as_str().unwrap()).unwrap();
            assert_eq!(
                sign(v["sk"].as_str().unwrap(), &to_sign),
                auth.signature,
                "{name}"
            );
        }
    }

    #[test]
    fn a_tampered_body_or_a_wrong_key_does_not_verify() {
        let v = &vectors()[0];
        let (_, _, ok) = check(v, Some(b"{\"instance_id\": \"x\"}"));
        assert!(!ok);
        let (_, to_sign, _) = check(v, None);
        let auth = Authorization::parse(v["expected_authorization"].as_str().unwrap()).unwrap();
        assert!(!verify("wrongsecret", &to_sign, &auth.signature));
        assert!(!verify(v["sk"].as_str().unwrap(), &to_sign, "zz"));
    }

    #[test]
    fn unsigned_payload_stands_for_a_body_and_an_empty_body_keeps_its_own_hash() {
        let canonical = |header: Option<&'static str>, body: &'static [u8]| {
            let lookup =
                move |name: &str| (name == "x-sdk-content-sha256").then_some(header).flatten();
            let request = Request {
                method: "POST",
                path: "/v3/p/backups/create",
                query: "",
                header: &lookup,
                body,
            };
            canonical_request(&request, &[]).map(|c| c.rsplit('\n').next().unwrap().to_owned())
        };
        assert_eq!(
            canonical(Some(UNSIGNED_PAYLOAD), b"a=1"),
            Ok("UNSIGNED-PAYLOAD".to_owned())
        );
        assert_eq!(canonical(Some(UNSIGNED_PAYLOAD), b""), Ok(body_hash(b"")));
        assert_eq!(canonical(None, b"a=1"), Ok(body_hash(b"a=1")));
        assert_eq!(
            canonical(Some("unsigned-payload"), b"a=1"),
            Err(SignatureError::BodyHashMismatch)
        );
        let other = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(
            canonical(Some(other), b"a=1"),
            Err(SignatureError::BodyHashMismatch)
        );
    }

    #[test]
    fn a_missing_signed_header_is_reported() {
        let lookup = |_: &str| None;
        let request = Request {
            method: "GET",
            path: "/",
            query: "",
            header: &lookup,
            body: b"",
        };
        assert_eq!(
            canonical_request(&request, &["host".to_owned()]),
            Err(SignatureError::MissingSignedHeader("host".to_owned()))
        );
    }

    #[test]
    fn authorization_headers_are_read_strictly() {
        let ok = "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;X-Sdk-Date, Signature=ABCDEF01";
        assert_eq!(
            Authorization::parse(ok),
            Some(Authorization {
                access_key: "AK".into(),
                signed_headers: vec!["host".into(), "x-sdk-date".into()],
                signature: "abcdef01".into(),
            })
        );
        for bad in [
            "",
            "Bearer x",
            "SDK-HMAC-SHA256",
            "SDK-HMAC-SHA256Access=AK, SignedHeaders=host, Signature=ab",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=xyz",
            "SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=host, Signature=ab",
            "SDK-HMAC-SM3 Access=AK, SignedHeaders=host, Signature=ab",
        ] {
            assert_eq!(Authorization::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sdk_dates_have_one_exact_format() {
        assert_eq!(
            parse_sdk_date("20240102T030405Z"),
            DateTime::parse_from_rfc3339("2024-01-02T03:04:05Z")
                .ok()
                .map(|t| t.with_timezone(&Utc))
        );
        for bad in [
            "2024-01-02T03:04:05Z",
            "20240102T030405",
            "20241302T030405Z",
            "",
        ] {
            assert_eq!(parse_sdk_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn paths_and_queries_are_canonicalized_as_the_sdk_does() {
        assert_eq!(
            canonical_uri("/v3/p/backups/create"),
            "/v3/p/backups/create/"
        );
        assert_eq!(canonical_uri("/a%20b/c~d"), "/a%20b/c~d/");
        assert_eq!(canonical_query("b=2&a=%2A&a=1"), "a=%2A&a=1&b=2");
        assert_eq!(canonical_query(""), "");
    }
}
