use pycassandra::row::CassandraRow;

#[derive(CassandraRow)]
#[cassandra(table = "t")]
struct Row {
    #[cassandra(partition_key = 0)]
    a: i32,
    #[cassandra(partition_key = 0)]
    b: i32,
    #[cassandra(clustering_key = 1)]
    c: i32,
}

fn main() {}
