# A manual TaurusDB backup on a fixtures instance, read back through the backups and the
# instance data sources. tests/sdk/test_terraform.py applies it against the emulator with
# OpenTofu and the OTC provider built by scripts/terraform-env.
terraform {
  required_providers {
    opentelekomcloud = {
      source = "opentelekomcloud/opentelekomcloud"
    }
  }
}

variable "auth_url" {
  description = "The emulator's IAM: http://HOST:PORT/v3"
  type        = string
}

variable "cacert_file" {
  description = "The emulator's CA when it serves HTTPS (--tls-ca-out)"
  type        = string
  default     = ""
}

variable "instance_id" {
  type = string
}

provider "opentelekomcloud" {
  auth_url    = var.auth_url
  cacert_file = var.cacert_file
  domain_name = "OTC00000000001000000000"
  tenant_name = "eu-de"
  user_name   = "testuser"
  password    = "testpass"
}

resource "opentelekomcloud_taurusdb_mysql_backup_v3" "nightly" {
  instance_id = var.instance_id
  name        = "nightly"
  description = "taken by OpenTofu"
}

data "opentelekomcloud_taurusdb_mysql_backups_v3" "taken" {
  instance_id = opentelekomcloud_taurusdb_mysql_backup_v3.nightly.instance_id
  backup_id   = opentelekomcloud_taurusdb_mysql_backup_v3.nightly.id
}

data "opentelekomcloud_taurusdb_mysql_instance_v3" "instance" {
  name = "taurusdb-instance01"
}

output "backup" {
  value = opentelekomcloud_taurusdb_mysql_backup_v3.nightly
}

output "listed" {
  value = data.opentelekomcloud_taurusdb_mysql_backups_v3.taken.backups
}

output "instance" {
  value = data.opentelekomcloud_taurusdb_mysql_instance_v3.instance
}
