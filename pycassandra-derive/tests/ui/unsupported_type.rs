use pycassandra::row::CassandraRow;

#[derive(CassandraRow)]
#[cassandra(table = "t")]
struct Row {
    #[cassandra(partition_key)]
    id: i32,
    size: u64,
}

fn main() {}
