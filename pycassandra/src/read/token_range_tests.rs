use proptest::prelude::*;

use super::*;

/// Every token from MIN (exclusive) to MAX is in exactly one split, in order.
fn assert_covers_ring(splits: &[TokenSplit]) {
    assert_eq!(splits.first().map(|s| s.range.start), Some(i64::MIN));
    assert_eq!(splits.last().map(|s| s.range.end), Some(i64::MAX));
    for pair in splits.windows(2) {
        assert_eq!(pair[0].range.end, pair[1].range.start, "gap or overlap between {:?} and {:?}", pair[0], pair[1]);
    }
    assert!(splits.iter().all(|s| s.range.start < s.range.end), "empty or wrapping range in {splits:?}");
}

fn node(n: u128) -> Vec<Uuid> {
    vec![Uuid::from_u128(n)]
}

#[test]
fn one_node_one_token_is_cut_evenly_and_the_wrapping_range_is_split() {
    let splits = split_ring(&[(0, node(1))], 4);
    assert_covers_ring(&splits);
    assert_eq!(splits.len(), 4);
    assert!(splits.iter().all(|s| s.replicas == node(1)));
}

#[test]
fn a_one_node_ring_of_many_vnodes_is_cut_by_size_not_at_its_tokens() {
    let ring: Vec<(i64, Vec<Uuid>)> = (0..16).map(|i| (i64::MIN / 16 * (8 - i), node(1))).collect();
    for wanted in [1, 3, 5, 40] {
        let splits = split_ring(&ring, wanted);
        assert_covers_ring(&splits);
        assert_eq!(splits.len(), wanted, "one node, 16 tokens, {wanted} wanted");
    }
}

#[test]
fn neighbours_with_the_same_replicas_in_another_order_are_joined() {
    let (ab, ba) = (vec![Uuid::from_u128(1), Uuid::from_u128(2)], vec![Uuid::from_u128(2), Uuid::from_u128(1)]);
    let ring = [(-200, ab.clone()), (-100, ba.clone()), (100, node(3)), (200, ab.clone())];
    let splits = split_ring(&ring, 1);
    assert_covers_ring(&splits);
    // (MIN, -200] and (-200, -100] join; (-100, 100] is node 3's; (100, 200] and the tail to MAX join.
    let bounds: Vec<(i64, i64)> = splits.iter().map(|s| (s.range.start, s.range.end)).collect();
    assert_eq!(bounds, [(i64::MIN, -100), (-100, 100), (100, i64::MAX)]);
    assert_eq!(splits[0].replicas, ab);
    assert_eq!(splits[1].replicas, node(3));
}

#[test]
fn pieces_of_a_shared_range_take_turns_leading_with_each_replica() {
    // Three nodes, one token each, RF 3: every range has all three, so the ring joins into one.
    let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
    let ring = [(i64::MIN, vec![a, b, c]), (0, vec![b, c, a]), (i64::MAX / 2, vec![c, a, b])];
    let splits = split_ring(&ring, 6);
    assert_covers_ring(&splits);
    assert_eq!(splits.len(), 6);
    for node in [a, b, c] {
        let leads = splits.iter().filter(|s| s.replicas[0] == node).count();
        assert_eq!(leads, 2, "node {node} leads {leads} of 6 splits");
    }
    assert!(splits.iter().all(|s| s.replicas.len() == 3));
}

#[test]
fn the_range_past_the_last_token_belongs_to_the_first_node() {
    let ring = [(-100, node(1)), (100, node(2))];
    let splits = split_ring(&ring, 2);
    assert_covers_ring(&splits);
    let owner = |token: i64| splits.iter().find(|s| s.range.contains(token)).map(|s| s.replicas.clone());
    assert_eq!(owner(-100), Some(node(1)));
    assert_eq!(owner(-99), Some(node(2)));
    assert_eq!(owner(100), Some(node(2)));
    assert_eq!(owner(101), Some(node(1)));
    assert_eq!(owner(i64::MAX), Some(node(1)));
    assert_eq!(owner(i64::MIN + 1), Some(node(1)));
}

#[test]
fn tokens_at_the_ring_ends_are_kept() {
    let splits = split_ring(&[(i64::MIN, node(1)), (i64::MAX, node(2))], 3);
    assert_covers_ring(&splits);
    assert!(splits.iter().any(|s| s.range.contains(i64::MAX)));
}

#[test]
fn an_empty_ring_still_covers_every_token() {
    let splits = split_ring(&[], 5);
    assert_covers_ring(&splits);
    assert_eq!(splits.len(), 5);
}

