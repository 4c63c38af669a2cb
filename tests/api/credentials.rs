//! AK/SK signatures and the emulator's IAM, over HTTP.

use axum::body::Body;
use axum::http::Method;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use taurusdb_emulator::Settings;
use taurusdb_emulator::config::AuthMode;
use taurusdb_emulator::signature;

use crate::helpers::*;

const AK: &str = "TESTAK0000000000";
const SK: &str = "testsecret";
const HOST: &str = "127.0.0.1:18080";

fn fixtures_with_credentials() -> String {
    json!({"projects": [
        {"id": PROJECT, "name": "eu-de", "tokens": [TOKEN],
         "credentials": [{"ak": AK, "sk": SK}],
         "users": [{"name": "testuser", "password": "testpass", "domain": "OTC0001"}],
         "instances": [{"id": INSTANCE, "name": "taurusdb-instance01"}]},
        {"id": OTHER_PROJECT, "name": "eu-nl", "tokens": [OTHER_TOKEN],
         "credentials": [{"ak": "OTHERAK", "sk": "othersecret"}],
         "instances": [{"id": OTHER_INSTANCE}]}
    ]})
    .to_string()
}

fn app(mode: AuthMode) -> TestApp {
    TestApp::with_fixtures_and_settings(
        &fixtures_with_credentials(),
        Settings {
            auth: mode,
            ..Settings::default()
        },
    )
}

