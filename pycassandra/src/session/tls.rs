//! The rustls configuration of a TLS connection. The driver dials each node by
//! IP address and rustls checks the certificate against that address (an IP
//! subjectAltName); `ssl_verify_hostname=false` forgives only that check.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::config::{names, TlsOptions};
use crate::error::ConfigError;

pub(super) fn context(options: &TlsOptions) -> Result<Arc<ClientConfig>, ConfigError> {
    // Named, not taken from the process default, so another library installing a
    // default provider cannot change ours (and rustls panics when two are compiled
    // in and none is chosen).
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let roots = Arc::new(match &options.ca_cert {
        Some(ca) => ca_file_roots(ca)?,
        None => system_roots()?,
    });
    let verifier = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
        .build()
        .map_err(|error| cannot_initialise(&error))?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| cannot_initialise(&error))?;
    let builder = if options.verify_hostname {
        builder.with_webpki_verifier(verifier)
    } else {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(ChainOnly(verifier)))
    };
    let config = match &options.client_cert {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => {
            let chain = certificates(names::SSL_CLIENT_CERT, cert)?;
            let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| invalid(names::SSL_CLIENT_KEY, key, &e))?;
            // rustls checks here that the key belongs to the certificate.
            builder.with_client_auth_cert(chain, key_der).map_err(|e| invalid(names::SSL_CLIENT_KEY, key, &e))?
        }
    };
    Ok(Arc::new(config))
}

fn invalid(option: &'static str, path: &Path, error: &dyn std::fmt::Display) -> ConfigError {
    ConfigError::InvalidValue {
        option,
        value: path.display().to_string(),
        expected: format!("a readable PEM file ({error})"),
    }
}

fn cannot_initialise(error: &dyn std::fmt::Display) -> ConfigError {
    ConfigError::Tls { reason: error.to_string() }
}

/// Every certificate of a PEM file; a file with none is refused.
fn certificates(option: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let certificates = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| invalid(option, path, &e))?;
    if certificates.is_empty() {
        return Err(invalid(option, path, &"no CERTIFICATE block in it"));
    }
    Ok(certificates)
}

/// Only the CAs of the file: a user who names a CA means that one.
fn ca_file_roots(path: &Path) -> Result<RootCertStore, ConfigError> {
    let mut roots = RootCertStore::empty();
    for certificate in certificates(names::SSL_CA_CERT, path)? {
        roots.add(certificate).map_err(|e| invalid(names::SSL_CA_CERT, path, &e))?;
    }
    Ok(roots)
}

/// The operating system's trust store (as OpenSSL finds it, SSL_CERT_FILE and
/// SSL_CERT_DIR included): where a server's administrators install their
/// company CA. Certificates it cannot parse are skipped, as OpenSSL does.
fn system_roots() -> Result<RootCertStore, ConfigError> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        let errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        return Err(ConfigError::NoSystemCaCertificates { errors, option: names::SSL_CA_CERT });
    }
    Ok(roots)
}

/// The full webpki check, except that a certificate naming another host or
/// address is accepted. webpki verifies the chain (trust anchor, validity,
/// key usage) before it compares names, so a name error means the chain passed.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use rustls::crypto::CryptoProvider;

    use super::*;

    #[test]
    fn a_missing_or_empty_ca_file_names_the_option() {
        let missing = TlsOptions::with_ca("/nonexistent/ca.pem");
        let error = context(&missing).unwrap_err().to_string();
        assert!(error.contains("'ssl_ca_cert' has invalid value '/nonexistent/ca.pem'"), "{error}");

        let empty = std::env::temp_dir().join(format!("pycassandra-empty-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let error = context(&TlsOptions::with_ca(&empty)).unwrap_err().to_string();
        std::fs::remove_file(&empty).ok();
        assert!(error.contains("no CERTIFICATE block"), "{error}");
    }

    #[test]
    fn a_provider_is_chosen_without_a_process_default() {
        // No CryptoProvider::install_default anywhere: building must not panic.
        assert!(CryptoProvider::get_default().is_none());
        let system = TlsOptions { ca_cert: None, verify_hostname: false, client_cert: None };
        // The system store may be empty on a bare machine: either outcome is an Ok or a ConfigError.
        let _ = context(&system);
    }
}