#[test]
fn split_count_follows_table_size_and_minimum() {
    assert_eq!(splits_for(Some(640 << 20), 64 << 20, 1), 10);
    assert_eq!(splits_for(Some((640 << 20) + 1), 64 << 20, 1), 11);
    assert_eq!(splits_for(Some(1), 64 << 20, 5), 5);
    assert_eq!(splits_for(None, 64 << 20, 0), 1);
}

proptest! {
    #[test]
    fn any_ring_is_covered_exactly_once(tokens in proptest::collection::vec(any::<i64>(), 0..40), wanted in 1usize..300) {
        let ring: Vec<(i64, Vec<Uuid>)> = tokens.iter().enumerate().map(|(i, t)| (*t, node(i as u128))).collect();
        let splits = split_ring(&ring, wanted);
        assert_covers_ring(&splits);
        prop_assert!(splits.len() >= wanted.min(1));
        // Never more than one extra piece per owned range from rounding up.
        prop_assert!(splits.len() <= wanted + tokens.len() + 1);
    }

    #[test]
    fn cut_pieces_are_contiguous(start in any::<i64>(), width in 1u64.., pieces in 1usize..1000) {
        let end = start.saturating_add(width as i64).max(start.saturating_add(1));
        prop_assume!(end > start);
        let range = TokenRange { start, end };
        let cut = range.cut(pieces);
        prop_assert_eq!(cut.first().map(|r| r.start), Some(start));
        prop_assert_eq!(cut.last().map(|r| r.end), Some(end));
        for pair in cut.windows(2) {
            prop_assert_eq!(pair[0].end, pair[1].start);
            prop_assert!(pair[0].start < pair[0].end);
        }
    }
}

#[test]
fn default_splits_follow_size_cores_and_a_few_partitions() {
    let split = 64 << 20;
    // Bigger than a split: by size, at least 4 per core, a multiple of the cores.
    assert_eq!(default_splits(Some(640 << 20), split, None, 2), 10);
    assert_eq!(default_splits(Some(650 << 20), split, None, 2), 12);
    assert_eq!(default_splits(Some(130 << 20), split, None, 32), 128);
    // ... but never more than a few partitions.
    assert_eq!(default_splits(Some(6 << 30), split, Some(6), 2), 6);
    // One split's worth: one per core, however many cores.
    assert_eq!(default_splits(Some(35 << 20), split, None, 32), 32);
    assert_eq!(default_splits(Some(1), split, None, 2), 2);
    // A few partitions, measured or not (a table written a moment ago): one per partition, at most one per core.
    assert_eq!(default_splits(None, split, Some(6), 32), 6);
    assert_eq!(default_splits(Some(35 << 20), split, Some(6), 32), 6);
    assert_eq!(default_splits(None, split, Some(6), 2), 2);
    assert_eq!(default_splits(None, split, Some(0), 8), 1);
    // Nothing measured yet, many partitions: the size is unknown, so 4 per core.
    assert_eq!(default_splits(None, split, None, 2), 8);
    assert_eq!(default_splits(None, split, None, 0), 4);
}

fn split(start: i64, end: i64) -> TokenSplit {
    TokenSplit { range: TokenRange { start, end }, replicas: node(start as u128) }
}

#[test]
fn splits_group_into_neighbouring_runs_of_about_equal_tokens() {
    // 30 nodes of one token each, one replica: 31 replica sets, so 31 splits however few are wanted.
    let token = |i: i64| (-9_000_000_000_000_000_000i128 + i128::from(i) * 600_000_000_000_000_000) as i64;
    let ring: Vec<(i64, Vec<Uuid>)> = (0..30i64).map(|i| (token(i), node(i as u128))).collect();
    let splits = split_ring(&ring, 2);
    assert!(splits.len() > 20, "{} splits", splits.len());
    let groups = group_splits(splits.clone(), 4);
    assert_eq!(groups.len(), 4);
    // In ring order, each split once.
    assert_eq!(groups.concat(), splits);
    let total: u128 = splits.iter().map(|s| s.range.width()).sum();
    for group in &groups {
        let share = group.iter().map(|s| s.range.width()).sum::<u128>() as f64 / total as f64;
        assert!((0.15..0.35).contains(&share), "a group holds {share} of the ring");
    }
    // Fewer splits than tasks: one task each.
    let few = vec![split(i64::MIN, 0), split(0, i64::MAX)];
    assert_eq!(group_splits(few.clone(), 8), vec![vec![few[0].clone()], vec![few[1].clone()]]);
    assert_eq!(group_splits(few.clone(), 1), vec![few]);
}
