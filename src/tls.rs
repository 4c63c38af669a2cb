//! Opt-in HTTPS (`--tls`): a certificate authority and a server certificate made at start for
//! `localhost`, `127.0.0.1`, `::1` and every `--tls-hostname`, or the certificate and key the
//! user gives (`--tls-cert`, `--tls-key`). rustls with ring: no OpenSSL.

use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, KeyUsagePurpose,
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
    ) -> Result<Option<Self>, String> {
        let tls = match (cert, key) {
            (Some(cert), Some(key)) => Self::from_files(cert, key)?,
            (None, None) if enabled => Self::generate(hostnames)?,
            (None, None) => return Ok(None),
            _ => return Err("--tls-cert and --tls-key go together".to_owned()),
        };
        if let Some(out) = ca_out {
            std::fs::write(out, &tls.ca_pem)
                .map_err(|e| format!("cannot write --tls-ca-out {}: {e}", out.display()))?;
        }
        Ok(Some(tls))
    }

    /// A fresh CA, and a certificate it signs for the local names and `hostnames`.
    pub fn generate(hostnames: &[String]) -> Result<Self, String> {
        let fail = |e: rcgen::Error| format!("cannot make a TLS certificate: {e}");
        let ca_key = KeyPair::generate().map_err(fail)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca.distinguished_name = name("taurusdb-emulator local CA");
        let ca_cert = ca.self_signed(&ca_key).map_err(fail)?;
        let issuer = rcgen::Issuer::new(ca, ca_key);

        let names: Vec<String> = LOCAL_NAMES
            .iter()
            .map(|n| (*n).to_owned())
            .chain(hostnames.iter().cloned())
            .collect();
        let key = KeyPair::generate().map_err(fail)?;
        let mut server = CertificateParams::new(names).map_err(fail)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_certificate_is_trusted_through_its_ca() {
        let tls = Tls::generate(&["gaussdb.eu-de.example".to_owned()]).unwrap();
        assert!(tls.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(client_config(tls.ca_pem.as_bytes()).is_ok());
    }
}
