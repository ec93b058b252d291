use pycassandra::row::CassandraRow;

#[derive(CassandraRow)]
#[cassandra(table = "t")]
struct Row {
    #[cassandra(partition_key)]
    id: Option<i32>,
    #[cassandra(clustering_key)]
    at: Option<i64>,
}

fn main() {}