fn sdk_date(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Signs a request as the Huawei SDK does: headers content-type, host, user-agent,
/// x-project-id, x-sdk-date.
fn signed_headers(
    method: &str,
    target: &str,
    body: &str,
    ak: &str,
    sk: &str,
    date: &str,
) -> Vec<(&'static str, String)> {
    let headers = vec![
        ("content-type", "application/json;charset=utf-8".to_owned()),
        ("host", HOST.to_owned()),
        ("user-agent", "huaweicloud-usdk-python/3.0".to_owned()),
        ("x-project-id", PROJECT.to_owned()),
        ("x-sdk-date", date.to_owned()),
    ];
    let lookup = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let names: Vec<String> = headers.iter().map(|(n, _)| n.to_string()).collect();
    let canonical = signature::canonical_request(
        &signature::Request {
            method,
            path,
            query,
            header: &lookup,
            body: body.as_bytes(),
        },
        &names.join(";"),
    )
    .unwrap();
    let sig = signature::sign(sk, &signature::string_to_sign(date, &canonical));
    let mut all = headers.clone();
    all.push((
        "authorization",
        format!(
            "SDK-HMAC-SHA256 Access={ak}, SignedHeaders={}, Signature={sig}",
            names.join(";")
        ),
    ));
    all
}

async fn send_signed(
    app: &TestApp,
    method: Method,
    target: &str,
    body: &str,
    headers: Vec<(&'static str, String)>,
) -> TestResponse {
    let refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    app.raw(method, target, &refs, body.to_owned()).await
}

fn create_body() -> String {
    json!({"instance_id": INSTANCE, "name": "signed-1"}).to_string()
}

fn create_target() -> String {
    format!("/v3/{PROJECT}/backups/create")
}

/// The headers of the create request signed with `ak` and `sk` at `date`.
fn signed_create(ak: &str, sk: &str, date: &str) -> Vec<(&'static str, String)> {
    signed_headers("POST", &create_target(), &create_body(), ak, sk, date)
}

/// Sends the create request with these headers and `body`.
async fn send_create(
    app: &TestApp,
    headers: Vec<(&'static str, String)>,
    body: &str,
) -> TestResponse {
    send_signed(app, Method::POST, &create_target(), body, headers).await
}

#[tokio::test]
async fn strict_auth_accepts_a_correct_signature() {
    let app = app(AuthMode::Strict);
    let date = sdk_date(app.now());
    let headers = signed_create(AK, SK, &date);
    let response = send_create(&app, headers, &create_body()).await;
    assert_eq!(response.status.as_u16(), 201, "{}", response.text);
    let list = format!("/v3/{PROJECT}/backups?instance_id={INSTANCE}&limit=10");
    let headers = signed_headers("GET", &list, "", AK, SK, &date);
    let response = send_signed(&app, Method::GET, &list, "", headers).await;
    assert_eq!(response.json()["total_count"], 1);
}

async fn assert_refused(app: &TestApp, headers: Vec<(&'static str, String)>, body: &str) {
    let response = send_create(app, headers, body).await;
    assert_eq!(response.status.as_u16(), 401, "{}", response.text);
    assert_eq!(
        response.json(),
        json!({"error_code": "APIGW.0301",
               "error_msg": "Incorrect IAM authentication information: verify aksk signature fail",
               "request_id": response.request_id()})
    );
}

#[tokio::test]
async fn strict_auth_refuses_a_wrong_secret_key() {
    let app = app(AuthMode::Strict);
    let date = sdk_date(app.now());
    let headers = signed_create(AK, "wrongsecret", &date);
    assert_refused(&app, headers, &create_body()).await;
}

#[tokio::test]
async fn strict_auth_refuses_a_tampered_body() {
    let app = app(AuthMode::Strict);
    let date = sdk_date(app.now());
    let headers = signed_create(AK, SK, &date);
    let tampered = json!({"instance_id": INSTANCE, "name": "tampered"}).to_string();
    assert_refused(&app, headers, &tampered).await;
}

#[tokio::test]
async fn strict_auth_refuses_a_date_more_than_15_minutes_off() {
    let app = app(AuthMode::Strict);
    for off in [TimeDelta::minutes(16), TimeDelta::minutes(-16)] {
        let date = sdk_date(app.now() + off);
        let headers = signed_create(AK, SK, &date);
        assert_refused(&app, headers, &create_body()).await;
    }
    // 14 minutes is within the gateway's allowance.
    let date = sdk_date(app.now() - TimeDelta::minutes(14));
    let headers = signed_create(AK, SK, &date);
    let response = send_create(&app, headers, &create_body()).await;
    assert_eq!(response.status.as_u16(), 201);
}

#[tokio::test]
async fn strict_auth_refuses_an_unknown_key_a_missing_signed_header_and_a_bad_header() {
    let app = app(AuthMode::Strict);
    let date = sdk_date(app.now());
    let headers = signed_create("NOSUCHAK", SK, &date);
    assert_refused(&app, headers, &create_body()).await;
    let mut headers = signed_create(AK, SK, &date);
    headers.retain(|(n, _)| *n != "user-agent");
    assert_refused(&app, headers, &create_body()).await;
    let mut headers = signed_create(AK, SK, &date);
    headers.retain(|(n, _)| *n != "authorization");
    headers.push(("authorization", "SDK-HMAC-SHA256 Access=AK".to_owned()));
    assert_refused(&app, headers, &create_body()).await;
}

#[tokio::test]
async fn an_access_key_of_one_project_is_refused_on_another() {
    let app = app(AuthMode::Strict);
    let date = sdk_date(app.now());
    let target = format!("/v3/{OTHER_PROJECT}/backups");
    let headers = signed_headers("GET", &target, "", AK, SK, &date);
    send_signed(&app, Method::GET, &target, "", headers)
        .await
        .assert_error(403, "DBS.280056", "Invalid token.");
}

#[tokio::test]
async fn loose_auth_accepts_any_well_formed_signature() {
    let app = app(AuthMode::Loose);
    let date = sdk_date(app.now());
    let headers = signed_create("ANYAK", "anysecret", &date);
    let response = send_create(&app, headers, &create_body()).await;
    assert_eq!(response.status.as_u16(), 201);
    let mut headers = signed_create("ANYAK", "x", &date);
    headers.retain(|(n, _)| *n != "x-sdk-date");
    assert_refused(&app, headers, &create_body()).await;
}

#[tokio::test]
async fn every_response_carries_both_request_id_headers() {
    let app = TestApp::new();
    for response in [app.list("").await, app.get("/nowhere").await] {
        assert_eq!(
            response.headers.get("x-openstack-request-id").unwrap(),
            response.headers.get("x-request-id").unwrap()
        );
    }
}

// --- IAM ------------------------------------------------------------------------------------

fn password_request(user: &str, password: &str, scope: Value) -> Value {
    json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "password": password, "domain": {"name": "OTC0001"}}}},
        "scope": {"project": scope}}})
}

