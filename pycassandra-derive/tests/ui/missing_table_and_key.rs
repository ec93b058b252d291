use pycassandra::row::CassandraRow;

#[derive(CassandraRow)]
struct Row {
    id: i32,
}

#[derive(CassandraRow)]
#[cassandra(table = "t")]
struct NoKey {
    id: i32,
}

fn main() {}
