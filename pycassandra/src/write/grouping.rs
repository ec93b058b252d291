//! Cutting a batch's rows into requests. Every row's token is computed once
//! (by the plan); `Partition` groups rows by token, `ReplicaSet` by the first
//! replica of the token. A group is cut into unlogged batches of at most
//! `batch_max_rows` rows; a batch of one partition holds at most
//! [`Limits::max_bytes_one_partition`] bytes (see [`super::size`]), one that
//! spans partitions at most [`Limits::max_bytes_across_partitions`] and ten
//! partitions, Cassandra's stock thresholds for such batches. So a replica-set
//! batch is as large as a partition batch where partitions are large, and
//! packs small partitions where they are not. A row whose token is unknown,
//! or that alone fills a batch, goes alone.

use std::collections::HashMap;

use scylla::cluster::ClusterState;
use scylla::routing::{Shard, Token};
use uuid::Uuid;

use super::action::RowAction;
use super::encoded::PartitionKey;
use super::request::Request;
use crate::config::BatchGrouping;

/// Partitions one replica-set batch may cover: above Cassandra's stock
/// `unlogged_batch_across_partitions_warn_threshold` (10) a node logs
/// "Unlogged batch covering N partitions" for every such batch.
pub(crate) const MAX_PARTITIONS_PER_REPLICA_SET_BATCH: usize = 10;

/// Where a table's partitions live, as the driver last saw the cluster.
pub(crate) struct Ring<'a> {
    pub(crate) cluster: &'a ClusterState,
    pub(crate) keyspace: &'a str,
    pub(crate) table: &'a str,
}

impl Ring<'_> {
    /// The token of a row's partition key: the driver's, else (no metadata
    /// for the table) the Murmur3 token of its bytes; `None` for a null key.
    pub(crate) fn token(&self, partition_key: &PartitionKey<'_>) -> Option<Token> {
        match self.cluster.compute_token(self.keyspace, self.table, partition_key) {
            Ok(token) => Some(token),
            Err(_) => partition_key.murmur3_token(),
        }
    }

    fn first_replica(&self, token: Token) -> Option<GroupKey> {
        let replicas = self.cluster.get_token_endpoints(self.keyspace, self.table, token);
        replicas.first().map(|(node, shard)| GroupKey::Replica(node.host_id, *shard))
    }
}

/// A row to send, its partition's token (`None` when not grouping or when
/// the driver cannot compute it) and its estimated size in bytes.
pub(crate) struct PlannedRow<V> {
    pub(crate) action: RowAction<V>,
    pub(crate) token: Option<Token>,
    pub(crate) bytes: usize,
}

/// Upper bounds of one batch.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_rows: usize,
    /// Of a batch whose rows all share one partition: the node checks no
    /// batch threshold for it.
    pub(crate) max_bytes_one_partition: usize,
    /// Of a batch spanning partitions, which the node measures against
    /// `batch_size_warn_threshold`.
    pub(crate) max_bytes_across_partitions: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum GroupKey {
    Token(i64),
    Replica(Uuid, Shard),
}

/// The requests that send `rows`, in the order their groups first appear.
pub(crate) fn requests<V>(
    rows: Vec<PlannedRow<V>>,
    grouping: BatchGrouping,
    ring: &Ring<'_>,
    limits: Limits,
) -> Vec<Request<V>> {
    let (key, max_partitions): (&dyn Fn(Token) -> Option<GroupKey>, usize) = match grouping {
        BatchGrouping::None => return rows.into_iter().map(|row| Request::Single(row.action)).collect(),
        BatchGrouping::Partition => (&|token: Token| Some(GroupKey::Token(token.value())), 1),
        BatchGrouping::ReplicaSet => (&|token| ring.first_replica(token), MAX_PARTITIONS_PER_REPLICA_SET_BATCH),
    };
    let keyed = rows.into_iter().map(|row| {
        let group = row.token.and_then(key);
        (row, group)
    });
    cut(keyed, limits, max_partitions)
}

