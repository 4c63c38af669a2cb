# A TaurusDB instance with a backup strategy, as small as the OTC provider makes one, for
# tests/sdk/test_terraform_faults.py: its updates of backup policy and port meet the 409s the
# provider means to retry.
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

data "opentelekomcloud_vpc_subnet_v1" "shared_subnet" {
  name = "subnet-default"
}

data "opentelekomcloud_networking_secgroup_v2" "default_secgroup" {
  name = "default"
}

resource "opentelekomcloud_taurusdb_mysql_instance_v3" "instance" {
  name                     = "tf_taurusdb_faults"
  vpc_id                   = data.opentelekomcloud_vpc_subnet_v1.shared_subnet.vpc_id
  subnet_id                = data.opentelekomcloud_vpc_subnet_v1.shared_subnet.id
  security_group_id        = data.opentelekomcloud_networking_secgroup_v2.default_secgroup.id
  flavor                   = "gaussdb.mysql.xlarge.x86.8"
  password                 = "Test123!@#"
  availability_zone_mode   = "single"
  master_availability_zone = "eu-de-01"
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
