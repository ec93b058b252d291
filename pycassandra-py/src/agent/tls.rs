//! The agent's HTTPS: a certificate chain and key from PEM files, TLS 1.2+
//! through rustls (the provider the rest of the module uses).

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// An acceptor serving `cert` (a PEM chain, leaf first) with `key`.
pub(super) fn acceptor(cert: &Path, key: &Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<_, _>>())
        .map_err(|e| format!("change agent: tls_cert {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("change agent: tls_cert {} holds no certificate", cert.display()));
    }
    // The key's file is named, never its bytes.
    let key_der =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("change agent: tls_key {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("change agent: TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| format!("change agent: tls_cert {} with tls_key {}: {e}", cert.display(), key.display()))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
