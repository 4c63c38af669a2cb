//! Opt-in HTTPS (`--tls`): a certificate authority and a server certificate made at start for
//! `localhost`, `127.0.0.1`, `::1` and every `--tls-hostname`, or the certificate and key the
//! user gives (`--tls-cert`, `--tls-key`). rustls with ring: no OpenSSL.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType, GeneralSubtree,
    IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The names every generated certificate holds.
pub const LOCAL_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// What a TLS emulator serves with.
pub struct Tls {
    pub config: Arc<rustls::ServerConfig>,
    /// The certificate a client trusts, in PEM: the generated CA, or the given certificate
    /// chain.
    pub ca_pem: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

impl Tls {
    /// What the command line asks for: nothing (plain HTTP), the given certificate, or a
    /// generated one (with `enabled`); the CA certificate is also written to `ca_out`.
    pub fn configure(
        enabled: bool,
        hostnames: &[String],
        cert: Option<&Path>,
        key: Option<&Path>,
        ca_out: Option<&Path>,
        now: DateTime<Utc>,
    ) -> Result<Option<Self>, String> {
        let tls = match (cert, key) {
            (Some(cert), Some(key)) => Self::from_files(cert, key)?,
            (None, None) if enabled => Self::generate(hostnames, now)?,
            (None, None) => return Ok(None),
            _ => return Err("--tls-cert and --tls-key go together".to_owned()),
        };
        if let Some(out) = ca_out {
            std::fs::write(out, &tls.ca_pem)
                .map_err(|e| format!("cannot write --tls-ca-out {}: {e}", out.display()))?;
        }
        Ok(Some(tls))
    }

    /// A fresh CA, and a certificate it signs for the local names and `hostnames`, both valid
    /// from a day before `now` for [`VALID_DAYS`]. The CA can sign only certificates of those
    /// names (name constraints) and no other CA (path length 0): a client that trusts it
    /// trusts nothing else of whoever might get hold of its key.
    pub fn generate(hostnames: &[String], now: DateTime<Utc>) -> Result<Self, String> {
        let fail = |e: rcgen::Error| format!("cannot make a TLS certificate: {e}");
        let names: Vec<String> = LOCAL_NAMES
            .iter()
            .map(|n| (*n).to_owned())
            .chain(hostnames.iter().cloned())
            .collect();
        // The start of a day, as the certificates' validity counts.
        let day = |t: DateTime<Utc>| rcgen::date_time_ymd(t.year(), t.month() as u8, t.day() as u8);
        let (not_before, not_after) = (
            day(now - TimeDelta::days(1)),
            day(now + TimeDelta::days(VALID_DAYS)),
        );
        let ca_key = KeyPair::generate().map_err(fail)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.distinguished_name = name("taurusdb-emulator local CA");
        ca.name_constraints = Some(NameConstraints {
            permitted_subtrees: names.iter().map(|n| subtree(n)).collect(),
            excluded_subtrees: Vec::new(),
        });
        (ca.not_before, ca.not_after) = (not_before, not_after);
        let ca_cert = ca.self_signed(&ca_key).map_err(fail)?;
        let issuer = rcgen::Issuer::new(ca, ca_key);

        let key = KeyPair::generate().map_err(fail)?;
        let mut server = CertificateParams::new(names).map_err(fail)?;
        (server.not_before, server.not_after) = (not_before, not_after);
        server.distinguished_name = name("taurusdb-emulator");
        server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let cert = server.signed_by(&key, &issuer).map_err(fail)?;
        let chain = vec![cert.der().clone(), ca_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(key.serialize_der().into());
        Ok(Self {
            config: server_config(chain, key)?,
            ca_pem: ca_cert.pem(),
        })
    }

    /// The certificate chain and key of these PEM files.
    pub fn from_files(cert: &Path, key: &Path) -> Result<Self, String> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .and_then(Iterator::collect)
            .map_err(|e| format!("cannot read --tls-cert {}: {e}", cert.display()))?;
        if chain.is_empty() {
            return Err(format!(
                "--tls-cert {} holds no certificate",
                cert.display()
            ));
        }
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| format!("cannot read --tls-key {}: {e}", key.display()))?;
        let ca_pem = std::fs::read_to_string(cert)
            .map_err(|e| format!("cannot read --tls-cert {}: {e}", cert.display()))?;
        Ok(Self {
            config: server_config(chain, key)?,
            ca_pem,
        })
    }
}

/// How many days a generated certificate is valid after its start (the longest a public
/// server certificate may be).
pub const VALID_DAYS: i64 = 397;

/// The name constraint that permits `name`: the address itself for an IP address, the name
/// and its subdomains for a DNS name.
fn subtree(name: &str) -> GeneralSubtree {
    match name.parse::<std::net::IpAddr>() {
        Ok(ip) => GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(
            ip,
            if ip.is_ipv4() { 32 } else { 128 },
        )),
        Err(_) => GeneralSubtree::DnsName(name.to_owned()),
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("the TLS certificate and key do not fit: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// A client configuration that trusts exactly the certificates of `ca_pem` (for the
/// `healthcheck` subcommand).
pub fn client_config(ca_pem: &[u8]) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        let cert = cert.map_err(|e| format!("not a PEM certificate: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("cannot trust that certificate: {e}"))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A client for a liveness probe of the emulator's own loopback port when no certificate to
/// trust is at hand (the CA was made in memory, and an image has nowhere it was written): the
/// handshake is a real one, its signatures checked against the certificate the server shows,
/// but that certificate is not checked against a root. Only [`crate::healthcheck`] uses it,
/// and only for a loopback address.
pub fn loopback_probe_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(AnyCertificate(provider.clone()));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Takes whatever certificate the server shows, checking only that the handshake was signed
/// with its key.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-07T03:29:54Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn a_generated_certificate_is_trusted_through_its_ca() {
        let tls = Tls::generate(&["gaussdb.eu-de.example".to_owned()], now()).unwrap();
        assert!(tls.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(client_config(tls.ca_pem.as_bytes()).is_ok());
    }

    /// Before: the CA had no name or path-length constraints and was valid from 1975 to 4096.
    #[test]
    fn the_generated_ca_signs_only_its_names_one_level_deep_for_about_a_year() {
        let tls = Tls::generate(
            &["gaussdb.eu-de.example".to_owned(), "10.1.2.3".to_owned()],
            now(),
        )
        .unwrap();
        let der = CertificateDer::from_pem_slice(tls.ca_pem.as_bytes()).unwrap();
        let (_, ca) = x509_parser::parse_x509_certificate(&der).unwrap();
        let basic = ca.basic_constraints().unwrap().unwrap().value;
        assert!(basic.ca);
        assert_eq!(basic.path_len_constraint, Some(0));
        let constraints = ca.name_constraints().unwrap().unwrap().value;
        let permitted: Vec<String> = constraints
            .permitted_subtrees
            .as_ref()
            .unwrap()
            .iter()
            .map(|s| format!("{}", s.base))
            .collect();
        assert_eq!(permitted.len(), 5, "{permitted:?}");
        for expected in ["localhost", "gaussdb.eu-de.example"] {
            assert!(
                permitted.iter().any(|p| p.contains(expected)),
                "{permitted:?}"
            );
        }
        assert!(constraints.excluded_subtrees.is_none());
        let validity = ca.validity();
        let from = validity.not_before.timestamp();
        let until = validity.not_after.timestamp();
        let at = now().timestamp();
        assert!(from <= at && at - from <= 2 * 86_400, "{from} {at}");
        assert!(
            until - at <= (VALID_DAYS + 1) * 86_400 && until > at,
            "{until} {at}"
        );
    }
}
