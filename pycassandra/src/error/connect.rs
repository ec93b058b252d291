//! A cluster that cannot be reached.

/// The cluster could not be reached.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[error("cannot connect to Cassandra at {contact_points}: {source}")]
pub struct ConnectError {
    /// The contact points tried.
    pub contact_points: String,
    /// The driver's reason.
    #[source]
    pub source: scylla::errors::NewSessionError,
}
