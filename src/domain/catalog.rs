//! The service's catalogs: DB flavors, engine versions, parameter templates and the parameters
//! of an instance, built in as OTC's eu-de region shows them (`shared/reference`
//! `api-instances.md` §13: ids and the first flavor as a live run printed them, the rest
//! from the user guide's sizes).

use crate::error::ApiError;

/// The only engine: its name in paths and requests (case-insensitive).
pub const ENGINE: &str = "gaussdb-mysql";

/// One DB flavor ("specification").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flavor {
    /// A stable id (UUIDs built in); a node's `flavor_id`.
    pub id: String,
    pub spec_code: String,
    /// Whole numbers, as text (the API's type).
    pub vcpus: String,
    /// GB.
    pub ram: String,
    /// A node's `max_connections` with this flavor.
    pub max_connections: String,
    /// Whether the flavor is sold in the region's first, second and third AZ.
    pub sold: [bool; 3],
}

/// An engine version, as `GET /v3/{project_id}/datastores/gaussdb-mysql` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineVersion {
    pub id: String,
    /// The major version clients name (`8.0`).
    pub name: String,
    /// The full MySQL version an instance of it reports.
    pub version: String,
    pub kernel_version: String,
}

/// A parameter template, as `GET /v3/{project_id}/configurations` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub description: String,
    pub datastore_name: String,
    pub datastore_version_name: String,
    /// `created` and `updated`, in the API's format.
    pub created: String,
    pub user_defined: bool,
}

/// What the service sells and offers: flavors, engine versions and parameter templates. The
/// built-in one ([`Catalog::default`]) is OTC eu-de's; a fixtures file replaces any of its
/// lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    /// In the order the flavor list shows them.
    pub flavors: Vec<Flavor>,
    pub versions: Vec<EngineVersion>,
    pub templates: Vec<Template>,
}

/// A built-in flavor: id, spec code, vCPUs, GB of RAM, `max_connections`, sold per AZ.
type BuiltinFlavor = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    [bool; 3],
);

/// The built-in flavors.
const FLAVORS: &[BuiltinFlavor] = &[
    (
        "76a13bbd-766d-3821-8699-7ec37e8761b8",
        "gaussdb.mysql.large.x86.4",
        "2",
        "8",
        "2500",
        [true, false, true],
    ),
    (
        "3169caaf-6c2f-41d5-aadd-c8fc3d83597e",
        "gaussdb.mysql.xlarge.x86.8",
        "4",
        "32",
        "10000",
        [true; 3],
    ),
    (
        "0c6c2b4c-5f2e-3e5d-9d3a-1b2f4a6c8e01",
        "gaussdb.mysql.xlarge.x86.4",
        "4",
        "16",
        "5000",
        [true; 3],
    ),
    (
        "5b2d0e9e-8c1f-3a4b-9e6d-2c7f1a3b5d02",
        "gaussdb.mysql.2xlarge.x86.8",
        "8",
        "64",
        "20000",
        [true; 3],
    ),
    (
        "8e4f1a2b-3c5d-3e6f-8a9b-0c1d2e3f4a03",
        "gaussdb.mysql.4xlarge.x86.8",
        "16",
        "128",
        "30000",
        [true; 3],
    ),
    (
        "a1b2c3d4-e5f6-3a7b-8c9d-0e1f2a3b4c04",
        "gaussdb.mysql.8xlarge.x86.8",
        "32",
        "256",
        "60000",
        [true; 3],
    ),
    (
        "f0e1d2c3-b4a5-3968-8776-655443322105",
        "gaussdb.mysql.16xlarge.x86.8",
        "64",
        "512",
        "100000",
        [true; 3],
    ),
];

/// The `configuration_id` of the built-in default template.
pub const DEFAULT_TEMPLATE_ID: &str = "43570e0de32e40c5a15f831aa5ce4176pr07";

