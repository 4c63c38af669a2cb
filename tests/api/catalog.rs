//! The catalogue from a fixtures file: its flavors, engine versions and templates replace the
//! built-in ones in every list and in every rule that reads them (creation, resize), survive a
//! snapshot and the state file, and come back as they started on a reset.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

/// A catalogue of one flavor sold only in the first zone, and a second, an engine version and
/// a template of a test's own.
fn catalog() -> Value {
    json!({
        "flavors": [
            {"id": "flavor-small", "spec_code": "test.small", "vcpus": 1, "ram": "2",
             "max_connections": 100, "az_status": ["normal", "unsupported", "unsupported"]},
            {"spec_code": "test.big", "vcpus": "96", "ram": 768}
        ],
        "engine_versions": [
            {"id": "version-1", "name": "8.0", "version": "8.0.30", "kernel_version": "2.0.57.240900"}
        ],
        "templates": [
            {"id": "template-1", "name": "Mine", "description": "a test's template",
             "created": "2026-01-02T03:04:05Z", "user_defined": true}
        ]
    })
}

fn fixtures_with(catalog: Value) -> String {
    json!({
        "catalog": catalog,
        "projects": [{"id": PROJECT, "name": "eu-de", "tokens": [TOKEN], "instances": [
            {"id": INSTANCE, "name": "taurusdb-instance01", "flavor_ref": "test.small"}
        ]}]
    })
    .to_string()
}

fn create_body(flavor: &str) -> Value {
    instance_body("custom", json!({ "flavor_ref": flavor }))
}

impl TestApp {
    async fn catalog_lists(&self) -> (Value, Value, Value) {
        let flavors = self
            .get(&format!(
                "/v3/{PROJECT}/flavors/gaussdb-mysql?availability_zone_mode=single"
            ))
            .await
            .json();
        let versions = self
            .get(&format!("/v3/{PROJECT}/datastores/gaussdb-mysql"))
            .await
            .json();
        let templates = self
            .get(&format!("/v3/{PROJECT}/configurations"))
            .await
            .json();
        (flavors, versions, templates)
    }
}