/// Groups rows by key, then cuts each group into batches within `limits`
/// and covering at most `max_partitions` distinct tokens.
fn cut<V>(
    rows: impl Iterator<Item = (PlannedRow<V>, Option<GroupKey>)>,
    limits: Limits,
    max_partitions: usize,
) -> Vec<Request<V>> {
    let mut requests = Vec::new();
    let mut groups: Vec<Vec<PlannedRow<V>>> = Vec::new();
    let mut index_of: HashMap<GroupKey, usize> = HashMap::new();
    for (row, key) in rows {
        match key {
            None => requests.push(Request::Single(row.action)),
            Some(key) => {
                let at = *index_of.entry(key).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
                groups[at].push(row);
            }
        }
    }
    for mut group in groups {
        if max_partitions > 1 {
            // A partition's rows side by side: a large partition then fills
            // batches of its own, and small ones pack together. The sort is
            // stable, so rows of one partition keep their input order.
            group.sort_by_key(|row| row.token.map(|token| token.value()));
        }
        let mut chunk = Chunk::default();
        for row in group {
            if !chunk.rows.is_empty() && !chunk.takes(&row, limits, max_partitions) {
                requests.push(Request::from_rows(std::mem::take(&mut chunk).rows));
            }
            chunk.push(row);
        }
        if !chunk.rows.is_empty() {
            requests.push(Request::from_rows(chunk.rows));
        }
    }
    requests
}

/// The batch being filled.
struct Chunk<V> {
    rows: Vec<RowAction<V>>,
    bytes: usize,
    tokens: Vec<Option<Token>>,
}

impl<V> Default for Chunk<V> {
    fn default() -> Self {
        Self { rows: Vec::new(), bytes: 0, tokens: Vec::new() }
    }
}

impl<V> Chunk<V> {
    /// Whether `row` fits: the byte bound is the one of the batch it would make.
    fn takes(&self, row: &PlannedRow<V>, limits: Limits, max_partitions: usize) -> bool {
        let new_partition = !self.tokens.contains(&row.token);
        let partitions = self.tokens.len() + usize::from(new_partition);
        let max_bytes =
            if partitions > 1 { limits.max_bytes_across_partitions } else { limits.max_bytes_one_partition };
        self.rows.len() < limits.max_rows && self.bytes + row.bytes <= max_bytes && partitions <= max_partitions
    }

