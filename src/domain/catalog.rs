//! The service's catalogs: DB flavors, engine versions, parameter templates and the parameters
//! of an instance, built in as OTC's eu-de region shows them (`shared/reference`
//! `api-instances.md` §13: ids and the first flavor as a live run printed them, the rest
//! from the user guide's sizes).

use crate::error::ApiError;

/// The only engine: its name in paths and requests (case-insensitive).
pub const ENGINE: &str = "gaussdb-mysql";

/// One DB flavor ("specification").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flavor {
    /// A stable UUID; a node's `flavor_id`.
    pub id: &'static str,
    pub spec_code: &'static str,
    pub vcpus: &'static str,
    /// GB.
    pub ram: &'static str,
    /// A node's `max_connections` with this flavor.
    pub max_connections: &'static str,
    /// Whether the flavor is sold in the region's first, second and third AZ (`normal`), or
    /// not (`unsupported`).
    pub az_status: [&'static str; 3],
}

/// Every DB flavor, as `GET /v3/{project_id}/flavors/gaussdb-mysql` lists them.
pub const FLAVORS: &[Flavor] = &[
    Flavor {
        id: "76a13bbd-766d-3821-8699-7ec37e8761b8",
        spec_code: "gaussdb.mysql.large.x86.4",
        vcpus: "2",
        ram: "8",
        max_connections: "2500",
        az_status: ["normal", "unsupported", "normal"],
    },
    Flavor {
        id: "3169caaf-6c2f-41d5-aadd-c8fc3d83597e",
        spec_code: "gaussdb.mysql.xlarge.x86.8",
        vcpus: "4",
        ram: "32",
        max_connections: "10000",
        az_status: ["normal"; 3],
    },
    Flavor {
        id: "0c6c2b4c-5f2e-3e5d-9d3a-1b2f4a6c8e01",
        spec_code: "gaussdb.mysql.xlarge.x86.4",
        vcpus: "4",
        ram: "16",
        max_connections: "5000",
        az_status: ["normal"; 3],
    },
    Flavor {
        id: "5b2d0e9e-8c1f-3a4b-9e6d-2c7f1a3b5d02",
        spec_code: "gaussdb.mysql.2xlarge.x86.8",
        vcpus: "8",
        ram: "64",
        max_connections: "20000",
        az_status: ["normal"; 3],
    },
    Flavor {
        id: "8e4f1a2b-3c5d-3e6f-8a9b-0c1d2e3f4a03",
        spec_code: "gaussdb.mysql.4xlarge.x86.8",
        vcpus: "16",
        ram: "128",
        max_connections: "30000",
        az_status: ["normal"; 3],
    },
    Flavor {
        id: "a1b2c3d4-e5f6-3a7b-8c9d-0e1f2a3b4c04",
        spec_code: "gaussdb.mysql.8xlarge.x86.8",
        vcpus: "32",
        ram: "256",
        max_connections: "60000",
        az_status: ["normal"; 3],
    },
    Flavor {
        id: "f0e1d2c3-b4a5-3968-8776-655443322105",
        spec_code: "gaussdb.mysql.16xlarge.x86.8",
        vcpus: "64",
        ram: "512",
        max_connections: "100000",
        az_status: ["normal"; 3],
    },
];

/// The flavor of this spec code.
pub fn flavor(spec_code: &str) -> Option<&'static Flavor> {
    FLAVORS.iter().find(|f| f.spec_code == spec_code)
}

/// A node's `max_connections` with this flavor (one the catalogue lacks, from fixtures: the
/// value the documentation's example shows).
pub fn max_connections(spec_code: &str) -> &'static str {
    flavor(spec_code).map_or("10000", |f| f.max_connections)
}

/// The flavors of the catalogue a flavor list shows: of `version_name` (`8.0` or `8.0.22`; any
/// other: none) and `spec_code`, when given.
pub fn flavors(
    version_name: Option<&str>,
    spec_code: Option<&str>,
) -> impl Iterator<Item = &'static Flavor> {
    let version_known = version_name.is_none_or(|v| {
        ENGINE_VERSIONS
            .iter()
            .any(|known| known.name == v || known.version == v)
    });
    FLAVORS
        .iter()
        .filter(move |_| version_known)
        .filter(move |f| spec_code.is_none_or(|s| s == f.spec_code))
}

