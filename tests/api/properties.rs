//! Property and fuzz-style tests: validators, random operation sequences against a model, and
//! garbage of every kind, which must always get a JSON answer below 500.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Body;
use axum::http::Method;
use proptest::prelude::*;
use serde_json::{Value, json};
use taurusdb_emulator::domain::{BackupDescription, BackupName, InstanceId, ProjectId};

use crate::helpers::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

// --- validators -----------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_name_of_the_documented_shape_is_accepted(name in "[A-Za-z][A-Za-z0-9_-]{3,63}") {
        let parsed = BackupName::parse(name.as_str()).unwrap();
        prop_assert_eq!(parsed.as_str(), name.as_str());
    }

    #[test]
    fn a_name_is_accepted_only_in_the_documented_shape(name in "\\PC{0,70}") {
        let shaped = name.len() >= 4
            && name.len() <= 64
            && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        prop_assert_eq!(BackupName::parse(name.as_str()).is_ok(), shaped);
    }

    #[test]
    fn a_description_is_accepted_unless_too_long_or_forbidden(text in "\\PC{0,300}") {
        let ok = text.chars().count() <= 256 && !text.contains(['>', '!', '<', '"', '&', '\'', '=', '\r', '\n']);
        prop_assert_eq!(BackupDescription::parse(text.as_str()).is_ok(), ok);
    }

    #[test]
    fn instance_ids_are_letters_digits_and_hyphens_up_to_64(id in "\\PC{0,70}") {
        let ok = (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        prop_assert_eq!(InstanceId::parse(&id).is_ok(), ok);
    }
}

// --- random operation sequences against a model ---------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Create { instance: usize, valid: bool },
    Delete { pick: usize, unknown: bool },
    Advance { seconds: u8 },
    Page { limit: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3_usize, prop::bool::weighted(0.9)).prop_map(|(instance, valid)| Op::Create { instance, valid }),
        2 => (any::<usize>(), prop::bool::weighted(0.2)).prop_map(|(pick, unknown)| Op::Delete { pick, unknown }),
        2 => (0..8_u8).prop_map(|seconds| Op::Advance { seconds }),
        1 => (1..5_usize).prop_map(|limit| Op::Page { limit }),
    ]
}

const INSTANCES: [&str; 3] = [
    INSTANCE,
    SECOND_INSTANCE,
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaain07",
];