#[tokio::test]
async fn the_fixtures_catalogue_is_what_the_lists_show() {
    let app = TestApp::with_fixtures(&fixtures_with(catalog()));
    let (flavors, versions, templates) = app.catalog_lists().await;
    assert_eq!(
        flavors["flavors"][0],
        json!({"id": "flavor-small", "spec_code": "test.small", "vcpus": "1", "ram": "2",
               "type": "x86", "version_name": "8.0", "instance_mode": "Cluster",
               "az_status": {"eu-de-01": "normal", "eu-de-02": "unsupported", "eu-de-03": "unsupported"}})
    );
    let big = &flavors["flavors"][1];
    assert_eq!((&big["vcpus"], &big["ram"]), (&json!("96"), &json!("768")));
    assert!(
        uuid::Uuid::parse_str(big["id"].as_str().unwrap()).is_ok(),
        "an id left out is derived: {big}"
    );
    assert_eq!(flavors["flavors"].as_array().unwrap().len(), 2);
    assert_eq!(
        versions,
        json!({"datastores": [{"id": "version-1", "name": "8.0", "version": "8.0.30",
                               "kernel_version": "2.0.57.240900"}]})
    );
    assert_eq!(templates["total_count"], 1);
    assert_eq!(
        templates["configurations"][0],
        json!({"id": "template-1", "name": "Mine", "description": "a test's template",
               "datastore_version_name": "8.0", "datastore_name": "GaussDB(for MySQL)",
               "created": "2026-01-02T03:04:05+0000", "updated": "2026-01-02T03:04:05+0000",
               "user_defined": true})
    );

    // The fixtures' instance reads its flavor's numbers and connections.
    let parameters = app
        .get(&format!(
            "/v3/{PROJECT}/instances/{INSTANCE}/configurations"
        ))
        .await
        .json();
    let max = parameters["parameter_values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "max_connections")
        .unwrap()
        .clone();
    assert_eq!(max["value"], "100");
    let details = app
        .get(&format!("/v3/{PROJECT}/instances/{INSTANCE}"))
        .await
        .json();
    assert_eq!(details["instance"]["nodes"][0]["flavor_id"], "flavor-small");
}

#[tokio::test]
async fn creation_and_resize_take_the_fixtures_flavors_and_refuse_the_built_in_ones() {
    let app = TestApp::with_fixtures(&fixtures_with(catalog()));
    app.api(
        Method::POST,
        "/instances",
        Some(create_body("gaussdb.mysql.xlarge.x86.8")),
    )
    .await
    .assert_error(400, "DBS.280434", "Invalid specification code.");
    let created = app
        .api(Method::POST, "/instances", Some(create_body("test.big")))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.json()["instance"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let details = app
        .get(&format!("/v3/{PROJECT}/instances/{id}"))
        .await
        .json();
    let node = &details["instance"]["nodes"][0];
    assert_eq!(
        (&node["vcpus"], &node["ram"], &node["max_connections"]),
        (&json!("96"), &json!("768"), &json!("10000"))
    );
    assert_eq!(
        details["instance"]["datastore"]["version"], "8.0.30",
        "8.0 is the catalogue's full version"
    );

    // The big flavor is sold in every zone, the small one only in the first: a resize of an
    // instance in the first zone to it is taken.
    let resize = |flavor: &str| json!({"resize_flavor": {"spec_code": flavor}});
    let path = format!("/instances/{id}/action");
    app.advance(3600.0).await;
    let response = app
        .api(
            Method::POST,
            &path,
            Some(resize("gaussdb.mysql.2xlarge.x86.8")),
        )
        .await;
    response.assert_error(400, "DBS.280434", "Invalid specification code.");
    let response = app
        .api(Method::POST, &path, Some(resize("test.small")))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    app.advance(3600.0).await;
    let details = app
        .get(&format!("/v3/{PROJECT}/instances/{id}"))
        .await
        .json();
    let node = &details["instance"]["nodes"][0];
    assert_eq!(
        (
            &node["flavor_ref"],
            &node["vcpus"],
            &node["ram"],
            &node["flavor_id"]
        ),
        (
            &json!("test.small"),
            &json!("1"),
            &json!("2"),
            &json!("flavor-small")
        )
    );
}

#[tokio::test]
async fn the_catalogue_survives_a_snapshot_and_a_reset_brings_back_the_starting_one() {
    let app = TestApp::new();
    let builtin = app.catalog_lists().await;

    // Posted at run time: only the lists given are replaced.
    let posted = json!({"catalog": {"templates": catalog()["templates"]}, "projects": []});
    let response = app
        .control_post("/_emulator/fixtures", &posted.to_string())
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    let (flavors, versions, templates) = app.catalog_lists().await;
    assert_eq!((&flavors, &versions), (&builtin.0, &builtin.1));
    assert_eq!(templates["configurations"][0]["id"], "template-1");

    let snapshot = app.get("/_emulator/snapshot").await.json();
    TestApp::assert_a_reset_returns_to(&snapshot).await;
    assert_eq!(
        snapshot["catalog"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["templates"],
        "a snapshot writes the lists that differ from the built-in ones"
    );

    app.control_post("/_emulator/reset", "{}").await;
    assert_eq!(app.catalog_lists().await, builtin);
    let snapshot_after = app.get("/_emulator/snapshot").await.json();
    assert!(snapshot_after.get("catalog").is_none(), "{snapshot_after}");

    // The snapshot posted back restores the catalogue it wrote.
    let response = app
        .control_post("/_emulator/fixtures", &snapshot.to_string())
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    assert_eq!(app.catalog_lists().await.2, templates);

    // A snapshot of a whole custom catalogue builds the same emulator.
    let custom = TestApp::with_fixtures(&fixtures_with(catalog()));
    let written = custom.get("/_emulator/snapshot").await.json();
    TestApp::assert_a_reset_returns_to(&written).await;
    let again = TestApp::with_fixtures(&written.to_string());
    assert_eq!(again.catalog_lists().await, custom.catalog_lists().await);
}

#[test]
fn a_catalogue_that_breaks_a_rule_is_refused_with_the_key_that_breaks_it() {
    let refused = |catalog: Value| {
        taurusdb_emulator::fixtures::Fixtures::parse(&fixtures_with(catalog)).unwrap_err()
    };
    let flavor = |extra: Value| {
        let mut f = json!({"spec_code": "x", "vcpus": 1, "ram": 1});
        f.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({"flavors": [f]})
    };
    assert_eq!(
        refused(json!({"flavors": []})),
        "catalog.flavors: 1 to 1000 entries"
    );
    assert_eq!(
        refused(flavor(json!({"vcpus": 0}))),
        "catalog.flavors[0].vcpus: a whole number from 1 to 1024"
    );
    assert_eq!(
        refused(flavor(json!({"ram": "lots"}))),
        "catalog.flavors[0].ram: a whole number from 1 to 65536"
    );
    assert_eq!(
        refused(flavor(json!({"az_status": ["normal"]}))),
        "catalog.flavors[0].az_status: one status for each of the three zones"
    );
    assert_eq!(
        refused(flavor(json!({"az_status": ["normal", "sold", "normal"]}))),
        "catalog.flavors[0].az_status: each is normal or unsupported"
    );
    assert!(
        refused(flavor(json!({"spec_code": "x".repeat(65)})))
            .starts_with("catalog.flavors[0].spec_code: 1 to 64 characters")
    );
    assert_eq!(
        refused(json!({"flavors": [
            {"spec_code": "x", "vcpus": 1, "ram": 1},
            {"spec_code": "x", "vcpus": 2, "ram": 2}]})),
        format!("catalog.flavors[1].id: {:?} is listed twice", derived("x"))
    );
    assert_eq!(
        refused(json!({"templates": [{"id": "t", "name": "n", "created": "yesterday"}]})),
        "catalog.templates[0].created: \"yesterday\" is not a time like 2019-05-27T03:38:51+0000"
    );
    assert!(
        refused(json!({"flavour": []})).contains("unknown field `flavour`"),
        "a typo is reported"
    );
    // A job of the file may resize to a flavor of the file's catalogue, not to another.
    let with_job = |flavor: &str| {
        json!({
            "catalog": catalog(),
            "projects": [{"id": PROJECT, "instances": [{"id": INSTANCE}], "jobs": [
                {"id": "0a1b2c3d-0000-4000-8000-000000000001", "instance_id": INSTANCE,
                 "type": "resize_flavor", "flavor_ref": flavor, "status": "Running",
                 "created": "2026-04-24T10:00:00Z"}]}]
        })
        .to_string()
    };
    assert!(taurusdb_emulator::fixtures::Fixtures::parse(&with_job("test.big")).is_ok());
    assert!(
        taurusdb_emulator::fixtures::Fixtures::parse(&with_job("gaussdb.mysql.xlarge.x86.8"))
            .unwrap_err()
            .contains("flavor_ref")
    );
}

/// The id a flavor listed without one takes: derived from its spec code.
fn derived(spec_code: &str) -> String {
    taurusdb_emulator::domain::ids::derived_uuid(spec_code, 0)
}
