//! Every option name and default, in one place. The README's option table is
//! checked against [`ALL_OPTIONS`] by a test.

use scylla::statement::Consistency;

/// Contact points, comma-separated, each `host` or `host:port`.
pub const HOST: &str = "host";
/// Port used for contact points that name none.
pub const PORT: &str = "port";
/// Keyspace of the target table.
pub const KEYSPACE: &str = "keyspace";
/// Target table.
pub const TABLE: &str = "table";
/// User name for PasswordAuthenticator.
pub const USERNAME: &str = "username";
/// Password for PasswordAuthenticator; never printed.
pub const PASSWORD: &str = "password";
/// Use TLS to reach the cluster.
pub const SSL_ENABLED: &str = "ssl_enabled";
/// PEM file of the CA certificates that sign the nodes' certificates.
pub const SSL_CA_CERT: &str = "ssl_ca_cert";
/// Check that a node's certificate names the address dialled.
pub const SSL_VERIFY_HOSTNAME: &str = "ssl_verify_hostname";
/// PEM file of the client certificate (chain), for nodes that require one.
pub const SSL_CLIENT_CERT: &str = "ssl_client_cert";
/// PEM file of the client certificate's private key.
pub const SSL_CLIENT_KEY: &str = "ssl_client_key";
/// Requests in flight at once per writer.
pub const BATCH_SIZE: &str = "batch_size";
/// The plan's name for [`BATCH_SIZE`].
pub const CONCURRENCY: &str = "concurrency";
/// Consistency level of writes.
pub const CONSISTENCY: &str = "consistency";
/// Column whose value marks a row for deletion.
pub const DELETE_FLAG_COLUMN: &str = "delete_flag_column";
/// The value of the delete-flag column that means "delete this row".
pub const DELETE_FLAG_VALUE: &str = "delete_flag_value";
/// Connection establishment timeout, milliseconds.
pub const CONNECT_TIMEOUT_MS: &str = "connect_timeout_ms";
/// Per-request timeout, milliseconds.
pub const REQUEST_TIMEOUT_MS: &str = "request_timeout_ms";
/// `partition` (rows sharing a partition go in one unlogged batch), `replica_set`
/// (rows whose partitions share a first replica) or `none`.
pub const BATCH_GROUPING: &str = "batch_grouping";
/// Largest number of rows in one unlogged batch.
pub const BATCH_MAX_ROWS: &str = "batch_max_rows";
/// The plan's name for [`BATCH_MAX_ROWS`].
pub const ROWS_PER_BATCH: &str = "rows_per_batch";
/// Largest size of one unlogged batch, in bytes as the node measures a mutation.
pub const BATCH_MAX_BYTES: &str = "batch_max_bytes";
/// Time to live: whole seconds, or the name of an input column holding them.
pub const TTL: &str = "ttl";
/// Write timestamp: microseconds since the epoch, or an input column holding them.
pub const WRITETIME: &str = "writetime";
/// Insert only when the row does not exist (lightweight transaction).
pub const IF_NOT_EXISTS: &str = "if_not_exists";
/// Leave null input values unset instead of writing tombstones.
pub const IGNORE_NULLS: &str = "ignore_nulls";
/// Retries of an idempotent request after a timeout or overload.
pub const MAX_RETRIES: &str = "max_retries";
/// `upsert` (INSERT) or `update` (UPDATE: counters, collection append/remove).
pub const WRITE_MODE: &str = "write_mode";
/// Collection columns whose values are appended (`col = col + ?`), comma-separated.
pub const COLLECTION_APPEND: &str = "collection_append";
/// Collection columns whose values are removed (`col = col - ?`), comma-separated.
pub const COLLECTION_REMOVE: &str = "collection_remove";
/// Upper bound of the input consumed per second, in megabytes (10^6 bytes) of Arrow data.
pub const THROUGHPUT_MB_PER_SEC: &str = "throughput_mb_per_sec";
/// PySpark `overwrite` mode truncates the table only when this is `true`.
pub const CONFIRM_TRUNCATE: &str = "confirm_truncate";

