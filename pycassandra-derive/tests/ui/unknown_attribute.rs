use pycassandra::row::CassandraRow;

#[derive(CassandraRow)]
#[cassandra(table = "t", ttl = 5)]
struct Row {
    #[cassandra(primary_key)]
    id: i32,
}

fn main() {}