/// Reads every backup by pages of `limit`, checking `total_count` on each page.
async fn read_all(app: &TestApp, limit: usize) -> Vec<Value> {
    let mut all = Vec::new();
    let mut total = None;
    loop {
        let page = app
            .list(&format!("offset={}&limit={limit}", all.len()))
            .await
            .json();
        let count = page["total_count"].as_u64().unwrap() as usize;
        assert_eq!(
            *total.get_or_insert(count),
            count,
            "total_count is the same on every page"
        );
        let backups = page["backups"].as_array().unwrap();
        assert!(backups.len() <= limit);
        if backups.is_empty() {
            assert_eq!(
                all.len(),
                count,
                "the pages hold exactly total_count backups"
            );
            return all;
        }
        all.extend(backups.iter().cloned());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_the_invariants(ops in prop::collection::vec(op(), 1..40)) {
        runtime().block_on(async {
            let fixtures = json!({"projects": [{"id": PROJECT, "instances": [
                {"id": INSTANCES[0]}, {"id": INSTANCES[1]}, {"id": INSTANCES[2], "status": "REBOOTING"}]}]});
            let app = TestApp::with_fixtures(&fixtures.to_string());
            // The model: every backup that should exist, and whether it is still building.
            let mut model: BTreeMap<String, usize> = BTreeMap::new();
            for (n, op) in ops.iter().enumerate() {
                match op {
                    Op::Create { instance, valid } => {
                        let name = if *valid { format!("backup-{n}") } else { "1nvalid".to_owned() };
                        let response = app.create(json!({"instance_id": INSTANCES[*instance], "name": name})).await;
                        match response.status.as_u16() {
                            201 => {
                                assert!(*valid && *instance != 2);
                                let id = response.json()["backup"]["id"].as_str().unwrap().to_owned();
                                assert!(model.insert(id, *instance).is_none(), "a fresh id");
                            }
                            400 => assert!(!*valid),
                            409 => assert!(*instance == 2 || model.values().any(|i| i == instance)),
                            other => panic!("unexpected {other}: {}", response.text),
                        }
                    }
                    Op::Delete { pick, unknown } => {
                        let id = if *unknown || model.is_empty() {
                            "00000000000000000000000000000000br07".to_owned()
                        } else {
                            model.keys().nth(pick % model.len()).unwrap().clone()
                        };
                        let response = app.delete(&id).await;
                        match response.status.as_u16() {
                            200 => { assert!(model.remove(&id).is_some()); }
                            404 => assert!(!model.contains_key(&id)),
                            400 => assert_eq!(app.backup(&id).await["status"], "BUILDING"),
                            other => panic!("unexpected {other}: {}", response.text),
                        }
                    }
                    Op::Advance { seconds } => {
                        app.advance(f64::from(*seconds)).await;
                    }
                    Op::Page { limit } => {
                        read_all(&app, *limit).await;
                    }
                }
                // After every step: nothing lost, nothing twice, at most one BUILDING per instance.
                let listed = read_all(&app, 100).await;
                let ids: Vec<&str> = listed.iter().map(|b| b["id"].as_str().unwrap()).collect();
                let unique: BTreeSet<&str> = ids.iter().copied().collect();
                assert_eq!(unique.len(), ids.len(), "no backup is listed twice");
                assert_eq!(unique, model.keys().map(String::as_str).collect::<BTreeSet<_>>());
                let mut building = BTreeSet::new();
                for b in &listed {
                    if b["status"] == "BUILDING" {
                        assert!(building.insert(b["instance_id"].as_str().unwrap().to_owned()), "one BUILDING per instance");
                    }
                }
                // Each instance's used space is the sum of its backups' sizes.
                for instance in INSTANCES {
                    let mb: u64 = listed.iter().filter(|b| b["instance_id"] == instance).map(|b| b["size"].as_u64().unwrap()).sum();
                    let shown = app.get(&format!("/v3/{PROJECT}/instances/{instance}")).await.json();
                    assert_eq!(shown["instance"]["backup_used_space"].as_f64().unwrap(), (mb as f64 / 1024.0 * 100.0).round() / 100.0);
                }
                // The dashboard's newest jobs are the newest of all jobs, deleted backups' included.
                let project = ProjectId::from_path(PROJECT);
                let all = app.emulator.store.state_view(Some(&project), app.now(), None).remove(0);
                for limit in [1, 3, 10] {
                    let newest = app.emulator.store.state_view(Some(&project), app.now(), Some(limit)).remove(0);
                    let mut expected = all.jobs.clone();
                    expected.reverse();
                    expected.truncate(limit);
                    assert_eq!(newest.jobs, expected, "newest {limit} jobs");
                    assert_eq!(newest.job_count, all.jobs.len());
                    assert_eq!(newest.backup_count, model.len());
                }
            }
        });
    }
}

// --- garbage in, JSON out -------------------------------------------------------------------

fn assert_json_answer(response: &TestResponse, what: &str) {
    assert!(
        response.status.as_u16() < 500,
        "{what}: {} {}",
        response.status,
        response.text
    );
    let body: Value = serde_json::from_str(&response.text)
        .unwrap_or_else(|_| panic!("{what}: not JSON: {:?}", response.text));
    if !response.status.is_success() {
        let object = body.as_object().unwrap();
        assert!(
            object["error_code"].is_string() && object["error_msg"].is_string(),
            "{what}: {body}"
        );
    }
    assert!(response.headers.contains_key("x-request-id"));
}

const BODY_ENDPOINTS: [(&str, &str); 8] = [
    (
        "POST",
        "/v3/619d3e78f61b4be68bc5aa0b59edcf7b/backups/create",
    ),
    (
        "PUT",
        "/v3/619d3e78f61b4be68bc5aa0b59edcf7b/instances/07033b125fd94a8a96896f8bcfee6ddain07/backups/policy/update",
    ),
    ("POST", "/_emulator/fixtures"),
    ("POST", "/_emulator/clock/advance"),
    ("PUT", "/_emulator/lifecycle"),
    ("POST", "/_emulator/faults/requests"),
    ("POST", "/_emulator/faults/backups"),
    ("POST", "/_emulator/backups/x/fail"),
];

fn garbage_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        "\\PC{0,200}".prop_map(String::into_bytes),
        // JSON-ish: right keys, wrong everything else.
        (any::<i64>(), "\\PC{0,20}", any::<f64>()).prop_map(|(n, s, f)| {
            json!({"instance_id": n, "name": s, "description": f, "seconds": f,
                   "backup_policy": {"keep_days": s, "start_time": n, "period": f}})
            .to_string()
            .into_bytes()
        }),
        Just(b"[".repeat(5000)),
        Just(br#"{"seconds": 1e400}"#.to_vec()),
        Just(br#"{"instance_id": "\ud800", "name": "backup-1"}"#.to_vec()),
        Just(vec![0xff, 0xfe, b'{', b'}']),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_body_gets_a_json_answer(
        endpoint in 0..BODY_ENDPOINTS.len(),
        body in garbage_body(),
        content_type in prop_oneof![
            Just("application/json".to_owned()),
            Just("text/plain".to_owned()),
            Just("application/json; charset=latin1".to_owned()),
            "\\PC{0,20}",
        ],
    ) {
        runtime().block_on(async {
            let app = TestApp::new();
            let (method, path) = BODY_ENDPOINTS[endpoint];
            let mut headers = vec![("x-auth-token", TOKEN)];
            if axum::http::HeaderValue::from_str(&content_type).is_ok() {
                headers.push(("content-type", content_type.as_str()));
            }
            let response = app.raw(Method::from_bytes(method.as_bytes()).unwrap(), path, &headers, body).await;
            assert_json_answer(&response, path);
        });
    }

    #[test]
    fn any_path_query_method_and_token_gets_a_json_answer(
        segments in prop::collection::vec("[A-Za-z0-9%._~!$&'()*+,;=:@-]{0,12}", 0..6),
        query in "[A-Za-z0-9%&=+._~-]{0,40}",
        method in prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("DELETE"), Just("PATCH"), Just("OPTIONS"), Just("BREW")],
        token in "[ -~]{0,40}",
        signed in any::<bool>(),
        legacy in any::<bool>(),
    ) {
        runtime().block_on(async {
            let app = TestApp::strict();
            let prefix = if legacy { "/mysql/v3" } else { "/v3" };
            let uri = format!("{prefix}/{}?{query}", segments.join("/"));
            let Ok(uri) = uri.parse::<axum::http::Uri>() else { return };
            let mut headers = vec![("x-auth-token", token.as_str())];
            let authorization = format!("SDK-HMAC-SHA256 Access={token}, SignedHeaders=host, Signature=00");
            if signed {
                headers = vec![("authorization", authorization.as_str()), ("x-sdk-date", "20260424T101957Z"), ("host", "x")];
            }
            let response = app.raw(Method::from_bytes(method.as_bytes()).unwrap(), &uri.to_string(), &headers, Body::empty()).await;
            assert_json_answer(&response, &uri.to_string());
        });
    }

    #[test]
    fn any_backup_list_query_gets_a_json_answer(
        params in prop::collection::vec(
            (prop_oneof![Just("limit"), Just("offset"), Just("begin_time"), Just("end_time"), Just("backup_type"), Just("instance_id"), Just("backup_id")],
             "[ -~]{0,30}"), 0..5),
    ) {
        runtime().block_on(async {
            let app = TestApp::new();
            let query: String = params
                .iter()
                .map(|(k, v)| format!("{k}={}", v.bytes().map(|b| format!("%{b:02X}")).collect::<String>()))
                .collect::<Vec<_>>()
                .join("&");
            let response = app.list(&query).await;
            assert_json_answer(&response, &query);
        });
    }
}