async fn get_token(app: &TestApp, body: Value) -> TestResponse {
    app.raw(
        Method::POST,
        "/v3/auth/tokens",
        &[("content-type", "application/json"), ("host", HOST)],
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn a_user_gets_a_token_whose_catalog_points_at_the_emulator() {
    let app = app(AuthMode::Strict);
    let response = get_token(
        &app,
        password_request("testuser", "testpass", json!({"id": PROJECT})),
    )
    .await;
    assert_eq!(response.status.as_u16(), 201, "{}", response.text);
    let token = response
        .headers
        .get("x-subject-token")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.json()["token"].clone();
    assert_eq!(body["project"]["id"], PROJECT);
    assert_eq!(body["project"]["name"], "eu-de");
    assert_eq!(body["methods"], json!(["password"]));
    assert_eq!(body["issued_at"], "2026-04-24T10:19:57.000000Z");
    assert_eq!(body["expires_at"], "2026-04-25T10:19:57.000000Z");
    let gaussdb = body["catalog"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "gaussdb-mysql")
        .unwrap();
    assert_eq!(gaussdb["endpoints"][0]["url"], format!("http://{HOST}/v3"));
    assert_eq!(gaussdb["endpoints"][0]["interface"], "public");
    // The VPC service, for the network look-ups: clients add `v1/` or `v2.0/`.
    let network = body["catalog"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "network")
        .unwrap();
    assert_eq!(network["endpoints"][0]["url"], format!("http://{HOST}/"));
    assert_eq!(network["endpoints"][0]["region"], "eu-de");
    // The token works on its project's paths until it expires, 24 h later.
    let list = |t: String| {
        let app = &app;
        async move {
            app.raw(
                Method::GET,
                &format!("/v3/{PROJECT}/backups"),
                &[("x-auth-token", &t)],
                Body::empty(),
            )
            .await
        }
    };
    assert_eq!(list(token.clone()).await.status.as_u16(), 200);
    let other = app
        .raw(
            Method::GET,
            &format!("/v3/{OTHER_PROJECT}/backups"),
            &[("x-auth-token", &token)],
            Body::empty(),
        )
        .await;
    other.assert_error(403, "DBS.280056", "Invalid token.");
    app.advance(24.0 * 3600.0).await;
    assert_eq!(list(token).await.status.as_u16(), 401);
}

#[tokio::test]
async fn the_catalog_holds_the_block_storage_entry_gophertelekomcloud_finds_taurusdb_by() {
    let app = app(AuthMode::Strict);
    let body = get_token(
        &app,
        password_request("testuser", "testpass", json!({"id": PROJECT})),
    )
    .await
    .json();
    let volume = body["token"]["catalog"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == "volumev2")
        .unwrap()["endpoints"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    // The SDK's rule (openstack.NewTaurusDBV3): the first "v2" becomes "v3", "evs" the
    // service's name.
    let derived = volume
        .replacen("v2", "v3", 1)
        .replacen("evs", "gaussdb-mysql", 1);
    assert_eq!(derived, format!("http://{HOST}/v3/{PROJECT}"));
}

#[tokio::test]
async fn a_domain_scoped_token_names_the_domain_and_opens_no_project_api() {
    let app = app(AuthMode::Strict);
    let scoped = |domain: Value| {
        json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "testuser", "password": "testpass", "domain": {"name": "OTC0001"}}}},
            "scope": {"domain": domain}}})
    };
    let response = get_token(&app, scoped(json!({"name": "OTC0001"}))).await;
    assert_eq!(response.status.as_u16(), 201, "{}", response.text);
    let token = response.json()["token"].clone();
    assert_eq!(
        token["domain"],
        json!({"id": "OTC0001-id", "name": "OTC0001"})
    );
    assert!(token.get("project").is_none());
    let services: Vec<&str> = token["catalog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["identity"]);
    assert_eq!(
        token["catalog"][0]["endpoints"][0]["url"],
        format!("http://{HOST}/v3")
    );
    let subject = response.headers["x-subject-token"].to_str().unwrap();
    let list = app
        .raw(
            Method::GET,
            &format!("/v3/{PROJECT}/backups"),
            &[("x-auth-token", subject)],
            Body::empty(),
        )
        .await;
    assert_eq!(list.status.as_u16(), 401, "{}", list.text);
    // By the id token bodies report it under; another domain is refused.
    assert_eq!(
        get_token(&app, scoped(json!({"id": "OTC0001-id"})))
            .await
            .status
            .as_u16(),
        201
    );
    let foreign = get_token(&app, scoped(json!({"name": "OTC0002"}))).await;
    assert_eq!(
        foreign.json(),
        json!({"error": {"code": 401, "message": "The request you have made requires authentication.",
                         "title": "Unauthorized"}})
    );
}

