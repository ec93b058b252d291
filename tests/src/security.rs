//! TLS and password authentication against the project's node profiles
//! (`scripts/cassandra start --profile tls|mtls|tls-badname|auth`).

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use pycassandra::config::TlsOptions;
use pycassandra::{CassandraWriter, ConnectionOptions, Error, Secret, WriteOptions};

const TLS_NODE: &str = "127.0.0.12";
const MTLS_NODE: &str = "127.0.0.13";
const BADNAME_NODE: &str = "127.0.0.14";
const AUTH_NODE: &str = "127.0.0.11";

fn tls_file(name: &str) -> PathBuf {
    let cache = std::env::var("PYCASSANDRA_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/pycassandra"));
    let path = cache.join("tls").join(name);
    assert!(path.is_file(), "{} is missing: start the TLS nodes with scripts/cassandra", path.display());
    path
}

fn tls_options(node: &str, tls: TlsOptions) -> ConnectionOptions {
    let mut options = ConnectionOptions::new([node]);
    options.tls = Some(tls);
    options
}

async fn round_trip(connection: ConnectionOptions) -> Result<u64, Error> {
    let session = pycassandra::session::connect(&connection).await?;
    let keyspace = crate::unique_keyspace(&session).await;
    crate::ddl(&session, &format!("CREATE TABLE {keyspace}.kv (k int PRIMARY KEY, v text)")).await;
    let schema =
        Arc::new(Schema::new(vec![Field::new("k", DataType::Int32, false), Field::new("v", DataType::Utf8, true)]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(Int32Array::from(vec![1, 2])), Arc::new(StringArray::from(vec!["a", "b"]))],
    )
    .unwrap();
    let mut writer =
        CassandraWriter::with_session(session.clone(), WriteOptions::new(connection, &keyspace, "kv"), &schema).await?;
    writer.write_batch(&batch).await?;
    let report = writer.finish().await?;
    crate::ddl(&session, &format!("DROP KEYSPACE {keyspace}")).await;
    Ok(report.rows_written)
}

#[tokio::test]
async fn tls_with_the_right_ca_writes() {
    assert_eq!(round_trip(tls_options(TLS_NODE, TlsOptions::with_ca(tls_file("ca.pem")))).await.unwrap(), 2);
}

#[tokio::test]
async fn tls_with_a_wrong_ca_is_refused() {
    let error = round_trip(tls_options(TLS_NODE, TlsOptions::with_ca(tls_file("other-ca.pem")))).await.unwrap_err();
    assert!(matches!(error, Error::Connect(_)), "{error}");
    assert!(error.to_string().contains("invalid peer certificate: UnknownIssuer"), "{error}");
}

#[tokio::test]
async fn without_hostname_checks_the_chain_is_still_verified() {
    let mut relaxed = TlsOptions::with_ca(tls_file("other-ca.pem"));
    relaxed.verify_hostname = false;
    let error = round_trip(tls_options(BADNAME_NODE, relaxed)).await.unwrap_err();
    assert!(error.to_string().contains("invalid peer certificate: UnknownIssuer"), "{error}");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_unless_hostname_checks_are_off() {
    let error = round_trip(tls_options(BADNAME_NODE, TlsOptions::with_ca(tls_file("ca.pem")))).await.unwrap_err();
    assert!(matches!(error, Error::Connect(_)), "{error}");
    assert!(error.to_string().contains("certificate not valid for name"), "{error}");
    let mut relaxed = TlsOptions::with_ca(tls_file("ca.pem"));
    relaxed.verify_hostname = false;
    assert_eq!(round_trip(tls_options(BADNAME_NODE, relaxed)).await.unwrap(), 2);
}

#[tokio::test]
async fn a_node_requiring_client_certificates_accepts_ours_and_refuses_none() {
    let mut with_cert = TlsOptions::with_ca(tls_file("ca.pem"));
    with_cert.client_cert = Some((tls_file("client.pem"), tls_file("client.key")));
    assert_eq!(round_trip(tls_options(MTLS_NODE, with_cert)).await.unwrap(), 2);
    let error = round_trip(tls_options(MTLS_NODE, TlsOptions::with_ca(tls_file("ca.pem")))).await.unwrap_err();
    assert!(matches!(error, Error::Connect(_)), "{error}");
}

#[tokio::test]
async fn tls_options_are_checked_before_connecting() {
    let map = std::collections::HashMap::from([
        ("host", "h"),
        ("keyspace", "k"),
        ("table", "t"),
        ("ssl_ca_cert", "/nonexistent/ca.pem"),
    ]);
    let error = WriteOptions::from_options(&map).unwrap_err().to_string();
    assert!(error.contains("'ssl_ca_cert' has invalid value '/nonexistent/ca.pem'"), "{error}");
    assert!(error.contains("ssl_ca_cert given but 'ssl_enabled' is not 'true'"), "{error}");
}

#[tokio::test]
async fn the_right_password_logs_in_and_a_wrong_one_is_refused_without_being_shown() {
    let good = ConnectionOptions::new([AUTH_NODE]).with_credentials("cassandra", Secret::new("cassandra"));
    assert_eq!(round_trip(good).await.unwrap(), 2);
    let secret = "wrong-password-xyzzy";
    let bad = ConnectionOptions::new([AUTH_NODE]).with_credentials("cassandra", Secret::new(secret));
    let error = round_trip(bad.clone()).await.unwrap_err();
    assert!(matches!(error, Error::Connect(_)), "{error}");
    let shown = format!("{error} {error:?} {bad:?}");
    assert!(shown.to_lowercase().contains("authentication") || shown.contains("credentials"), "{shown}");
    assert!(!shown.contains(secret), "the password leaked: {shown}");
}
