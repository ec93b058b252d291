use pycassandra::row::{write_cql, CassandraRow};

// A row the derive refuses still implements CassandraRow (a stub), so code
// using it shows no second error; and two bad field types are two errors.
#[derive(CassandraRow)]
#[cassandra(table = "t")]
struct NoKey {
    v: String,
}

#[derive(CassandraRow)]
#[cassandra(table = "t")]
struct TwoBadTypes {
    #[cassandra(partition_key)]
    id: u32,
    size: u64,
}

fn main() {
    let _ = write_cql::<NoKey>("ks");
    let _ = write_cql::<TwoBadTypes>("ks");
}