/// `availability_zone_mode` of a flavor list: `single` or `multi`, in any case
/// (`DBS.280260` otherwise, also when left out).
pub fn check_az_mode(mode: Option<&str>) -> Result<(), ApiError> {
    match mode {
        Some(m) if m.eq_ignore_ascii_case("single") || m.eq_ignore_ascii_case("multi") => Ok(()),
        _ => Err(ApiError::InvalidAzMode),
    }
}

impl Flavor {
    /// Its sales status in each of `region`'s AZs (`<region>-01` to `-03`).
    pub fn az_status(&self, region: &str) -> Vec<(String, &'static str)> {
        azs(region).into_iter().zip(self.az_status).collect()
    }

    /// Whether it is sold in `az` of `region` (an AZ the region does not have: no).
    pub fn sold_in(&self, region: &str, az: &str) -> bool {
        self.az_status(region)
            .iter()
            .any(|(zone, status)| zone == az && *status == "normal")
    }
}

/// A spec code for a change of flavor: known (`DBS.280434`), and sold in every zone of
/// `region` the nodes are in (`DBS.280450`).
pub fn check_flavor_for<'a>(
    spec_code: &str,
    region: &str,
    mut zones: impl Iterator<Item = &'a str>,
) -> Result<&'static Flavor, ApiError> {
    let flavor = flavor(spec_code).ok_or(ApiError::InvalidFlavor)?;
    if zones.all(|zone| flavor.sold_in(region, zone)) {
        Ok(flavor)
    } else {
        Err(ApiError::FlavorSoldOut)
    }
}

/// The region a project works in: its name, or the part before `_` of a sub-project's name
/// (`eu-de_project`).
pub fn region_of(project_name: &str) -> &str {
    project_name.split('_').next().unwrap_or(project_name)
}

/// A region's availability zones: `<region>-01`, `-02` and `-03` (eu-de's, S live).
pub fn azs(region: &str) -> [String; 3] {
    [1, 2, 3].map(|n| format!("{region}-{n:02}"))
}

/// An engine version, as `GET /v3/{project_id}/datastores/gaussdb-mysql` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineVersion {
    pub id: &'static str,
    /// The major version clients name (`8.0`).
    pub name: &'static str,
    /// The full MySQL version an instance of it reports.
    pub version: &'static str,
    pub kernel_version: &'static str,
}

/// Every engine version.
pub const ENGINE_VERSIONS: &[EngineVersion] = &[EngineVersion {
    id: "887ce2b1-29a8-337f-b3d1-9b75394447b9",
    name: "8.0",
    version: "8.0.22",
    kernel_version: "2.0.29.1",
}];

/// The full version an instance of `requested` runs: `8.0` is the catalogue's `8.0.22`; a
/// full version is kept as asked.
pub fn full_version(requested: &str) -> String {
    ENGINE_VERSIONS
        .iter()
        .find(|v| v.name == requested)
        .map_or_else(|| requested.to_owned(), |v| v.version.to_owned())
}

/// The engine a path names (`database_name`, case-insensitive), or `DBS.200042`.
pub fn check_engine(database_name: &str) -> Result<(), ApiError> {
    if database_name.eq_ignore_ascii_case(ENGINE) {
        Ok(())
    } else {
        Err(ApiError::UnknownEngine)
    }
}

/// A parameter template, as `GET /v3/{project_id}/configurations` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub datastore_name: &'static str,
    pub datastore_version_name: &'static str,
    /// `created` and `updated`, in the API's format.
    pub created: &'static str,
    pub user_defined: bool,
}

/// The default template: the `configuration_id` of an instance created without one.
pub const DEFAULT_TEMPLATE: Template = Template {
    id: "43570e0de32e40c5a15f831aa5ce4176pr07",
    name: "Default-TaurusDB V2.0",
    description: "Default parameter template for TaurusDB V2.0",
    datastore_name: "GaussDB(for MySQL)",
    datastore_version_name: "8.0",
    created: "2019-05-27T03:38:51+0000",
    user_defined: false,
};

/// Every template.
pub const TEMPLATES: &[Template] = &[DEFAULT_TEMPLATE];

/// One parameter of an instance, as `GET …/instances/{id}/configurations` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub name: &'static str,
    pub value: String,
    pub restart_required: bool,
    pub readonly: bool,
    pub value_range: String,
    pub value_type: &'static str,
    pub description: &'static str,
}

