"""`taurusdb-emulator env`: what it prints is all each client needs. The Huawei SDK takes its
AK/SK and its region's endpoint from the exported HUAWEICLOUD_SDK_* variables (a program
written for the real cloud: EnvCredentialProvider, a region), openstacksdk
with otcextensions its cloud from the printed clouds.yaml, OpenTofu its provider block; each
then makes a backup in the strict-auth emulator the same fixtures describe."""

import json
import os
import shlex
import subprocess

import openstack
import openstack.connection
from openstack.config.loader import OpenStackConfig
from huaweicloudsdkcore.auth.provider import EnvCredentialProvider
from huaweicloudsdkgaussdb.v3 import (
    CreateGaussMySqlBackupRequest, GaussDBClient, MysqlCreateBackupRequest, ShowGaussMySqlBackupListRequest)
from huaweicloudsdkgaussdb.v3.region.gaussdb_region import GaussDBRegion
from otcextensions import sdk

from conftest import BINARY, INSTANCE, PROJECT, Emulator


def printed(tmp_path, emulator, form):
    """`env --url <the emulator> --format <form>`, the emulator's fixtures given by the
    environment variable the image sets too."""
    done = subprocess.run(
        [str(BINARY), "env", "--url", emulator.base, "--format", form],
        env={**os.environ, "TAURUSDB_EMULATOR_FIXTURES": str(tmp_path / "fixtures.json")},
        capture_output=True, text=True, timeout=10, check=True)
    return done.stdout


def exported(text):
    """The variables of `export NAME='value'` lines, as a shell reads them."""
    variables = {}
    for line in text.splitlines():
        [assignment] = shlex.split(line.removeprefix("export "))
        name, value = assignment.split("=", 1)
        variables[name] = value
    return variables


def test_the_exports_the_clouds_yaml_and_the_json_reach_the_emulator(tmp_path, monkeypatch):
    emulator = Emulator(tmp_path, "--auth", "strict")
    try:
        variables = exported(printed(tmp_path, emulator, "sh"))
        assert variables["OS_AUTH_URL"] == emulator.base + "/v3"
        assert (variables["OS_PROJECT_ID"], variables["TAURUSDB_EMULATOR_INSTANCE_ID"]) == (PROJECT, INSTANCE)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        # A program written for the real cloud: credentials from the environment, a region.
        huawei = (GaussDBClient.new_builder()
                  .with_credentials(EnvCredentialProvider.get_basic().get_credentials())
                  .with_region(GaussDBRegion.value_of("eu-de"))
                  .build())
        body = MysqlCreateBackupRequest(instance_id=os.environ["TAURUSDB_EMULATOR_INSTANCE_ID"], name="from-env")
        assert huawei.create_gauss_my_sql_backup(CreateGaussMySqlBackupRequest(body=body)).status_code == 201

        emulator.advance(10)  # the first backup completes
        clouds = tmp_path / "clouds.yaml"
        clouds.write_text(printed(tmp_path, emulator, "clouds-yaml"))
        for name in [n for n in os.environ if n.startswith("OS_")]:
            monkeypatch.delenv(name)
        config = OpenStackConfig(config_files=[str(clouds)], load_envvars=False)
        conn = openstack.connection.Connection(config=config.get_one(cloud="taurusdb-emulator"))
        sdk.register_otc_extensions(conn)
        response = conn.gaussdb.post("/backups/create", json={"instance_id": INSTANCE, "name": "from-clouds-yaml"})
        assert response.status_code == 201, response.text

        everything = json.loads(printed(tmp_path, emulator, "json"))
        assert everything["access_key"] == variables["HUAWEICLOUD_SDK_AK"]
        names = {b.name for b in huawei.show_gauss_my_sql_backup_list(ShowGaussMySqlBackupListRequest(instance_id=INSTANCE)).backups}
        assert {"from-env", "from-clouds-yaml"} <= names
    finally:
        emulator.stop()
