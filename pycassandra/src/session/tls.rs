//! The OpenSSL context of a TLS connection. The driver checks each node's
//! certificate against the IP address it dials.

use openssl::ssl::{SslConnector, SslFiletype, SslMethod, SslVerifyMode};
use scylla::client::session::OpenSsl010Config;

use crate::config::{names, TlsOptions};
use crate::error::ConfigError;

/// OpenSSL's codes for a certificate that does not name the host, email or IP.
const NAME_MISMATCH_CODES: [i32; 3] = [62, 63, 64];

pub(super) fn context(options: &TlsOptions) -> Result<OpenSsl010Config, ConfigError> {
    let invalid =
        |option: &'static str, path: &std::path::Path, error: openssl::error::ErrorStack| ConfigError::InvalidValue {
            option,
            value: path.display().to_string(),
            expected: format!("a readable PEM file ({error})"),
        };
    let mut builder = SslConnector::builder(SslMethod::tls_client())
        .map_err(|error| ConfigError::Conflict { message: format!("cannot initialise TLS: {error}") })?;
    if let Some(ca) = &options.ca_cert {
        builder.set_ca_file(ca).map_err(|e| invalid(names::SSL_CA_CERT, ca, e))?;
    }
    if let Some((cert, key)) = &options.client_cert {
        builder.set_certificate_chain_file(cert).map_err(|e| invalid(names::SSL_CLIENT_CERT, cert, e))?;
        builder.set_private_key_file(key, SslFiletype::PEM).map_err(|e| invalid(names::SSL_CLIENT_KEY, key, e))?;
        builder.check_private_key().map_err(|e| invalid(names::SSL_CLIENT_KEY, key, e))?;
    }
    if !options.verify_hostname {
        // The chain is still verified; only a name or address mismatch is forgiven.
        builder.set_verify_callback(SslVerifyMode::PEER, |verified, context| {
            verified || NAME_MISMATCH_CODES.contains(&context.error().as_raw())
        });
    }
    Ok(OpenSsl010Config::new(builder))
}