/// An instance's parameters, sorted by name: fixed defaults, and the ones its flavor (spec
/// code and GB of RAM) and its creation (table-name case) decide.
pub fn parameters(flavor_ref: &str, ram: &str, lower_case_table_names: u8) -> Vec<Parameter> {
    let ram_bytes = ram.parse::<u64>().unwrap_or(16) << 30;
    let max_connections = max_connections(flavor_ref);
    let p = |name, value: &str, value_type, value_range: &str, description| Parameter {
        name,
        value: value.to_owned(),
        restart_required: false,
        readonly: false,
        value_range: value_range.to_owned(),
        value_type,
        description,
    };
    let mut all = vec![
        p(
            "auto_increment_increment",
            "1",
            "integer",
            "1-65535",
            "Step between successive AUTO_INCREMENT values.",
        ),
        p(
            "auto_increment_offset",
            "1",
            "integer",
            "1-65535",
            "Starting point for AUTO_INCREMENT values.",
        ),
        p(
            "character_set_server",
            "utf8mb4",
            "list",
            "utf8,utf8mb4,latin1,gbk",
            "The server's default character set.",
        ),
        p(
            "innodb_buffer_pool_size",
            &(ram_bytes / 10 * 6).to_string(),
            "integer",
            &format!("134217728-{ram_bytes}"),
            "The size in bytes of the buffer pool.",
        ),
        p(
            "innodb_lock_wait_timeout",
            "50",
            "integer",
            "1-1073741824",
            "Seconds a transaction waits for a row lock before giving up.",
        ),
        p(
            "long_query_time",
            "1",
            "float",
            "0.03-3600",
            "Seconds after which a query is logged as slow.",
        ),
        Parameter {
            restart_required: true,
            readonly: true,
            ..p(
                "lower_case_table_names",
                &lower_case_table_names.to_string(),
                "integer",
                "0-1",
                "Whether table names are stored in lower case and compared case-insensitively.",
            )
        },
        p(
            "max_connections",
            max_connections,
            "integer",
            "1-100000",
            "The most client connections at once.",
        ),
        p(
            "slow_query_log",
            "ON",
            "list",
            "ON,OFF",
            "Whether slow queries are logged.",
        ),
        p(
            "sql_mode",
            "STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION",
            "string",
            "",
            "The server's SQL modes.",
        ),
        p(
            "transaction_isolation",
            "REPEATABLE-READ",
            "list",
            "READ-UNCOMMITTED,READ-COMMITTED,REPEATABLE-READ,SERIALIZABLE",
            "The default transaction isolation level.",
        ),
        p(
            "wait_timeout",
            "28800",
            "integer",
            "1-31536000",
            "Seconds the server waits on an idle connection before closing it.",
        ),
    ];
    all.sort_by_key(|p| p.name);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flavor_has_its_own_spec_code_and_uuid_and_numbers_as_text() {
        for (i, f) in FLAVORS.iter().enumerate() {
            assert!(uuid::Uuid::parse_str(f.id).is_ok(), "{f:?}");
            assert!(
                FLAVORS[..i]
                    .iter()
                    .all(|g| g.id != f.id && g.spec_code != f.spec_code)
            );
            for n in [f.vcpus, f.ram, f.max_connections] {
                assert!(n.parse::<u32>().is_ok(), "{f:?}");
            }
        }
        assert_eq!(flavor("gaussdb.mysql.xlarge.x86.8").unwrap().ram, "32");
        assert_eq!(flavor("gaussdb.mysql.nano"), None);
    }

    #[test]
    fn the_large_flavor_is_not_sold_in_the_second_az_as_in_eu_de() {
        let large = flavor("gaussdb.mysql.large.x86.4").unwrap();
        assert!(large.sold_in("eu-de", "eu-de-01"));
        assert!(!large.sold_in("eu-de", "eu-de-02"));
        assert!(!large.sold_in("eu-de", "eu-nl-01"));
        assert_eq!(
            large.az_status("eu-de")[1],
            ("eu-de-02".to_owned(), "unsupported")
        );
    }

    #[test]
    fn a_major_version_reads_as_its_full_version_and_a_full_one_as_itself() {
        assert_eq!(full_version("8.0"), "8.0.22");
        assert_eq!(full_version("8.0.30"), "8.0.30");
        assert_eq!(check_engine("GaussDB-MySQL"), Ok(()));
        assert_eq!(check_engine("mysql"), Err(ApiError::UnknownEngine));
    }
}
