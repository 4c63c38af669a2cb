//! The network look-ups a TaurusDB configuration makes (VPC API v1, Networking v2): the
//! built-in VPC, subnet and security group of every project, more from fixtures, and the
//! creation of an instance checked against them.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;

const VPC: &str = "3cedfc54-b105-4652-a4e0-847b11576b58";
const SUBNET: &str = "c1cfa53c-65d3-431e-8552-326bf310c7ad";
const GROUP: &str = "ee83dccd-4e82-4bdb-ae84-5ccd4e83d55b";

async fn ok(app: &TestApp, uri: &str) -> Value {
    let response = app.get(uri).await;
    assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.text);
    response.json()
}

fn creation(vpc: &str, subnet: &str, group: Option<&str>) -> Value {
    let mut body = json!({
        "name": "placed", "region": "eu-de",
        "datastore": {"type": "gaussdb-mysql", "version": "8.0"},
        "mode": "Cluster", "flavor_ref": "gaussdb.mysql.xlarge.x86.8",
        "vpc_id": vpc, "subnet_id": subnet,
        "password": "Test@12345678", "availability_zone_mode": "single", "slave_count": 0
    });
    if let Some(group) = group {
        body["security_group_id"] = json!(group);
    }
    body
}

async fn create_instance(app: &TestApp, body: Value) -> TestResponse {
    app.api(Method::POST, "/instances", Some(body)).await
}

#[tokio::test]
async fn every_project_has_a_default_vpc_subnet_and_security_group() {
    let app = TestApp::new();
    let vpcs = ok(&app, &format!("/v1/{PROJECT}/vpcs")).await;
    assert_eq!(vpcs["vpcs"][0]["id"], VPC);
    assert_eq!(vpcs["vpcs"][0]["status"], "OK");
    let vpc = ok(&app, &format!("/v1/{PROJECT}/vpcs/{VPC}")).await;
    assert_eq!(vpc["vpc"]["name"], "vpc-default");
    let subnets = ok(&app, &format!("/v1/{PROJECT}/subnets?vpc_id={VPC}")).await;
    let subnet = &subnets["subnets"][0];
    assert_eq!(subnet["id"], SUBNET);
    assert_eq!(subnet["neutron_network_id"], SUBNET);
    assert_eq!(subnet["vpc_id"], VPC);
    assert_eq!(subnet["availability_zone"], "eu-de-01");
    assert_eq!(subnet["status"], "ACTIVE");
    let none = ok(&app, &format!("/v1/{PROJECT}/subnets?vpc_id=other")).await;
    assert_eq!(none, json!({"subnets": []}));
    let groups = ok(&app, "/v2.0/security-groups?name=default").await;
    assert_eq!(groups["security_groups"][0]["id"], GROUP);
    let group = ok(&app, &format!("/v2.0/security-groups/{GROUP}")).await;
    assert_eq!(group["security_group"]["name"], "default");

    app.get(&format!("/v1/{PROJECT}/vpcs/nope"))
        .await
        .assert_error(
            404,
            "DBS.200503",
            "The VPC does not exist or does not belong to the user.",
        );
    app.get(&format!("/v1/{PROJECT}/subnets/nope"))
        .await
        .assert_error(
            404,
            "DBS.200501",
            "The subnet does not exist or does not belong to the VPC.",
        );
    app.get("/v2.0/security-groups/nope").await.assert_error(
        404,
        "DBS.200050",
        "The security group does not exist or does not belong to the VPC.",
    );
    app.raw(Method::GET, "/v2.0/security-groups", &[], Body::empty())
        .await
        .assert_gateway_error(
            401,
            "APIGW.0301",
            "Incorrect IAM authentication information: x-auth-token not found",
        );
}

#[tokio::test]
async fn fixtures_add_to_a_projects_network_and_a_snapshot_keeps_it() {
    let fixtures = json!({"projects": [{
        "id": PROJECT, "tokens": [TOKEN],
        "instances": [{"id": INSTANCE}],
        "network": {
            "vpcs": [{"id": "vpc-2", "name": "second", "cidr": "10.0.0.0/16"}],
            "subnets": [{"id": "subnet-2", "name": "apps", "cidr": "10.0.1.0/24",
                         "gateway_ip": "10.0.1.1", "vpc_id": "vpc-2"}],
            "security_groups": [{"id": "sg-2", "name": "databases"}]
        }
    }]});
    let app = TestApp::with_fixtures(&fixtures.to_string());
    let subnets = ok(&app, &format!("/v1/{PROJECT}/subnets?vpc_id=vpc-2")).await;
    assert_eq!(subnets["subnets"][0]["name"], "apps");
    let vpcs = ok(&app, &format!("/v1/{PROJECT}/vpcs")).await;
    assert_eq!(
        vpcs["vpcs"].as_array().unwrap().len(),
        2,
        "the built-in one stays"
    );
    let created = create_instance(&app, creation("vpc-2", "subnet-2", Some("sg-2"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);

    let snapshot = app.get("/_emulator/snapshot").await.json();
    TestApp::assert_a_reset_returns_to(&snapshot).await;
    assert_eq!(
        snapshot["projects"][0]["network"]["subnets"][0]["id"],
        "subnet-2"
    );
    let fresh = TestApp::new();
    let loaded = fresh
        .control_post("/_emulator/fixtures", &snapshot.to_string())
        .await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.text);
    let groups = ok(&fresh, "/v2.0/security-groups?name=databases").await;
    assert_eq!(groups["security_groups"][0]["id"], "sg-2");

    let clash = json!({"projects": [{"id": PROJECT, "network": {"vpcs": [
        {"id": VPC, "name": "again", "cidr": "10.0.0.0/16"}]}}]});
    let refused = fresh
        .control_post("/_emulator/fixtures", &clash.to_string())
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert!(refused.text.contains("vpcs"), "{}", refused.text);
}

#[tokio::test]
async fn an_instance_is_created_only_in_a_known_vpc_subnet_and_security_group() {
    let app = TestApp::new();
    let created = create_instance(&app, creation(VPC, SUBNET, Some(GROUP))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    create_instance(
        &app,
        creation("3cedfc54-0000-4652-a4e0-847b11576b58", SUBNET, None),
    )
    .await
    .assert_error(
        404,
        "DBS.200503",
        "The VPC does not exist or does not belong to the user.",
    );
    create_instance(
        &app,
        creation(VPC, "c1cfa53c-0000-431e-8552-326bf310c7ad", None),
    )
    .await
    .assert_error(
        404,
        "DBS.200501",
        "The subnet does not exist or does not belong to the VPC.",
    );
    create_instance(
        &app,
        creation(VPC, SUBNET, Some("ee83dccd-0000-4bdb-ae84-5ccd4e83d55b")),
    )
    .await
    .assert_error(
        404,
        "DBS.200050",
        "The security group does not exist or does not belong to the VPC.",
    );
}
