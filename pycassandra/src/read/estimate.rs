//! How big a table is and where its tokens live, from what the cluster
//! already knows: `system.size_estimates`, the driver's token ring and, for
//! a table of a few partitions, the partitions themselves.

use scylla::client::session::Session;
use scylla::statement::unprepared::Statement;
use scylla::statement::Consistency;
use uuid::Uuid;

use crate::error::{Error, ReadError};
use crate::schema::TableSchema;

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
    let result = session
        .query_unpaged(crate::session::system_read(cql), (keyspace, table))
        .await
        .map_err(|e| statement_error(Box::new(e)))?;
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

/// How many partitions the table holds, when fewer than `limit`; `None`
/// when it holds `limit` or more, or the count failed (it only shapes the
/// splits, so a read goes on without it).
///
/// `system.size_estimates` counts flushed SSTables only, every few minutes,
/// so a table written a moment ago estimates as nothing whether it holds six
/// rows or a million. The node's own answer to `SELECT DISTINCT` covers its
/// memtables too, and stops after `limit` partitions, so a large table costs
/// one short range read.
pub(crate) async fn partitions_below(
    session: &Session,
    table: &TableSchema,
    consistency: Consistency,
    limit: usize,
) -> Option<u64> {
    let key: Vec<&str> = table.partition_key.iter().map(String::as_str).collect();
    let mut statement = Statement::new(crate::cql::distinct_partitions(&table.keyspace, &table.table, &key, limit));
    statement.set_consistency(consistency);
    statement.set_is_idempotent(true);
    let counted = async {
        let rows = session.query_unpaged(statement, ()).await.map_err(|e| e.to_string())?;
        rows.into_rows_result().map(|rows| rows.rows_num()).map_err(|e| e.to_string())
    };
    match counted.await {
        Ok(partitions) if partitions < limit => Some(partitions as u64),
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(table = %table.qualified_name(), %error, "counting the partitions failed; splits follow the size estimate");
            None
        }
    }
}