impl Default for Catalog {
    fn default() -> Self {
        let flavors = FLAVORS
            .iter()
            .map(
                |&(id, spec_code, vcpus, ram, max_connections, sold)| Flavor {
                    id: id.to_owned(),
                    spec_code: spec_code.to_owned(),
                    vcpus: vcpus.to_owned(),
                    ram: ram.to_owned(),
                    max_connections: max_connections.to_owned(),
                    sold,
                },
            )
            .collect();
        Self {
            flavors,
            versions: vec![EngineVersion {
                id: "887ce2b1-29a8-337f-b3d1-9b75394447b9".to_owned(),
                name: "8.0".to_owned(),
                version: "8.0.22".to_owned(),
                kernel_version: "2.0.29.1".to_owned(),
            }],
            templates: vec![Template {
                id: DEFAULT_TEMPLATE_ID.to_owned(),
                name: "Default-TaurusDB V2.0".to_owned(),
                description: "Default parameter template for TaurusDB V2.0".to_owned(),
                datastore_name: "GaussDB(for MySQL)".to_owned(),
                datastore_version_name: "8.0".to_owned(),
                created: "2019-05-27T03:38:51+0000".to_owned(),
                user_defined: false,
            }],
        }
    }
}

/// A node's `max_connections` with `flavor`; with a flavor the catalogue lacks (from
/// fixtures), the value the documentation's example shows.
pub fn max_connections(flavor: Option<&Flavor>) -> &str {
    flavor.map_or("10000", |f| &f.max_connections)
}

impl Catalog {
    /// The flavor of this spec code.
    pub fn flavor(&self, spec_code: &str) -> Option<&Flavor> {
        self.flavors.iter().find(|f| f.spec_code == spec_code)
    }

    /// Whether `version` names one of the engine versions (`8.0` or `8.0.22`).
    pub fn knows_version(&self, version: &str) -> bool {
        self.versions
            .iter()
            .any(|known| known.name == version || known.version == version)
    }

    /// The flavors a flavor list shows: of `version_name` (a version the catalogue lacks:
    /// none) and `spec_code`, when given.
    pub fn flavors(
        &self,
        version_name: Option<&str>,
        spec_code: Option<&str>,
    ) -> impl Iterator<Item = &Flavor> {
        let version_known = version_name.is_none_or(|v| self.knows_version(v));
        self.flavors
            .iter()
            .filter(move |_| version_known)
            .filter(move |f| spec_code.is_none_or(|s| s == f.spec_code))
    }

    /// A spec code for a change of flavor: known (`DBS.280434`), and sold in every zone of
    /// `region` the nodes are in (`DBS.280450`).
    pub fn check_flavor_for<'a>(
        &self,
        spec_code: &str,
        region: &str,
        mut zones: impl Iterator<Item = &'a str>,
    ) -> Result<&Flavor, ApiError> {
        let flavor = self.flavor(spec_code).ok_or(ApiError::InvalidFlavor)?;
        if zones.all(|zone| flavor.sold_in(region, zone)) {
            Ok(flavor)
        } else {
            Err(ApiError::FlavorSoldOut)
        }
    }

    /// The full version an instance of `requested` runs: a major version (`8.0`) is its
    /// full one (`8.0.22`); a full version is kept as asked.
    pub fn full_version(&self, requested: &str) -> String {
        self.versions
            .iter()
            .find(|v| v.name == requested)
            .map_or_else(|| requested.to_owned(), |v| v.version.clone())
    }
}

/// `availability_zone_mode` of a flavor list: `single` or `multi`, in any case
/// (`DBS.280260` otherwise, also when left out).
pub fn check_az_mode(mode: Option<&str>) -> Result<(), ApiError> {
    match mode {
        Some(m) if m.eq_ignore_ascii_case("single") || m.eq_ignore_ascii_case("multi") => Ok(()),
        _ => Err(ApiError::InvalidAzMode),
    }
}

/// The sales status of a flavor in a zone, as the flavor list shows it.
pub fn sales_status(sold: bool) -> &'static str {
    if sold { "normal" } else { "unsupported" }
}

impl Flavor {
    /// Its sales status in each of `region`'s AZs (`<region>-01` to `-03`).
    pub fn az_status(&self, region: &str) -> Vec<(String, &'static str)> {
        azs(region)
            .into_iter()
            .zip(self.sold.map(sales_status))
            .collect()
    }

