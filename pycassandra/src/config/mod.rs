//! Options: one typed form, parsed from the same string map whether it comes
//! from PySpark `.option(...)` calls or from Rust code. Every check that needs
//! no server happens here, before any connection is made.

mod change_agents;
mod changes;
pub mod names;
mod parse;
mod read;
mod secret;
mod validate;

use std::time::Duration;

// A change stream's options, public for the PySpark binding's ChangeJob.
#[doc(hidden)]
pub use change_agents::{AgentAddresses, ChangeAgents};
pub use changes::{ChangeOptions, StartingPosition};
pub use read::ReadOptions;
pub use scylla::statement::Consistency;
pub use secret::Secret;

/// How to reach the cluster.
///
/// ```
/// use pycassandra::config::TlsOptions;
/// use pycassandra::{ConnectionOptions, Secret};
///
/// let mut options = ConnectionOptions::new(["10.0.0.1", "10.0.0.2:9043"])
///     .with_credentials("etl", Secret::new("s3cret"));
/// // TLS verified against this CA; for nodes that require a client certificate,
/// // also set `client_cert: Some((chain.pem, key.pem))`.
/// options.tls = Some(TlsOptions::with_ca("/etc/cassandra/ca.pem"));
/// assert_eq!(options.contact_points, ["10.0.0.1:9042", "10.0.0.2:9043"]);
/// assert!(!format!("{options:?}").contains("s3cret"), "a password never prints");
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ConnectionOptions {
    /// Contact points as `host:port`, the port filled in from [`names::PORT`].
    pub contact_points: Vec<String>,
    /// User name and password for PasswordAuthenticator.
    pub credentials: Option<Credentials>,
    /// TLS, when enabled.
    pub tls: Option<TlsOptions>,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one request, retries excluded.
    pub request_timeout: Duration,
}

/// TLS to the cluster.
///
/// ```
/// use pycassandra::config::TlsOptions;
///
/// // Trust only this CA, check the node's name, and present a client certificate.
/// let mut tls = TlsOptions::with_ca("/etc/cassandra/ca.pem");
/// tls.client_cert = Some(("client.pem".into(), "client.key".into()));
/// assert!(tls.verify_hostname);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TlsOptions {
    /// CA certificates (PEM) trusted to sign the nodes' certificates; the
    /// system's trust store when `None`.
    pub ca_cert: Option<std::path::PathBuf>,
    /// Refuse a node whose certificate does not name the address dialled.
    pub verify_hostname: bool,
    /// Client certificate chain and private key (PEM), for nodes that require one.
    pub client_cert: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

impl TlsOptions {
    /// TLS with hostname verification and the given CA file.
    ///
    /// ```
    /// let tls = pycassandra::config::TlsOptions::with_ca("/etc/cassandra/ca.pem");
    /// assert_eq!(tls.ca_cert.as_deref(), Some(std::path::Path::new("/etc/cassandra/ca.pem")));
    /// assert!(tls.verify_hostname && tls.client_cert.is_none());
    /// ```
    pub fn with_ca(ca_cert: impl Into<std::path::PathBuf>) -> Self {
        Self { ca_cert: Some(ca_cert.into()), verify_hostname: true, client_cert: None }
    }
}

/// Login for PasswordAuthenticator.
///
/// ```
/// use pycassandra::{ConnectionOptions, Secret};
///
/// let options = ConnectionOptions::new(["127.0.0.1"]).with_credentials("etl", Secret::new("s3cret"));
/// let login = options.credentials.unwrap();
/// assert_eq!(login.username, "etl");
/// assert_eq!(format!("{login:?}"), r#"Credentials { username: "etl", password: *** }"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// Role name.
    pub username: String,
    /// Password, never printed.
    pub password: Secret,
}

impl ConnectionOptions {
    /// Options for the given contact points (`host` or `host:port`), defaults elsewhere.
    ///
    /// ```
    /// let options = pycassandra::ConnectionOptions::new(["127.0.0.1"]);
    /// assert_eq!(options.contact_points, ["127.0.0.1:9042"]);
    /// ```
    pub fn new<I, S>(contact_points: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self {
            contact_points: contact_points
                .into_iter()
                .map(|host| parse::with_port(host.as_ref().trim(), names::DEFAULT_PORT))
                .collect(),
            credentials: None,
            tls: None,
            connect_timeout: Duration::from_millis(names::DEFAULT_CONNECT_TIMEOUT_MS),
            request_timeout: Duration::from_millis(names::DEFAULT_REQUEST_TIMEOUT_MS),
        }
    }

    /// Adds PasswordAuthenticator credentials.
    ///
    /// ```
    /// use pycassandra::{ConnectionOptions, Secret};
    ///
    /// let options = ConnectionOptions::new(["127.0.0.1"]).with_credentials("etl", Secret::new("s3cret"));
    /// assert_eq!(options.credentials.map(|login| login.username).as_deref(), Some("etl"));
    /// ```
    pub fn with_credentials(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.credentials = Some(Credentials { username: username.into(), password });
        self
    }
}

