//! Opens a driver session from [`ConnectionOptions`].

mod tls;

use std::sync::Arc;

use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::errors::{DbError, ExecutionError, RequestAttemptError};
use scylla::statement::unprepared::Statement;

use crate::config::ConnectionOptions;
use crate::error::{ConnectError, Error};

/// Connects to the cluster. The driver's default load balancing is
/// token-aware (and shard-aware on ScyllaDB), so each request goes to a
/// replica of its partition.
///
/// ```no_run
/// # async fn demo() -> Result<(), pycassandra::Error> {
/// let options = pycassandra::ConnectionOptions::new(["127.0.0.1"]);
/// let session = pycassandra::session::connect(&options).await?;
/// # Ok(()) }
/// ```
pub async fn connect(options: &ConnectionOptions) -> Result<Arc<Session>, Error> {
    connect_for(options, &[]).await
}

/// Like [`connect`], reading the schema of these keyspaces only (each as
/// given and in lower case, the spelling of unquoted names). A cluster may
/// hold hundreds of keyspaces; reading them all at every connect and schema
/// refresh costs the node and the client for nothing.
///
/// ```no_run
/// # async fn demo() -> Result<(), pycassandra::Error> {
/// let options = pycassandra::ConnectionOptions::new(["127.0.0.1"]);
/// let session = pycassandra::session::connect_for(&options, &["shop"]).await?;
/// let orders = pycassandra::TableSchema::load(&session, "shop", "orders").await?;
/// # Ok(()) }
/// ```
pub async fn connect_for(options: &ConnectionOptions, keyspaces: &[&str]) -> Result<Arc<Session>, Error> {
    let profile = ExecutionProfile::builder().request_timeout(Some(options.request_timeout)).build();
    let mut builder = SessionBuilder::new()
        .known_nodes(&options.contact_points)
        .connection_timeout(options.connect_timeout)
        .default_execution_profile_handle(profile.into_handle());
    if !keyspaces.is_empty() {
        let mut names: Vec<String> = keyspaces.iter().flat_map(|k| [k.to_string(), k.to_lowercase()]).collect();
        names.sort();
        names.dedup();
        builder = builder.keyspaces_to_fetch(names);
    }
    if let Some(tls) = &options.tls {
        builder = builder.tls_context(Some(tls::context(tls)?));
    }
    if let Some(credentials) = &options.credentials {
        builder = builder.user(credentials.username.clone(), credentials.password.expose());
    }
    tracing::debug!(contact_points = ?options.contact_points, "connecting");
    let session = builder
        .build()
        .await
        .map_err(|source| ConnectError { contact_points: options.contact_points.join(","), source })?;
    Ok(Arc::new(session))
}

/// A read of a system table (`system_schema`, `system.size_estimates`).
/// Idempotent, so the driver's retry policy tries the next node when one is
/// overloaded or shutting down: unmarked, such an answer from the one node
/// asked ended a stream while another node of the cluster stood ready.
pub(crate) fn system_read(cql: &str) -> Statement {
    let mut statement = Statement::new(cql);
    statement.set_is_idempotent(true);
    statement
}

/// No node answered: the request timed out, found no connection or lost it,
/// or the node was overloaded, shutting down or still starting. A node that
/// answered with any other error did answer.
pub(crate) fn no_node_answered(error: &ExecutionError) -> bool {
    match error {
        ExecutionError::RequestTimeout(_) | ExecutionError::ConnectionPoolError(_) | ExecutionError::EmptyPlan => true,
        ExecutionError::LastAttemptError(attempt) => matches!(
            attempt,
            RequestAttemptError::BrokenConnectionError(_)
                | RequestAttemptError::UnableToAllocStreamId
                | RequestAttemptError::DbError(DbError::Overloaded | DbError::IsBootstrapping, _)
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn system_reads_may_be_retried_on_another_node() {
        assert!(super::system_read("SELECT id FROM system_schema.tables").get_is_idempotent());
    }

    #[test]
    fn a_refusal_is_an_answer_and_a_lost_connection_or_a_shutdown_is_none() {
        use scylla::errors::{DbError, ExecutionError, RequestAttemptError};
        let refused = |db| ExecutionError::LastAttemptError(RequestAttemptError::DbError(db, "node says".into()));
        assert!(super::no_node_answered(&ExecutionError::EmptyPlan));
        assert!(super::no_node_answered(&ExecutionError::RequestTimeout(std::time::Duration::from_secs(1))));
        assert!(super::no_node_answered(&refused(DbError::Overloaded)));
        assert!(!super::no_node_answered(&refused(DbError::Unauthorized)));
        assert!(!super::no_node_answered(&refused(DbError::Invalid)));
    }
}
