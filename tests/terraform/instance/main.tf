# A TaurusDB instance as the OTC provider's own acceptance test and documentation build it:
# the network looked up by data sources, a backup strategy, a read replica, and a manual
# backup of it; the catalogues and the instance read back through the data sources.
# tests/sdk/test_terraform_instance.py applies, updates, imports and destroys it against the
# emulator with OpenTofu and the OTC provider built by scripts/terraform-env.
terraform {
  required_providers {
    opentelekomcloud = {
      source  = "opentelekomcloud/opentelekomcloud"
      version = "1.37.2"
    }
  }
}

variable "auth_url" {
  description = "The emulator's IAM: http://HOST:PORT/v3"
  type        = string
}

variable "name" {
  type    = string
  default = "tf_taurusdb_emulator"
}

variable "flavor" {
  type    = string
  default = "gaussdb.mysql.xlarge.x86.8"
}

variable "read_replicas" {
  type    = number
  default = 1
}

variable "port" {
  type    = number
  default = 3306
}

variable "keep_days" {
  type    = number
  default = 7
}

provider "opentelekomcloud" {
  auth_url    = var.auth_url
  domain_name = "OTC00000000001000000000"
  tenant_name = "eu-de"
  user_name   = "testuser"
  password    = "testpass"
}

data "opentelekomcloud_vpc_v1" "vpc" {
  name = "vpc-default"
}

data "opentelekomcloud_vpc_subnet_v1" "shared_subnet" {
  name = "subnet-default"
}

data "opentelekomcloud_networking_secgroup_v2" "default_secgroup" {
  name = "default"
}

resource "opentelekomcloud_taurusdb_mysql_instance_v3" "instance" {
  name                     = var.name
  vpc_id                   = data.opentelekomcloud_vpc_subnet_v1.shared_subnet.vpc_id
  subnet_id                = data.opentelekomcloud_vpc_subnet_v1.shared_subnet.id
  security_group_id        = data.opentelekomcloud_networking_secgroup_v2.default_secgroup.id
  flavor                   = var.flavor
  password                 = "Test123!@#"
  availability_zone_mode   = "multi"
  master_availability_zone = "eu-de-01"
  read_replicas            = var.read_replicas
  port                     = var.port

  datastore {
    engine  = "gaussdb-mysql"
    version = "8.0"
  }

  backup_strategy {
    start_time = "03:00-04:00"
    keep_days  = var.keep_days
  }
}

resource "opentelekomcloud_taurusdb_mysql_backup_v3" "backup" {
  instance_id = opentelekomcloud_taurusdb_mysql_instance_v3.instance.id
  name        = "tf-backup"
}

data "opentelekomcloud_taurusdb_mysql_instance_v3" "read" {
  name = opentelekomcloud_taurusdb_mysql_instance_v3.instance.name
}

data "opentelekomcloud_taurusdb_mysql_engine_versions_v3" "versions" {
  database_name = "gaussdb-mysql"
}

data "opentelekomcloud_taurusdb_mysql_flavors_v3" "flavors" {
  engine                 = "gaussdb-mysql"
  version                = "8.0"
  availability_zone_mode = "multi"
}

data "opentelekomcloud_taurusdb_mysql_configuration_v3" "default" {
  name = "Default-TaurusDB V2.0"
}

data "opentelekomcloud_taurusdb_mysql_configurations_v3" "all" {}

output "vpc_id" {
  value = data.opentelekomcloud_vpc_v1.vpc.id
}

output "read" {
  value = data.opentelekomcloud_taurusdb_mysql_instance_v3.read
}

output "versions" {
  value = data.opentelekomcloud_taurusdb_mysql_engine_versions_v3.versions.datastores
}

output "flavors" {
  value = data.opentelekomcloud_taurusdb_mysql_flavors_v3.flavors.flavors
}

output "configuration" {
  value = data.opentelekomcloud_taurusdb_mysql_configuration_v3.default
}

output "configurations" {
  value = data.opentelekomcloud_taurusdb_mysql_configurations_v3.all.configurations
}