    /// Whether it is sold in `az` of `region` (an AZ the region does not have: no).
    pub fn sold_in(&self, region: &str, az: &str) -> bool {
        azs(region)
            .iter()
            .zip(self.sold)
            .any(|(zone, sold)| zone == az && sold)
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

/// The engine a path names (`database_name`, case-insensitive), or `DBS.200042`.
pub fn check_engine(database_name: &str) -> Result<(), ApiError> {
    if database_name.eq_ignore_ascii_case(ENGINE) {
        Ok(())
    } else {
        Err(ApiError::UnknownEngine)
    }
}

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

/// An instance's parameters, sorted by name: fixed defaults, and the ones its flavor (GB of
/// RAM, most connections) and its creation (table-name case) decide.
pub fn parameters(ram: &str, max_connections: &str, lower_case_table_names: u8) -> Vec<Parameter> {
    // At most a PB, so that the bytes fit whatever a fixtures file says.
    let ram_bytes = ram.parse::<u64>().unwrap_or(16).min(1 << 20) << 30;
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
        let catalog = Catalog::default();
        for (i, f) in catalog.flavors.iter().enumerate() {
            assert!(uuid::Uuid::parse_str(&f.id).is_ok(), "{f:?}");
            assert!(
                catalog.flavors[..i]
                    .iter()
                    .all(|g| g.id != f.id && g.spec_code != f.spec_code)
            );
            for n in [&f.vcpus, &f.ram, &f.max_connections] {
                assert!(n.parse::<u32>().is_ok(), "{f:?}");
            }
        }
        assert_eq!(
            catalog.flavor("gaussdb.mysql.xlarge.x86.8").unwrap().ram,
            "32"
        );
        assert_eq!(catalog.flavor("gaussdb.mysql.nano"), None);
        assert_eq!(
            max_connections(catalog.flavor("gaussdb.mysql.nano")),
            "10000"
        );
    }

    #[test]
    fn the_large_flavor_is_not_sold_in_the_second_az_as_in_eu_de() {
        let catalog = Catalog::default();
        let large = catalog.flavor("gaussdb.mysql.large.x86.4").unwrap();
        assert!(large.sold_in("eu-de", "eu-de-01"));
        assert!(!large.sold_in("eu-de", "eu-de-02"));
        assert!(!large.sold_in("eu-de", "eu-nl-01"));
        assert_eq!(
            large.az_status("eu-de")[1],
            ("eu-de-02".to_owned(), "unsupported")
        );
        let zones = ["eu-de-01", "eu-de-02"];
        assert_eq!(
            catalog.check_flavor_for("gaussdb.mysql.large.x86.4", "eu-de", zones.into_iter()),
            Err(ApiError::FlavorSoldOut)
        );
        assert_eq!(
            catalog.check_flavor_for("gaussdb.mysql.nano", "eu-de", zones.into_iter()),
            Err(ApiError::InvalidFlavor)
        );
    }

    #[test]
    fn a_major_version_reads_as_its_full_version_and_a_full_one_as_itself() {
        let catalog = Catalog::default();
        assert_eq!(catalog.full_version("8.0"), "8.0.22");
        assert_eq!(catalog.full_version("8.0.30"), "8.0.30");
        assert!(catalog.knows_version("8.0.22") && !catalog.knows_version("5.7"));
        assert_eq!(catalog.flavors(Some("5.7"), None).count(), 0);
        assert_eq!(check_engine("GaussDB-MySQL"), Ok(()));
        assert_eq!(check_engine("mysql"), Err(ApiError::UnknownEngine));
    }

    #[test]
    fn parameters_follow_the_flavor_even_one_of_a_petabyte() {
        let find = |params: &[Parameter], name: &str| {
            params
                .iter()
                .find(|p| p.name == name)
                .unwrap()
                .value
                .clone()
        };
        let params = parameters("32", "10000", 1);
        assert_eq!(find(&params, "max_connections"), "10000");
        assert_eq!(
            find(&params, "innodb_buffer_pool_size"),
            ((32u64 << 30) / 10 * 6).to_string()
        );
        let huge = parameters("99999999999999", "1", 0);
        assert_eq!(
            find(&huge, "innodb_buffer_pool_size"),
            ((1u64 << 50) / 10 * 6).to_string()
        );
    }
}