/// Target size of one token-range split, in MiB of table data (reads).
pub const SPLIT_SIZE_MB: &str = "split_size_mb";
/// Fewest token-range splits a read is cut into, whatever the table's size.
pub const MIN_SPLITS: &str = "min_splits";
/// Rows per page fetched from the node (reads).
pub const FETCH_SIZE_ROWS: &str = "fetch_size_rows";
/// A CQL predicate added to every range scan; the user answers for its validity.
pub const WHERE: &str = "where";
/// The plan's name for [`WHERE`].
pub const FILTER: &str = "filter";
/// Whether the `where` predicate may make the node filter rows (`ALLOW FILTERING`).
pub const ALLOW_FILTERING: &str = "allow_filtering";
/// Most rows returned by each range scan (a CQL `LIMIT` per split; Spark applies the global limit).
pub const LIMIT: &str = "limit";
/// Columns whose write timestamps are read as extra `writetime(col)` columns, comma-separated.
pub const WRITETIME_COLUMNS: &str = "writetime_columns";
/// Columns whose remaining TTLs are read as extra `ttl(col)` columns, comma-separated.
pub const TTL_COLUMNS: &str = "ttl_columns";

/// A node's `cdc_raw` directory, as the Spark driver and executors see it (change streams).
pub const CDC_RAW_DIRECTORY: &str = "cdc_raw_directory";
/// Where a new change stream starts: `earliest` (the oldest segment kept) or `latest` (what is durable now).
pub const STARTING_POSITION: &str = "starting_position";
/// Most commit-log bytes one micro-batch of a change stream reads.
pub const MAX_BYTES_PER_TRIGGER: &str = "max_bytes_per_trigger";
/// Delete the `cdc_raw` segments a change stream has committed past.
pub const CDC_DELETE_CONSUMED: &str = "cdc_delete_consumed";
/// What a change stream does when columns are added to its table while it runs: `fail` (restart to pick them up) or `ignore`.
pub const CDC_SCHEMA_CHANGES: &str = "cdc_schema_changes";
/// The change agents' URLs, comma-separated: a change stream of every node (cluster mode).
pub const CDC_AGENTS: &str = "cdc_agents";
/// The port of the change agent beside every node the cluster lists (cluster mode, agents found).
pub const CDC_AGENT_PORT: &str = "cdc_agent_port";
/// The bearer token the change agents require.
pub const CDC_AGENT_TOKEN: &str = "cdc_agent_token";
/// A PEM file of the CA that signed the change agents' certificates.
pub const CDC_AGENT_CA: &str = "cdc_agent_ca";
/// The name the stream commits under at each agent; a segment is deleted once every consumer is past it.
pub const CDC_CONSUMER: &str = "cdc_consumer";

/// The plan's names, each for one of ours: `(alias, option)`. Both given with
/// different values are an error naming both.
pub const ALIASES: &[(&str, &str)] = &[(FILTER, WHERE), (CONCURRENCY, BATCH_SIZE), (ROWS_PER_BATCH, BATCH_MAX_ROWS)];

/// Options Spark itself may pass through to a data source; accepted and ignored.
pub const SPARK_PASSTHROUGH: &[&str] = &["path", "checkpointlocation"];

/// Options every direction understands: where the cluster is, how to log in
/// and connect, and at what consistency.
pub const SHARED_OPTIONS: &[&str] = &[
    HOST,
    PORT,
    KEYSPACE,
    TABLE,
    USERNAME,
    PASSWORD,
    SSL_ENABLED,
    SSL_CA_CERT,
    SSL_VERIFY_HOSTNAME,
    SSL_CLIENT_CERT,
    SSL_CLIENT_KEY,
    CONSISTENCY,
    CONNECT_TIMEOUT_MS,
    REQUEST_TIMEOUT_MS,
];

/// Every option this crate understands: the shared ones, then those of
/// writes, reads and change streams (each list is the one place its names are kept).
pub const ALL_OPTIONS: &[&str] =
    &concatenated::<ALL_OPTIONS_COUNT>(&[SHARED_OPTIONS, WRITE_ONLY_OPTIONS, READ_ONLY_OPTIONS, CHANGES_ONLY_OPTIONS]);

const ALL_OPTIONS_COUNT: usize =
    SHARED_OPTIONS.len() + WRITE_ONLY_OPTIONS.len() + READ_ONLY_OPTIONS.len() + CHANGES_ONLY_OPTIONS.len();

