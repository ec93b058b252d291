//! How big a table is and where its tokens live, from what the cluster
//! already knows: `system.size_estimates` and the driver's token ring.

use scylla::client::session::Session;
use uuid::Uuid;

use crate::error::{Error, ReadError};

const RING_WIDTH: f64 = 18_446_744_073_709_551_616.0;

/// The table's estimated bytes, extrapolated from the ranges the answering
/// node records (each node records only its own primary ranges); `None` when
/// nothing is recorded yet (a new table, or data not yet flushed).
pub(crate) async fn table_bytes(session: &Session, keyspace: &str, table: &str) -> Result<Option<u64>, Error> {
    let cql = "SELECT range_start, range_end, partitions_count, mean_partition_size FROM system.size_estimates \
               WHERE keyspace_name = ? AND table_name = ?";
    let statement_error = |source: Box<dyn std::error::Error + Send + Sync>| ReadError::Statement {
        table: format!("{keyspace}.{table}"),
        cql: cql.to_string(),
        source,
    };
    let result = session.query_unpaged(cql, (keyspace, table)).await.map_err(|e| statement_error(Box::new(e)))?;
    let rows = result.into_rows_result().map_err(|e| statement_error(Box::new(e)))?;
    let mut bytes = 0f64;
    let mut covered = 0f64;
    for row in rows.rows::<(String, String, i64, i64)>().map_err(|e| statement_error(Box::new(e)))? {
        let (start, end, partitions, mean_size) = row.map_err(|e| statement_error(Box::new(e)))?;
        let (Ok(start), Ok(end)) = (start.parse::<i64>(), end.parse::<i64>()) else { continue };
        let width = i128::from(end) - i128::from(start);
        // A range that wraps (start >= end) covers the ring minus the gap.
        covered += if width > 0 { width as f64 } else { RING_WIDTH + width as f64 };
        bytes += partitions.max(0) as f64 * mean_size.max(0) as f64;
    }
    if covered <= 0.0 || bytes <= 0.0 {
        return Ok(None);
    }
    Ok(Some((bytes * RING_WIDTH / covered.min(RING_WIDTH)) as u64))
}

/// Each node token with the replicas of the range it ends, best first.
pub(crate) fn ring(session: &Session, keyspace: &str, table: &str) -> Vec<(i64, Vec<Uuid>)> {
    let state = session.get_cluster_state();
    state
        .replica_locator()
        .ring()
        .iter()
        .map(|(token, _)| {
            let replicas =
                state.get_token_endpoints(keyspace, table, *token).into_iter().map(|(node, _)| node.host_id).collect();
            (token.value(), replicas)
        })
        .collect()
}
