//! Cutting the Murmur3 token ring into splits: contiguous, never wrapping,
//! each inside one replica set, together covering every token exactly once.

use uuid::Uuid;

/// Tokens `(start, end]` of the Murmur3 ring, with `start < end`. A range that
/// wraps around the ring is always cut in two at its end, so no range wraps.
/// `i64::MIN` is never a key's token (Murmur3 maps it to `i64::MAX`), which is
/// why the first range may start there.
///
/// ```
/// use pycassandra::read::TokenRange;
/// let range = TokenRange { start: -100, end: 100 };
/// assert!(range.contains(100) && !range.contains(-100)); // (start, end]
/// assert_eq!(TokenRange::FULL.cut(2), [TokenRange { start: i64::MIN, end: -1 }, TokenRange { start: -1, end: i64::MAX }]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TokenRange {
    /// Exclusive lower bound.
    pub start: i64,
    /// Inclusive upper bound.
    pub end: i64,
}

impl TokenRange {
    /// The whole ring.
    pub const FULL: TokenRange = TokenRange { start: i64::MIN, end: i64::MAX };

    /// How many tokens the range holds.
    ///
    /// ```
    /// use pycassandra::read::TokenRange;
    /// assert_eq!(TokenRange { start: -100, end: 100 }.width(), 200);
    /// assert_eq!(TokenRange::FULL.width(), u128::from(u64::MAX));
    /// ```
    pub fn width(&self) -> u128 {
        (i128::from(self.end) - i128::from(self.start)) as u128
    }

    /// Whether `token` lies in the range.
    ///
    /// ```
    /// use pycassandra::read::TokenRange;
    /// let range = TokenRange { start: 0, end: 10 };
    /// assert!(!range.contains(0) && range.contains(1) && range.contains(10) && !range.contains(11));
    /// ```
    pub fn contains(&self, token: i64) -> bool {
        self.start < token && token <= self.end
    }

    /// `pieces` ranges of (nearly) equal width that together are this one.
    ///
    /// ```
    /// use pycassandra::read::TokenRange;
    /// let pieces = TokenRange { start: 0, end: 10 }.cut(3);
    /// assert_eq!(pieces, [TokenRange { start: 0, end: 3 }, TokenRange { start: 3, end: 6 }, TokenRange { start: 6, end: 10 }]);
    /// assert_eq!(TokenRange { start: 0, end: 2 }.cut(5).len(), 2); // never an empty piece
    /// ```
    pub fn cut(&self, pieces: usize) -> Vec<TokenRange> {
        let pieces = pieces.clamp(1, usize::try_from(self.width()).unwrap_or(usize::MAX).max(1));
        let width = self.width();
        let mut ranges = Vec::with_capacity(pieces);
        let mut start = self.start;
        for i in 1..=pieces {
            let end = if i == pieces {
                self.end
            } else {
                (i128::from(self.start) + (width * i as u128 / pieces as u128) as i128) as i64
            };
            ranges.push(TokenRange { start, end });
            start = end;
        }
        ranges
    }
}

/// One unit of scanning: a range and the nodes that hold it, best first.
///
/// ```no_run
/// # async fn demo(reader: pycassandra::CassandraReader) -> Result<(), pycassandra::Error> {
/// for split in reader.splits().await? {
///     println!("tokens ({}, {}] from {:?} first", split.range.start, split.range.end, split.replicas.first());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSplit {
    /// The tokens scanned.
    pub range: TokenRange,
    /// Host ids of the range's replicas, in the order they should be asked.
    pub replicas: Vec<Uuid>,
}

const RING_WIDTH: f64 = 18_446_744_073_709_551_615.0;

/// Cuts the ring into about `wanted` splits. `ring` is each node token with
/// the replicas of the range it ends, in any order. Neighbouring ranges held
/// by the same replicas are joined first, because a node's vnode tokens are
/// not where its data changes hands: a one-node ring (or RF = node count) is
/// one range, so a small table gets `wanted` splits rather than one per vnode.
/// Every joined range is then cut into pieces proportional to its share of
/// the ring (at least one), so a split never straddles two replica sets.
pub fn split_ring(ring: &[(i64, Vec<Uuid>)], wanted: usize) -> Vec<TokenSplit> {
    let mut ring: Vec<&(i64, Vec<Uuid>)> = ring.iter().collect();
    ring.sort_by_key(|(token, _)| *token);
    ring.dedup_by_key(|(token, _)| *token);
    let Some(((first_token, first_replicas), (last_token, _))) =
        ring.first().zip(ring.last()).map(|(f, l)| ((f.0, &f.1), (l.0, &l.1)))
    else {
        return TokenRange::FULL
            .cut(wanted)
            .into_iter()
            .map(|range| TokenSplit { range, replicas: Vec::new() })
            .collect();
    };
    // The ranges owned, in ring order, the wrapping one cut at i64::MAX.
    let mut owned: Vec<(TokenRange, &Vec<Uuid>)> = Vec::with_capacity(ring.len() + 1);
    if first_token > i64::MIN {
        owned.push((TokenRange { start: i64::MIN, end: first_token }, first_replicas));
    }
    for pair in ring.windows(2) {
        owned.push((TokenRange { start: pair[0].0, end: pair[1].0 }, &pair[1].1));
    }
    if last_token < i64::MAX {
        owned.push((TokenRange { start: last_token, end: i64::MAX }, first_replicas));
    }
    let mut splits = Vec::new();
    for (range, replicas) in join_same_replicas(owned) {
        let share = range.width() as f64 / RING_WIDTH;
        let pieces = (share * wanted as f64).round().max(1.0) as usize;
        // Every replica of the set holds the whole range, so the pieces take
        // turns leading with each: a joined ring of RF = node count would
        // otherwise send every split to one node.
        splits.extend(range.cut(pieces).into_iter().enumerate().map(|(piece, range)| {
            let mut replicas = replicas.clone();
            if !replicas.is_empty() {
                let turn = piece % replicas.len();
                replicas.rotate_left(turn);
            }
            TokenSplit { range, replicas }
        }));
    }
    splits
}