/// Marks rows to delete: a row whose `column` holds `value` becomes a DELETE
/// by primary key, and the column itself is never written.
///
/// ```
/// use pycassandra::{ConnectionOptions, DeleteFlag, WriteOptions};
///
/// // Rows whose `op` column says "D" (or "d") are deleted by key; `op` is not a table column.
/// let mut options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
/// options.delete_flag = Some(DeleteFlag { column: "op".into(), value: "D".into() });
/// assert_eq!(options.control_columns(), ["op"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteFlag {
    /// Input column holding the flag.
    pub column: String,
    /// The flag value meaning "delete", compared case-insensitively as text.
    pub value: String,
}

/// Which rows travel together in one UNLOGGED batch.
///
/// ```
/// use pycassandra::{BatchGrouping, ConnectionOptions, WriteOptions};
///
/// let mut options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
/// assert_eq!(options.batch_grouping, BatchGrouping::ReplicaSet);
/// // Rows of one partition together, as `batch_grouping = partition` says.
/// options.batch_grouping = BatchGrouping::Partition;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BatchGrouping {
    /// Rows sharing a partition key.
    Partition,
    /// Rows whose partitions have the same first replica (the node the batch
    /// is sent to). A batch of one partition is bounded as with `Partition`;
    /// small partitions are packed into batches of at most ten partitions and
    /// the cross-partition byte bound, under Cassandra's stock batch
    /// thresholds. The default: fewer requests, so less node CPU per row,
    /// where partitions hold few rows, and the same batches as `Partition`
    /// where they hold many.
    #[default]
    ReplicaSet,
    /// None: every row is its own request.
    None,
}

/// Which statement writes a row.
///
/// ```
/// use pycassandra::{ConnectionOptions, WriteMode, WriteOptions};
///
/// // Append to the `tags` list instead of replacing it.
/// let mut options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
/// options.write_mode = WriteMode::Update;
/// options.collection_append = vec!["tags".into()];
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WriteMode {
    /// `INSERT`: the row's columns replace what is stored.
    #[default]
    Upsert,
    /// `UPDATE`: counters are incremented, listed collections appended to or removed from.
    Update,
}

/// A per-write setting that is either one constant or read from an input column.
///
/// ```
/// use pycassandra::{ConnectionOptions, PerRow, WriteOptions};
///
/// let mut options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
/// options.ttl = Some(PerRow::Constant(86_400)); // every row lives a day
/// options.writetime = Some(PerRow::Column("updated_us".into())); // each row's own timestamp
/// assert_eq!(options.control_columns(), ["updated_us"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PerRow<T> {
    /// The same value for every row.
    Constant(T),
    /// Each row's value comes from this input column (not written to the table).
    Column(String),
}

/// Everything a write job needs.
///
/// ```
/// use pycassandra::{Consistency, ConnectionOptions, WriteOptions};
///
/// let mut options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
/// options.consistency = Consistency::One;
/// options.ignore_nulls = true; // a null leaves the stored value alone
/// assert_eq!((options.keyspace.as_str(), options.table.as_str()), ("shop", "orders"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WriteOptions {
    /// How to reach the cluster.
    pub connection: ConnectionOptions,
    /// Keyspace of the target table, as named in the schema (case preserved).
    pub keyspace: String,
    /// Target table, as named in the schema (case preserved).
    pub table: String,
    /// Requests in flight at once (`batch_size`).
    pub concurrency: usize,
    /// Consistency of every write.
    pub consistency: Consistency,
    /// Rows to delete instead of write.
    pub delete_flag: Option<DeleteFlag>,
    /// Whether rows of one partition go together.
    pub batch_grouping: BatchGrouping,
    /// Most rows in one unlogged batch.
    pub batch_max_rows: usize,
    /// Most bytes in one unlogged batch, as the node measures a mutation
    /// (values plus per-cell overhead, estimated from the converted values).
    /// `None`: [`WriteOptions::batch_max_bytes_one_partition`] and
    /// [`WriteOptions::batch_max_bytes_across_partitions`] give the defaults.
    pub batch_max_bytes: Option<usize>,
    /// Time to live in seconds.
    pub ttl: Option<PerRow<i32>>,
    /// Write timestamp in microseconds since the epoch.
    pub writetime: Option<PerRow<i64>>,
    /// Insert only rows that do not exist yet.
    pub if_not_exists: bool,
    /// Leave null values unset instead of writing tombstones.
    pub ignore_nulls: bool,
    /// Retries of idempotent requests that timed out or met an overloaded node.
    pub max_retries: u32,
    /// INSERT or UPDATE.
    pub write_mode: WriteMode,
    /// Collection columns appended to (`update` mode).
    pub collection_append: Vec<String>,
    /// Collection columns removed from (`update` mode).
    pub collection_remove: Vec<String>,
    /// Most megabytes of input consumed per second.
    pub throughput_mb_per_sec: Option<f64>,
    /// Overwrite mode may truncate the table.
    pub confirm_truncate: bool,
}