    fn push(&mut self, row: PlannedRow<V>) {
        if !self.tokens.contains(&row.token) {
            self.tokens.push(row.token);
        }
        self.rows.push(row.action);
        self.bytes += row.bytes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of one byte each, numbered, with the given tokens and group keys.
    fn rows(keys: &[(i64, u8)]) -> Vec<(PlannedRow<usize>, Option<GroupKey>)> {
        keys.iter()
            .enumerate()
            .map(|(number, &(token, group))| {
                let row = PlannedRow { action: RowAction::Write(number), token: Some(Token::new(token)), bytes: 1 };
                (row, Some(GroupKey::Replica(Uuid::from_u128(u128::from(group)), 0)))
            })
            .collect()
    }

    /// The row numbers of each request.
    fn shape(requests: &[Request<usize>]) -> Vec<Vec<usize>> {
        let number = |action: &RowAction<usize>| match action {
            RowAction::Write(n) | RowAction::Delete(n) => *n,
        };
        requests
            .iter()
            .map(|request| match request {
                Request::Single(action) => vec![number(action)],
                Request::Batch(actions) => actions.iter().map(number).collect(),
            })
            .collect()
    }

    const ROOMY: Limits = Limits { max_rows: 100, max_bytes_one_partition: 1000, max_bytes_across_partitions: 1000 };

    #[test]
    fn rows_of_one_group_share_batches_in_the_order_groups_first_appear() {
        let requests = cut(rows(&[(1, 0), (2, 1), (1, 0), (3, 1)]).into_iter(), ROOMY, 10);
        assert_eq!(shape(&requests), vec![vec![0, 2], vec![1, 3]]);
    }

    #[test]
    fn a_batch_closes_at_max_rows_and_at_max_bytes() {
        let same = [(1, 0); 5];
        let by_rows = cut(rows(&same).into_iter(), Limits { max_rows: 2, ..ROOMY }, 1);
        assert_eq!(shape(&by_rows), vec![vec![0, 1], vec![2, 3], vec![4]]);
        let by_bytes = cut(rows(&same).into_iter(), Limits { max_bytes_one_partition: 3, ..ROOMY }, 1);
        assert_eq!(shape(&by_bytes), vec![vec![0, 1, 2], vec![3, 4]]);
    }

    #[test]
    fn a_replica_set_batch_covers_at_most_ten_partitions() {
        // 25 rows of 12 partitions (tokens 0..12, some twice) on one replica.
        let keys: Vec<(i64, u8)> = (0..25).map(|i| (i % 12, 0)).collect();
        let requests = cut(rows(&keys).into_iter(), ROOMY, MAX_PARTITIONS_PER_REPLICA_SET_BATCH);
        for batch in shape(&requests) {
            let mut tokens: Vec<i64> = batch.iter().map(|&n| keys[n].0).collect();
            tokens.sort_unstable();
            tokens.dedup();
            assert!(tokens.len() <= 10, "{batch:?} covers {} partitions", tokens.len());
        }
        let mut sent = shape(&requests).concat();
        sent.sort_unstable();
        assert_eq!(sent, (0..25).collect::<Vec<_>>(), "every row is sent once");
        // Once ten partitions are in, a row of one of them still joins; a row of an eleventh does not.
        let keys: Vec<(i64, u8)> = (0..10).chain([0, 10, 11]).map(|token| (token, 0)).collect();
        let requests = cut(rows(&keys).into_iter(), ROOMY, MAX_PARTITIONS_PER_REPLICA_SET_BATCH);
        assert_eq!(shape(&requests), vec![vec![0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9], vec![11, 12]]);
    }

    /// Rows of `bytes` each, all on one replica, with the given tokens.
    fn sized(tokens: &[i64], bytes: usize) -> Vec<(PlannedRow<usize>, Option<GroupKey>)> {
        let mut keyed = rows(&tokens.iter().map(|&token| (token, 0)).collect::<Vec<_>>());
        for (row, _) in &mut keyed {
            row.bytes = bytes;
        }
        keyed
    }

    #[test]
    fn a_replica_set_batch_of_one_partition_takes_the_partition_bound() {
        let limits = Limits { max_rows: 100, max_bytes_one_partition: 1000, max_bytes_across_partitions: 250 };
        let requests = cut(sized(&[7; 5], 300).into_iter(), limits, MAX_PARTITIONS_PER_REPLICA_SET_BATCH);
        assert_eq!(shape(&requests), vec![vec![0, 1, 2], vec![3, 4]]);
    }

    #[test]
    fn small_partitions_pack_under_the_cross_partition_bound_and_large_ones_batch_alone() {
        // Partition 1 has five rows of 100 bytes, interleaved with partitions 2 and 3 of one row each.
        let limits = Limits { max_rows: 100, max_bytes_one_partition: 1000, max_bytes_across_partitions: 250 };
        let requests =
            cut(sized(&[1, 2, 1, 1, 3, 1, 1], 100).into_iter(), limits, MAX_PARTITIONS_PER_REPLICA_SET_BATCH);
        assert_eq!(shape(&requests), vec![vec![0, 2, 3, 5, 6], vec![1, 4]]);
    }

    #[test]
    fn partition_grouping_keeps_the_input_order() {
        let requests = cut(sized(&[1, 1, 1], 1).into_iter(), ROOMY, 1);
        assert_eq!(shape(&requests), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn a_row_without_a_group_goes_alone() {
        let mut keyed = rows(&[(1, 0), (1, 0)]);
        keyed[1].1 = None;
        assert_eq!(shape(&cut(keyed.into_iter(), ROOMY, 1)), vec![vec![1], vec![0]]);
    }
}
