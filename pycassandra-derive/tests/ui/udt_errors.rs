use pycassandra::row::{CassandraRow, CassandraUdt};

// Every bad attribute of a user-defined type is reported, not just the first,
// and a row using the type adds no error of its own.
#[derive(CassandraUdt, scylla::SerializeValue, scylla::DeserializeValue)]
#[cassandra(title = "address")]
struct Address {
    #[cassandra(partition_key)]
    street: String,
    #[cassandra(rename = "no", skip)]
    number: Option<i32>,
}

#[derive(CassandraRow)]
#[cassandra(table = "t")]
struct Row {
    #[cassandra(partition_key)]
    id: i32,
    home: Option<Address>,
}

fn main() {}