impl WriteOptions {
    /// Write options for `keyspace.table` with every default.
    ///
    /// ```
    /// use pycassandra::{ConnectionOptions, WriteOptions};
    /// let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// assert_eq!(options.concurrency, 100);
    /// ```
    pub fn new(connection: ConnectionOptions, keyspace: impl Into<String>, table: impl Into<String>) -> Self {
        Self {
            connection,
            keyspace: keyspace.into(),
            table: table.into(),
            concurrency: names::DEFAULT_BATCH_SIZE,
            consistency: names::DEFAULT_CONSISTENCY,
            delete_flag: None,
            batch_grouping: BatchGrouping::default(),
            batch_max_rows: names::DEFAULT_BATCH_MAX_ROWS,
            batch_max_bytes: None,
            ttl: None,
            writetime: None,
            if_not_exists: false,
            ignore_nulls: false,
            max_retries: names::DEFAULT_MAX_RETRIES,
            write_mode: WriteMode::Upsert,
            collection_append: Vec::new(),
            collection_remove: Vec::new(),
            throughput_mb_per_sec: None,
            confirm_truncate: false,
        }
    }

    /// Parses the string options of the PySpark source (or any string map).
    /// Keys are matched case-insensitively; unknown keys are an error.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// let map = HashMap::from([("host", "10.0.0.1,10.0.0.2:9043"), ("keyspace", "ks"), ("table", "t")]);
    /// let options = pycassandra::WriteOptions::from_options(&map).unwrap();
    /// assert_eq!(options.connection.contact_points, ["10.0.0.1:9042", "10.0.0.2:9043"]);
    ///
    /// let error = pycassandra::WriteOptions::from_options(&HashMap::from([("table", "t")])).unwrap_err();
    /// assert!(error.to_string().contains("host, keyspace"));
    /// ```
    pub fn from_options<K, V>(options: &std::collections::HashMap<K, V>) -> Result<Self, crate::ConfigError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        parse::write_options(options.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
    }

    /// The byte bound of a batch whose rows share one partition:
    /// `batch_max_bytes` when set, else 1 MiB (the node checks no batch
    /// threshold for it, only its mutation size).
    ///
    /// ```
    /// use pycassandra::{ConnectionOptions, WriteOptions};
    /// let mut options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// assert_eq!(options.batch_max_bytes_one_partition(), 1 << 20);
    /// options.batch_max_bytes = Some(2048);
    /// assert_eq!(options.batch_max_bytes_one_partition(), 2048);
    /// ```
    pub fn batch_max_bytes_one_partition(&self) -> usize {
        self.batch_max_bytes.unwrap_or(names::DEFAULT_BATCH_MAX_BYTES_ONE_PARTITION)
    }

    /// The byte bound of a `replica_set` batch spanning partitions:
    /// `batch_max_bytes` when set, else 4 KiB (under the node's stock
    /// `batch_size_warn_threshold`).
    ///
    /// ```
    /// use pycassandra::{ConnectionOptions, WriteOptions};
    /// let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// assert_eq!(options.batch_max_bytes_across_partitions(), 4096);
    /// ```
    pub fn batch_max_bytes_across_partitions(&self) -> usize {
        self.batch_max_bytes.unwrap_or(names::DEFAULT_BATCH_MAX_BYTES_ACROSS_PARTITIONS)
    }

    /// Input columns that steer the write and are never written themselves.
    ///
    /// ```
    /// use std::collections::HashMap;
    ///
    /// let options = pycassandra::WriteOptions::from_options(&HashMap::from([
    ///     ("host", "127.0.0.1"),
    ///     ("keyspace", "shop"),
    ///     ("table", "orders"),
    ///     ("delete_flag_column", "op"),
    ///     ("delete_flag_value", "D"),
    ///     ("ttl", "ttl_s"),
    /// ]))
    /// .unwrap();
    /// assert_eq!(options.control_columns(), ["op", "ttl_s"]);
    /// ```
    pub fn control_columns(&self) -> Vec<&str> {
        let mut columns = Vec::new();
        if let Some(flag) = &self.delete_flag {
            columns.push(flag.column.as_str());
        }
        if let Some(PerRow::Column(column)) = &self.ttl {
            columns.push(column.as_str());
        }
        if let Some(PerRow::Column(column)) = &self.writetime {
            columns.push(column.as_str());
        }
        columns
    }
}