/// The lists one after the other, at compile time.
const fn concatenated<const N: usize>(lists: &[&[&'static str]]) -> [&'static str; N] {
    let mut all = [""; N];
    let (mut list, mut filled) = (0, 0);
    while list < lists.len() {
        let mut item = 0;
        while item < lists[list].len() {
            all[filled] = lists[list][item];
            filled += 1;
            item += 1;
        }
        list += 1;
    }
    assert!(filled == N, "N is the lists' total length");
    all
}

/// Options that only change streams (`readStream`) understand; a batch read or a write given one is refused.
pub const CHANGES_ONLY_OPTIONS: &[&str] = &[
    CDC_RAW_DIRECTORY,
    STARTING_POSITION,
    MAX_BYTES_PER_TRIGGER,
    CDC_DELETE_CONSUMED,
    CDC_AGENTS,
    CDC_AGENT_PORT,
    CDC_AGENT_TOKEN,
    CDC_AGENT_CA,
    CDC_CONSUMER,
    CDC_SCHEMA_CHANGES,
];

/// Options that only writes understand; a read given one is refused.
pub const WRITE_ONLY_OPTIONS: &[&str] = &[
    BATCH_SIZE,
    DELETE_FLAG_COLUMN,
    DELETE_FLAG_VALUE,
    BATCH_GROUPING,
    BATCH_MAX_ROWS,
    BATCH_MAX_BYTES,
    TTL,
    WRITETIME,
    IF_NOT_EXISTS,
    IGNORE_NULLS,
    MAX_RETRIES,
    WRITE_MODE,
    COLLECTION_APPEND,
    COLLECTION_REMOVE,
    THROUGHPUT_MB_PER_SEC,
    CONFIRM_TRUNCATE,
    CONCURRENCY,
    ROWS_PER_BATCH,
];

/// Options that only reads understand; a write given one is refused.
pub const READ_ONLY_OPTIONS: &[&str] = &[
    SPLIT_SIZE_MB,
    MIN_SPLITS,
    FETCH_SIZE_ROWS,
    WHERE,
    LIMIT,
    WRITETIME_COLUMNS,
    TTL_COLUMNS,
    FILTER,
    ALLOW_FILTERING,
];

/// Default of [`PORT`].
pub const DEFAULT_PORT: u16 = 9042;
/// Default of [`BATCH_SIZE`].
pub const DEFAULT_BATCH_SIZE: usize = 100;
/// Default of [`CONSISTENCY`] for writes.
pub const DEFAULT_CONSISTENCY: Consistency = Consistency::LocalQuorum;
/// Default of [`CONSISTENCY`] for reads.
pub const DEFAULT_READ_CONSISTENCY: Consistency = Consistency::LocalOne;
/// Default of [`SPLIT_SIZE_MB`].
pub const DEFAULT_SPLIT_SIZE_MB: u64 = 64;
/// Default of [`FETCH_SIZE_ROWS`].
pub const DEFAULT_FETCH_SIZE_ROWS: u64 = 5_000;
/// Default of [`CONNECT_TIMEOUT_MS`].
pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 5_000;
/// Default of [`REQUEST_TIMEOUT_MS`].
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 12_000;
/// Default of [`BATCH_MAX_ROWS`].
pub const DEFAULT_BATCH_MAX_ROWS: usize = 50;
/// Default of [`MAX_RETRIES`].
pub const DEFAULT_MAX_RETRIES: u32 = 3;

/// Default of [`BATCH_MAX_BYTES`] for a `replica_set` batch spanning
/// partitions: 4 KiB. Such a batch is measured by the node against
/// `batch_size_warn_threshold` (stock 5 KiB: it logs "Batch for [...] is of
/// size ...") and `batch_size_fail_threshold` (stock 50 KiB: "Batch too
/// large"); our estimate is never below the node's measure, and 1 KiB is left
/// as headroom for what it does not model.
pub const DEFAULT_BATCH_MAX_BYTES_ACROSS_PARTITIONS: usize = 4 << 10;
/// Default of [`BATCH_MAX_BYTES`] for a batch of one partition (any grouping):
/// 1 MiB. The node checks no batch threshold for a batch of one partition; its only bound
/// is [`MAX_MUTATION_BYTES`]. 1 MiB stays far below it while 100 requests in
/// flight still hold at most about 100 MiB of a 1 GiB node heap; batching rows
/// larger than a few KiB saves little anyway.
pub const DEFAULT_BATCH_MAX_BYTES_ONE_PARTITION: usize = 1 << 20;
/// The largest mutation a stock Cassandra node accepts: half of
/// `commitlog_segment_size` (32 MiB). A row estimated above it is refused
/// before anything of its input batch is sent; it is also the most
/// [`BATCH_MAX_BYTES`] accepts.
pub const MAX_MUTATION_BYTES: usize = 16 << 20;
/// Longest TTL Cassandra accepts: 20 years, in seconds.
pub const MAX_TTL_SECONDS: i32 = 630_720_000;
