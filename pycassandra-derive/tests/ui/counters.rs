use pycassandra::row::CassandraRow;

#[derive(CassandraRow)]
#[cassandra(table = "t")]
struct Row {
    #[cassandra(partition_key)]
    page: String,
    #[cassandra(counter)]
    views: i32,
    note: String,
    #[cassandra(ttl)]
    ttl: i32,
}

fn main() {}
