//! Sends a range scan to a replica of its range: the driver cannot route a
//! statement without a partition key, so the scan names its replicas itself.

use scylla::cluster::{ClusterState, NodeRef};
use scylla::policies::load_balancing::{FallbackPlan, LoadBalancingPolicy, RoutingInfo};
use scylla::routing::Shard;
use uuid::Uuid;

/// Asks the range's replicas first, in order, then any other node.
#[derive(Debug)]
pub(crate) struct ReplicasFirst {
    pub(crate) replicas: Vec<Uuid>,
}

impl ReplicasFirst {
    fn replicas<'a>(&'a self, cluster: &'a ClusterState) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        self.replicas
            .iter()
            .filter_map(move |id| cluster.get_nodes_info().iter().find(|node| node.host_id == *id))
            .filter(|node| node.is_enabled())
    }
}

impl LoadBalancingPolicy for ReplicasFirst {
    fn pick<'a>(
        &'a self,
        _request: &'a RoutingInfo,
        cluster: &'a ClusterState,
    ) -> Option<(NodeRef<'a>, Option<Shard>)> {
        self.replicas(cluster)
            .find(|node| node.is_connected())
            .or_else(|| cluster.get_nodes_info().iter().find(|node| node.is_enabled() && node.is_connected()))
            .map(|node| (node, None))
    }

    fn fallback<'a>(&'a self, _request: &'a RoutingInfo, cluster: &'a ClusterState) -> FallbackPlan<'a> {
        let others = cluster
            .get_nodes_info()
            .iter()
            .filter(move |node| !self.replicas.contains(&node.host_id) && node.is_enabled());
        Box::new(self.replicas(cluster).chain(others).map(|node| (node, None)))
    }

    fn name(&self) -> String {
        "pycassandra::ReplicasFirst".into()
    }
}
