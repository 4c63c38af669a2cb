# The rest of the OTC provider's TaurusDB surface on one instance with two read replicas: a
# database proxy with read weights, a SQL control rule, an enterprise project's quota, and the
# proxy, proxy-flavor, project-quota, error-log and slow-log data sources.
# tests/sdk/test_terraform_proxy.py applies, updates, imports and destroys it against the
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

variable "log_start" {
  description = "Start of the log window: 2006-01-02T15:04:05-0700"
  type        = string
}

variable "log_end" {
  type = string
}

variable "proxy_flavor" {
  type    = string
  default = "gaussdb.proxy.large.x86.2"
}

variable "proxy_nodes" {
  type    = number
  default = 2
}

variable "master_weight" {
  type    = number
  default = 50
}

variable "replica_weight" {
  type    = number
  default = 50
}

variable "max_concurrency" {
  type    = number
  default = 20
}

variable "instance_quota" {
  type    = number
  default = 10
}

variable "vcpus_quota" {
  type    = number
  default = 20
}

variable "ram_quota" {
  type    = number
  default = 30
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
  name                     = "tf_taurusdb_proxy"
  vpc_id                   = data.opentelekomcloud_vpc_subnet_v1.shared_subnet.vpc_id
  subnet_id                = data.opentelekomcloud_vpc_subnet_v1.shared_subnet.id
  security_group_id        = data.opentelekomcloud_networking_secgroup_v2.default_secgroup.id
  flavor                   = "gaussdb.mysql.xlarge.x86.8"
  password                 = "Test123!@#"
  availability_zone_mode   = "multi"
  master_availability_zone = "eu-de-01"
  read_replicas            = 2

  datastore {
    engine  = "gaussdb-mysql"
    version = "8.0"
  }
}

locals {
  nodes  = opentelekomcloud_taurusdb_mysql_instance_v3.instance.nodes
  master = [for n in local.nodes : n.id if n.type == "master"][0]
  replica = [for n in local.nodes : n.id if n.type == "slave"][0]
}

resource "opentelekomcloud_taurusdb_mysql_proxy_v3" "proxy" {
  instance_id = opentelekomcloud_taurusdb_mysql_instance_v3.instance.id
  flavor      = var.proxy_flavor
  node_num    = var.proxy_nodes
  proxy_name  = "tf-proxy"
  proxy_mode  = "readwrite"

  master_node_weight {
    id     = local.master
    weight = var.master_weight
  }

  readonly_nodes_weight {
    id     = local.replica
    weight = var.replica_weight
  }
}

resource "opentelekomcloud_taurusdb_mysql_sql_control_rule_v3" "rule" {
  instance_id     = opentelekomcloud_taurusdb_mysql_instance_v3.instance.id
  node_id         = local.master
  sql_type        = "SELECT"
  pattern         = "select~from~t1"
  max_concurrency = var.max_concurrency
}

resource "opentelekomcloud_taurusdb_mysql_quota_v3" "quota" {
  enterprise_project_id   = "d9a6e8f2-5c1b-4b7e-9a3f-2e8c6b1d0a47"
  enterprise_project_name = "tf-emulator"
  instance_quota          = var.instance_quota
  vcpus_quota             = var.vcpus_quota
  ram_quota               = var.ram_quota
}

data "opentelekomcloud_taurusdb_mysql_proxies_v3" "proxies" {
  instance_id = opentelekomcloud_taurusdb_mysql_proxy_v3.proxy.instance_id
}

data "opentelekomcloud_taurusdb_mysql_proxy_flavors_v3" "flavors" {
  instance_id = opentelekomcloud_taurusdb_mysql_instance_v3.instance.id
}

data "opentelekomcloud_taurusdb_mysql_project_quotas_v3" "quotas" {
  type = "instance"
}

data "opentelekomcloud_taurusdb_mysql_error_logs_v3" "errors" {
  instance_id = opentelekomcloud_taurusdb_mysql_instance_v3.instance.id
  node_id     = local.master
  start_time  = var.log_start
  end_time    = var.log_end
}

data "opentelekomcloud_taurusdb_mysql_slow_logs_v3" "slow" {
  instance_id = opentelekomcloud_taurusdb_mysql_instance_v3.instance.id
  node_id     = local.master
  start_date  = var.log_start
  end_date    = var.log_end
}

output "proxies" {
  value = data.opentelekomcloud_taurusdb_mysql_proxies_v3.proxies.proxy_list
}

output "proxy_flavors" {
  value = data.opentelekomcloud_taurusdb_mysql_proxy_flavors_v3.flavors.flavor_groups
}

output "project_quotas" {
  value = data.opentelekomcloud_taurusdb_mysql_project_quotas_v3.quotas.quotas
}

output "error_logs" {
  value = data.opentelekomcloud_taurusdb_mysql_error_logs_v3.errors.error_log_list
}

output "slow_logs" {
  value = data.opentelekomcloud_taurusdb_mysql_slow_logs_v3.slow.slow_log_list
}