#[tokio::test]
async fn wrong_passwords_and_foreign_scopes_are_401_in_keystones_shape() {
    let app = app(AuthMode::Strict);
    for body in [
        password_request("testuser", "wrong", json!({"id": PROJECT})),
        password_request("nobody", "testpass", json!({"id": PROJECT})),
        password_request("testuser", "testpass", json!({"id": OTHER_PROJECT})),
        password_request("testuser", "testpass", json!({"name": "eu-nl"})),
    ] {
        let response = get_token(&app, body).await;
        assert_eq!(response.status.as_u16(), 401);
        assert_eq!(
            response.json(),
            json!({"error": {"code": 401, "message": "The request you have made requires authentication.",
                             "title": "Unauthorized"}})
        );
    }
    let response = get_token(&app, json!({"auth": {}})).await;
    assert_eq!(response.status.as_u16(), 400);
    assert_eq!(response.json()["error"]["title"], "Bad Request");
}

#[tokio::test]
async fn a_token_can_be_exchanged_and_scoped_by_project_name() {
    let app = app(AuthMode::Strict);
    let body = json!({"auth": {"identity": {"methods": ["token"], "token": {"id": TOKEN}},
                                "scope": {"project": {"name": "eu-de"}}}});
    let response = get_token(&app, body).await;
    assert_eq!(response.status.as_u16(), 201);
    assert_eq!(response.json()["token"]["project"]["id"], PROJECT);
    let no_catalog = app
        .raw(
            Method::POST,
            "/v3/auth/tokens?nocatalog=true",
            &[("content-type", "application/json")],
            password_request("testuser", "testpass", json!({"id": PROJECT})).to_string(),
        )
        .await;
    assert!(no_catalog.json()["token"].get("catalog").is_none());
}

#[tokio::test]
async fn loose_iam_gives_anyone_a_token() {
    let app = app(AuthMode::Loose);
    let response = get_token(
        &app,
        password_request("who", "ever", json!({"id": OTHER_PROJECT})),
    )
    .await;
    assert_eq!(response.status.as_u16(), 201);
    assert_eq!(response.json()["token"]["project"]["name"], "eu-nl");
}

#[tokio::test]
async fn projects_are_found_by_name_for_the_signing_sdk() {
    let app = app(AuthMode::Strict);
    let date = sdk_date(app.now());
    let target = "/v3/projects?name=eu-de";
    let headers = signed_headers("GET", target, "", AK, SK, &date);
    let response = send_signed(&app, Method::GET, target, "", headers).await;
    assert_eq!(response.status.as_u16(), 200, "{}", response.text);
    let projects = response.json()["projects"].clone();
    assert_eq!(projects.as_array().unwrap().len(), 1);
    assert_eq!(projects[0]["id"], PROJECT);
    assert_eq!(projects[0]["name"], "eu-de");
    // Another project's name is not visible to this key.
    let target = "/v3/projects?name=eu-nl";
    let headers = signed_headers("GET", target, "", AK, SK, &date);
    let response = send_signed(&app, Method::GET, target, "", headers).await;
    assert_eq!(response.json()["projects"], json!([]));
    let anonymous = app
        .raw(Method::GET, "/v3/projects?name=eu-de", &[], Body::empty())
        .await;
    assert_eq!(anonymous.status.as_u16(), 401);
}

#[tokio::test]
async fn a_signature_for_one_body_does_not_carry_another_through_x_sdk_content_sha256() {
    // Before: the header's hash was trusted, so a request signed for an empty body created a
    // backup from whatever body came with it.
    let app = app(AuthMode::Strict);
    let date = sdk_date(app.now());
    let mut headers = signed_headers("POST", &create_target(), "", AK, SK, &date);
    let empty_body_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    headers.push(("x-sdk-content-sha256", empty_body_hash.to_owned()));
    assert_refused(&app, headers, &create_body()).await;
    // Stated truly, the header is fine.
    let mut headers = signed_create(AK, SK, &date);
    headers.push((
        "x-sdk-content-sha256",
        signature::body_hash(create_body().as_bytes()),
    ));
    assert_eq!(send_create(&app, headers, &create_body()).await.status, 201);
}