/// Joins neighbouring ranges whose replica sets are equal, in any order.
fn join_same_replicas(owned: Vec<(TokenRange, &Vec<Uuid>)>) -> Vec<(TokenRange, &Vec<Uuid>)> {
    let same_set = |a: &[Uuid], b: &[Uuid]| {
        let (mut a, mut b) = (a.to_vec(), b.to_vec());
        a.sort_unstable();
        b.sort_unstable();
        a == b
    };
    let mut joined: Vec<(TokenRange, &Vec<Uuid>)> = Vec::with_capacity(owned.len());
    for (range, replicas) in owned {
        match joined.last_mut() {
            Some((last, last_replicas)) if last.end == range.start && same_set(last_replicas, replicas) => {
                last.end = range.end;
            }
            _ => joined.push((range, replicas)),
        }
    }
    joined
}

/// How many splits a table of `table_bytes` needs for `split_size_bytes` each,
/// never fewer than `min_splits` (the caller's option: taken as given).
pub fn splits_for(table_bytes: Option<u64>, split_size_bytes: u64, min_splits: usize) -> usize {
    let by_size = table_bytes.map_or(0, |bytes| bytes.div_ceil(split_size_bytes.max(1)));
    usize::try_from(by_size).unwrap_or(usize::MAX).max(min_splits).max(1)
}

#[cfg(test)]
#[path = "token_range_tests.rs"]
mod tests;

/// How many splits a read gets when its caller set no `min_splits`, on a
/// machine of `cores`; `partitions` is the table's partition count when it
/// has fewer than 4 per core (else `None`).
///
/// - Bigger than one split by the estimate: one per `split_size_bytes`, at
///   least 4 per core, a multiple of the cores. Equal token ranges of a
///   hashed ring hold about equal data, so every core stays busy until the
///   last split ends. Never more than `partitions`: a partition is never
///   cut, so further splits would be empty tasks.
/// - Else, fewer than 4 partitions per core: one per partition, at most one
///   per core. Equal token ranges of so few partitions hold them at random,
///   so more splits balance nothing.
/// - Else one split's worth by the estimate: one per core.
/// - Else no estimate yet (nothing flushed and measured) of many partitions:
///   4 per core, as for a big table.
///
/// ```
/// use pycassandra::read::token_range::default_splits;
/// let split = 64 << 20;
/// assert_eq!(default_splits(Some(1 << 30), split, None, 2), 16); // 1 GiB: by size
/// assert_eq!(default_splits(None, split, Some(6), 32), 6); // six rows just written, 32 cores
/// ```
pub fn default_splits(table_bytes: Option<u64>, split_size_bytes: u64, partitions: Option<u64>, cores: usize) -> usize {
    let cores = cores.max(1);
    let few = partitions.map(|partitions| usize::try_from(partitions).unwrap_or(usize::MAX).max(1));
    match (table_bytes, few) {
        (Some(bytes), _) if bytes > split_size_bytes => {
            let by_size = splits_for(Some(bytes), split_size_bytes, 4 * cores).next_multiple_of(cores);
            few.map_or(by_size, |few| by_size.min(few))
        }
        (_, Some(few)) => few.min(cores),
        (Some(_), None) => cores,
        (None, None) => 4 * cores,
    }
}

/// `splits` (in ring order) as at most `tasks` runs of neighbouring splits,
/// each about an equal share of the tokens: a ring of many replica sets has
/// more splits than a small table wants tasks (a split never straddles two
/// replica sets), and a task may read several.
///
/// ```
/// use pycassandra::read::token_range::{group_splits, TokenRange, TokenSplit};
/// let splits: Vec<TokenSplit> =
///     TokenRange::FULL.cut(6).into_iter().map(|range| TokenSplit { range, replicas: Vec::new() }).collect();
/// assert_eq!(group_splits(splits, 2).iter().map(Vec::len).collect::<Vec<_>>(), [3, 3]);
/// ```
pub fn group_splits(splits: Vec<TokenSplit>, tasks: usize) -> Vec<Vec<TokenSplit>> {
    let tasks = tasks.max(1);
    if splits.len() <= tasks {
        return splits.into_iter().map(|split| vec![split]).collect();
    }
    let total: u128 = splits.iter().map(|s| s.range.width()).sum();
    let mut groups: Vec<Vec<TokenSplit>> = Vec::with_capacity(tasks);
    let mut before = 0u128;
    for split in splits {
        // The task whose share of the tokens holds this split's middle token.
        let middle = before + split.range.width() / 2;
        let task = (middle * tasks as u128).checked_div(total).map_or(0, |task| task as usize);
        before += split.range.width();
        let started = groups.len();
        match groups.last_mut() {
            Some(group) if started > task => group.push(split),
            _ => groups.push(vec![split]),
        }
    }
    groups
}
