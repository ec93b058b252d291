//! One error type per stage, wrapped by [`Error`]. Messages name the option,
//! or the row, column, CQL type and value, and never a secret.

use std::fmt;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any failure of pycassandra.
///
/// Each stage's error converts into it with `?`; match on the variant to tell
/// the caller's mistakes (`Config`, `Schema`, `Convert`, `Lookup`) from the
/// cluster's (`Connect`, `Write`, `Read`).
///
/// ```
/// use std::collections::HashMap;
/// use pycassandra::{ConfigError, Error, WriteOptions};
///
/// fn options(map: &HashMap<&str, &str>) -> pycassandra::Result<WriteOptions> {
///     Ok(WriteOptions::from_options(map)?)
/// }
///
/// match options(&HashMap::from([("host", "127.0.0.1"), ("keyspace", "shop")])) {
///     Err(Error::Config(ConfigError::Missing { options })) => assert_eq!(options, ["table"]),
///     other => panic!("expected the missing table option, got {other:?}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Options are missing, malformed or contradict each other.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The cluster could not be reached or refused the login.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The table or the input does not fit the write.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// A value could not become the column's CQL type.
    #[error(transparent)]
    Convert(#[from] ConvertError),
    /// The cluster failed a request.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A read could not be planned, or a scan failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A lookup's keys do not fit the table or the input.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// A change-data-capture file (commit-log segment, `_cdc.idx`, `cdc_raw`
    /// directory) could not be read or is not in a form this reader knows.
    #[error(transparent)]
    Cdc(#[from] CdcError),
}

/// A change-data-capture file that cannot be read, or whose bytes are not
/// what this reader knows. Every variant names the file and, where there is
/// one, the byte position; the reader fails closed on anything unknown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CdcError {
    /// The file or directory could not be read.
    #[error("cdc: cannot read {file}: {source}")]
    Io {
        /// The path.
        file: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A structure runs past the bytes that are there.
    #[error("cdc: {file}: at byte {position}: {what} needs {needed} bytes, {available} left")]
    Truncated {
        /// The file.
        file: String,
        /// Where the structure starts.
        position: u64,
        /// What was being read.
        what: &'static str,
        /// Bytes it needs.
        needed: u64,
        /// Bytes there are.
        available: u64,
    },
    /// A commit-log descriptor version other than 7 (Cassandra 4.0–5.0 in
    /// CASSANDRA_4 mode) or 8 (5.0 in NONE mode).
    #[error("cdc: {file}: at byte {position}: unknown commit-log descriptor version {version} (known: 7, 8)")]
    UnknownVersion {
        /// The file.
        file: String,
        /// Where the version is.
        position: u64,
        /// The version read.
        version: i32,
    },
    /// Something this reader does not decode (yet): compression,
    /// encryption, unknown descriptor parameters.
    #[error("cdc: {file}: at byte {position}: unsupported {what}")]
    Unsupported {
        /// The file.
        file: String,
        /// Where it is.
        position: u64,
        /// What it is.
        what: String,
    },
    /// A stored CRC32 does not match the bytes it covers.
    #[error("cdc: {file}: at byte {position}: bad {what} CRC (stored {stored:#010x}, computed {computed:#010x})")]
    BadCrc {
        /// The file.
        file: String,
        /// Where the checksummed structure starts.
        position: u64,
        /// Which CRC: descriptor header, sync marker, entry size, entry body.
        what: &'static str,
        /// The CRC in the file.
        stored: u32,
        /// The CRC of the bytes.
        computed: u32,
    },
    /// A value that has a valid CRC (or none) but cannot be right.
    #[error("cdc: {file}: at byte {position}: {what}")]
    Invalid {
        /// The file.
        file: String,
        /// Where it is.
        position: u64,
        /// What is wrong.
        what: String,
    },
}

/// A lookup (a join of input rows with a table by key) that cannot be planned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No key column was given.
    #[error("a lookup in {table} needs key columns (`on`): its partition key is ({})", .partition_key.join(", "))]
    NoKeys {
        /// `keyspace.table`.
        table: String,
        /// The table's partition key columns.
        partition_key: Vec<String>,
    },
    /// A key column is not a column of the input.
    #[error("lookup key '{column}' is not a column of the input (its columns: {})", .input.join(", "))]
    NotInInput {
        /// The key column.
        column: String,
        /// The input's columns.
        input: Vec<String>,
    },
    /// The keys are not the whole partition key, optionally followed by a clustering key prefix.
    #[error(
        "lookup keys ({}) of {table} must be every partition key column ({}) and optionally the first clustering \
         columns in order ({})",
        .keys.join(", "), .partition_key.join(", "), .clustering_key.join(", ")
    )]
    NotAKey {
        /// The keys given, as the table spells them where it has them.
        keys: Vec<String>,
        /// `keyspace.table`.
        table: String,
        /// The table's partition key columns.
        partition_key: Vec<String>,
        /// The table's clustering columns.
        clustering_key: Vec<String>,
    },
    /// A column to fetch is already a column of the input.
    #[error(
        "column '{column}' of {table} is also a column of the input; choose the columns to fetch \
         (`columns`) or rename the input's"
    )]
    ColumnClash {
        /// The column.
        column: String,
        /// `keyspace.table`.
        table: String,
    },
}

/// A read that cannot be planned, or a scan that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A requested column is not in the table.
    #[error("column '{column}' is not in table {table} (its columns: {})", .available.join(", "))]
    UnknownColumn {
        /// The requested name.
        column: String,
        /// `keyspace.table`.
        table: String,
        /// The table's columns.
        available: Vec<String>,
    },
    /// A column cannot be read as the type asked for without losing values.
    #[error("column '{column}' of CQL type {cql_type} cannot be read as {requested}; read it as {default}")]
    UnsupportedType {
        /// The column (or `writetime_col`/`ttl_col`).
        column: String,
        /// Its CQL type.
        cql_type: String,
        /// The Arrow type asked for.
        requested: String,
        /// The type it is read as by default.
        default: String,
    },
    /// The read selects no column: the `columns` option, or the schema asked for, is empty.
    #[error("a read of {table} needs at least one column (its columns: {})", .available.join(", "))]
    NoColumns {
        /// `keyspace.table`.
        table: String,
        /// The table's columns.
        available: Vec<String>,
    },
    /// A write-time or TTL column asked for (`writetime_<column>`, `ttl_<column>`)
    /// would have the name of a column of the table.
    #[error("cannot add column '{column}' for option '{option}': table {table} has a column of that name")]
    ColumnNameTaken {
        /// The name the added column would have.
        column: String,
        /// `writetime_columns` or `ttl_columns`.
        option: &'static str,
        /// `keyspace.table`.
        table: String,
    },
    /// A write time or TTL asked for a column that has no single one: a key
    /// column, or a non-frozen collection or user-defined type.
    #[error(
        "column '{column}' ({cql_type}) has no {function}: only regular and static columns of non-collection \
         types have one write time and TTL"
    )]
    NoWriteTimeOrTtl {
        /// The table's column.
        column: String,
        /// Its CQL type.
        cql_type: String,
        /// `writetime` or `ttl`.
        function: &'static str,
    },
    /// The node refused or failed a scan.
    #[error("scan of {table} failed: {cql}: {source}")]
    Statement {
        /// `keyspace.table`.
        table: String,
        /// The statement.
        cql: String,
        /// The driver's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A task fetching a page ended without it: it panicked or was cancelled.
    #[error("a page fetch of {table} did not finish: {source}")]
    TaskFailed {
        /// `keyspace.table`.
        table: String,
        /// The runtime's reason.
        source: tokio::task::JoinError,
    },
    /// Decoded columns that do not make an Arrow batch (a bug, or a column
    /// larger than Arrow's offsets allow).
    #[error("cannot assemble the Arrow batch of {table}: {source}")]
    Arrow {
        /// `keyspace.table`.
        table: String,
        /// Arrow's reason.
        source: arrow_schema::ArrowError,
    },
    /// A filter given to a read that CQL would not evaluate exactly as Spark does.
    #[error(
        "the filter {filter} on column '{column}' of {table} cannot be pushed to Cassandra exactly; leave it to Spark"
    )]
    FilterNotExact {
        /// The filter's column.
        column: String,
        /// `keyspace.table`.
        table: String,
        /// The filter.
        filter: String,
    },
    /// A value a lookup fetched could not be decoded.
    #[error("lookup of input row {input_row}, column '{column}' ({cql_type}): {failure}")]
    LookupDecode {
        /// The input row whose key was looked up.
        input_row: usize,
        /// The column.
        column: String,
        /// Its CQL type.
        cql_type: String,
        /// What is wrong, and where inside the value.
        failure: DecodeFailure,
    },
    /// A value from the node could not be decoded.
    #[error("row {row} of token range ({start}, {end}], column '{column}' ({cql_type}): {failure}")]
    Decode {
        /// Row within the page.
        row: usize,
        /// Range start (exclusive).
        start: i64,
        /// Range end (inclusive).
        end: i64,
        /// The column.
        column: String,
        /// Its CQL type.
        cql_type: String,
        /// What is wrong, and where inside the value.
        failure: DecodeFailure,
    },
}

/// Why a value from the node could not be decoded: the part of a nested
/// value where it went wrong (empty for a scalar) and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{kind}", PathPrefix(.path))]
pub struct DecodeFailure {
    /// Where inside a nested value the bad part is, outermost first.
    pub path: Vec<ValuePart>,
    /// What is wrong with it.
    pub kind: DecodeErrorKind,
}

impl DecodeFailure {
    /// The same failure, one level further inside: `part` of the enclosing value.
    pub(crate) fn within(mut self, part: ValuePart) -> Self {
        self.path.insert(0, part);
        self
    }
}

impl From<DecodeErrorKind> for DecodeFailure {
    fn from(kind: DecodeErrorKind) -> Self {
        Self { path: Vec::new(), kind }
    }
}

/// Why bytes from the node are not a value of their CQL type, one variant
/// per rule of the read path's decoders.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The value ends before a part it announces.
    #[error("value truncated: needed {needed} more bytes, {left} left")]
    Truncated {
        /// Bytes the part needs beyond what was read.
        needed: usize,
        /// Bytes left in the value.
        left: usize,
    },
    /// A fixed-size value of another length.
    #[error("expected {expected} bytes, got {got}")]
    Length {
        /// The type's size.
        expected: usize,
        /// The value's length.
        got: usize,
    },
    /// An `inet` neither IPv4 nor IPv6.
    #[error("inet needs 4 or 16 bytes, got {got}")]
    InetLength {
        /// The value's length.
        got: usize,
    },
    /// `text` or `ascii` bytes that are not UTF-8.
    #[error("text is not UTF-8: {error}")]
    NotUtf8 {
        /// Where the UTF-8 breaks.
        error: std::str::Utf8Error,
    },
    /// A vector element whose length does not fit this machine's `usize`.
    #[error("element too long")]
    ElementTooLong,
    /// A collection of more elements than an Arrow list holds.
    #[error("too many elements")]
    TooManyElements,
    /// A null map key (the path says which entry).
    #[error("null (a map key cannot be null)")]
    NullMapKey,
    /// A page whose text or bytes exceed an Arrow array's 2 GiB.
    #[error("a page's text exceeds 2 GiB")]
    PageTooLarge,
    /// A timestamp whose microseconds overflow 64 bits.
    #[error("timestamp {millis} ms is beyond the microsecond range")]
    TimestampRange {
        /// The timestamp, in milliseconds.
        millis: i64,
    },
    /// A varint outside the Arrow integer it is read as.
    #[error("{value} does not fit a {target}")]
    DoesNotFit {
        /// An excerpt of the value.
        value: String,
        /// The type it was read as, e.g. `long (int64)`.
        target: &'static str,
    },
    /// A decimal or varint that a `decimal(precision, scale)` would round or overflow.
    #[error("{value} does not fit decimal({precision}, {scale}) exactly")]
    InexactDecimal {
        /// An excerpt of the value.
        value: String,
        /// The Arrow decimal's precision.
        precision: u8,
        /// The Arrow decimal's scale.
        scale: i8,
    },
}

/// Why `read::decode_values` (public for the fuzz target decode_cql only)
/// refused its input.
#[doc(hidden)]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeValuesError {
    /// The CQL type has no Arrow type to decode into.
    #[error("CQL type {cql_type} has no Arrow type")]
    NoArrowType {
        /// The CQL type.
        cql_type: String,
    },
    /// The CQL type has an Arrow type but no decoder into it.
    #[error("no decoder for {cql_type}")]
    NoDecoder {
        /// The CQL type.
        cql_type: String,
    },
    /// One value could not be decoded.
    #[error("value {index}: {failure}")]
    Value {
        /// Its position in the input.
        index: usize,
        /// What is wrong, and where inside it.
        failure: DecodeFailure,
    },
    /// The decoded values did not make an Arrow array.
    #[error(transparent)]
    Arrow(#[from] arrow_schema::ArrowError),
}

/// "unknown option 'wher'; did you mean 'where'? (options of a read: …)".
fn unknown_options(options: &[(String, Option<&'static str>)], direction: &str, known: &[&str]) -> String {
    let listed = known.join(", ");
    match options {
        [(name, Some(nearest))] => {
            format!("unknown option '{name}'; did you mean '{nearest}'? (options of a {direction}: {listed})")
        }
        [(name, None)] => format!("unknown option '{name}' (options of a {direction}: {listed})"),
        _ => {
            let named: Vec<String> = options
                .iter()
                .map(|(name, nearest)| match nearest {
                    Some(nearest) => format!("'{name}' (did you mean '{nearest}'?)"),
                    None => format!("'{name}'"),
                })
                .collect();
            format!("unknown options {} (options of a {direction}: {listed})", named.join(", "))
        }
    }
}

/// A problem found in the options before connecting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Required options are absent.
    #[error("missing required options: {}", .options.join(", "))]
    Missing {
        /// The absent options.
        options: Vec<&'static str>,
    },
    /// An option's value does not parse.
    #[error("option '{option}' has invalid value '{value}': expected {expected}")]
    InvalidValue {
        /// The option.
        option: &'static str,
        /// What was given (never a password: passwords are not parsed).
        value: String,
        /// What is accepted.
        expected: String,
    },
    /// Options this crate does not know, probably misspelt.
    #[error("{}", unknown_options(.options, .direction, .known))]
    Unknown {
        /// The unknown option names, each with the nearest option of the
        /// job's direction when one is near enough to be the one meant.
        options: Vec<(String, Option<&'static str>)>,
        /// `read` or `write`.
        direction: &'static str,
        /// The options a job of this direction takes.
        known: Vec<&'static str>,
    },
    /// Options of the other direction: a write option given to a read, or the reverse.
    #[error("options {} apply to {applies_to} only", .options.join(", "))]
    WrongDirection {
        /// The misplaced options.
        options: Vec<String>,
        /// `reads` or `writes`.
        applies_to: &'static str,
    },
    /// Two options that are given together or not at all.
    #[error("'{a}' and '{b}' must be given together")]
    RequiresTogether {
        /// One option.
        a: &'static str,
        /// The other.
        b: &'static str,
    },
    /// An option given without the one it needs.
    #[error("{needed} must be provided when {given} is specified")]
    Requires {
        /// The option given.
        given: &'static str,
        /// The option it needs.
        needed: &'static str,
    },
    /// Two options that, when given, must both have a value.
    #[error("'{a}' and '{b}' must both be non-empty")]
    BothNonEmpty {
        /// One option.
        a: &'static str,
        /// The other.
        b: &'static str,
    },
    /// An option and its other name were given different values.
    #[error(
        "'{alias}' and '{option}' are two names of one option and were given different values \
         ('{alias_value}' and '{option_value}'); give one of them"
    )]
    AliasDisagrees {
        /// The other name.
        alias: &'static str,
        /// The option's name.
        option: &'static str,
        /// The value given to `alias`.
        alias_value: String,
        /// The value given to `option`.
        option_value: String,
    },
    /// Options that only `write_mode` = `update` uses.
    #[error("{} need 'write_mode' = 'update'", Quoted(.options, " and "))]
    NeedsUpdateMode {
        /// The options of update mode.
        options: &'static [&'static str],
    },
    /// One column listed in two options that say the opposite.
    #[error("column '{column}' is in both '{a}' and '{b}'")]
    ColumnInBoth {
        /// The column.
        column: String,
        /// One option.
        a: &'static str,
        /// The other.
        b: &'static str,
    },
    /// Two options (or an option and a value of another) that cannot be combined.
    #[error("'{a}' cannot be combined with {}: {why}", OptionValue(.b, .b_value))]
    Excludes {
        /// The option refused.
        a: &'static str,
        /// The option it cannot be combined with.
        b: &'static str,
        /// The value of `b` that excludes `a`, when only one does.
        b_value: Option<&'static str>,
        /// Why.
        why: &'static str,
    },
    /// TLS options given while `ssl_enabled` is not `true`.
    #[error("{} given but 'ssl_enabled' is not 'true'", .options.join(", "))]
    TlsNotEnabled {
        /// The TLS options given.
        options: Vec<&'static str>,
    },
    /// No CA certificate was given and the system trust store has none.
    #[error(
        "no CA certificate found in the system trust store{}; give '{option}'",
        if .errors.is_empty() { String::new() } else { format!(" ({})", .errors.join("; ")) }
    )]
    NoSystemCaCertificates {
        /// What went wrong reading the store.
        errors: Vec<String>,
        /// The option that names a CA file instead.
        option: &'static str,
    },
    /// The TLS library refused the configuration.
    #[error("cannot initialise TLS: {reason}")]
    Tls {
        /// The library's reason.
        reason: String,
    },
    /// An option of batch writes given to a streaming write.
    #[error("option '{option}' does not apply to a streaming write: {why}; remove the option")]
    NotForStreaming {
        /// The option.
        option: &'static str,
        /// Why it has no meaning there.
        why: &'static str,
    },
    /// Several of the above at once.
    #[error("{}", DisplayList(.problems))]
    Several {
        /// Each problem.
        problems: Vec<ConfigError>,
    },
}

impl ConfigError {
    pub(crate) fn from_problems(mut problems: Vec<ConfigError>) -> Self {
        if problems.len() == 1 {
            problems.remove(0)
        } else {
            ConfigError::Several { problems }
        }
    }
}

/// `'a' and 'b'`: option names quoted, joined by `separator`.
struct Quoted<'a>(&'a [&'a str], &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, name) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(self.1)?;
            }
            write!(f, "'{name}'")?;
        }
        Ok(())
    }
}

/// `'option'`, or `'option' = 'value'`.
struct OptionValue<'a>(&'a str, &'a Option<&'a str>);

impl fmt::Display for OptionValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(value) => write!(f, "'{}' = '{value}'", self.0),
            None => write!(f, "'{}'", self.0),
        }
    }
}

struct DisplayList<'a, T>(&'a [T]);

impl<T: fmt::Display> fmt::Display for DisplayList<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, item) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}

/// The cluster could not be reached.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[error("cannot connect to Cassandra at {contact_points}: {source}")]
pub struct ConnectError {
    /// The contact points tried.
    pub contact_points: String,
    /// The driver's reason.
    #[source]
    pub source: scylla::errors::NewSessionError,
}

/// The table, or the input's columns, do not fit the write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A `#[derive(CassandraRow)]` struct does not fit the live table.
    #[error("struct does not fit table {table}: {}", .problems.join("; "))]
    RowMismatch {
        /// `keyspace.table`.
        table: String,
        /// Every disagreement.
        problems: Vec<String>,
    },
    /// No such keyspace.
    #[error("keyspace '{keyspace}' does not exist")]
    KeyspaceNotFound {
        /// The keyspace asked for.
        keyspace: String,
    },
    /// No such table.
    #[error("table '{table}' does not exist in keyspace '{keyspace}'")]
    TableNotFound {
        /// The keyspace.
        keyspace: String,
        /// The table asked for.
        table: String,
    },
    /// A change stream of a table whose changes Cassandra does not keep.
    #[error("table {table} is not WITH cdc = true, so Cassandra keeps none of its changes in cdc_raw; run ALTER TABLE {table} WITH cdc = true (and set cdc_enabled: true on every node)")]
    CdcDisabled {
        /// `keyspace.table`.
        table: String,
    },
    /// The input lacks primary-key columns.
    #[error("input is missing primary key columns: {}. Required primary key columns: {}", .missing.join(", "), .required.join(", "))]
    MissingKeyColumns {
        /// Key columns absent from the input.
        missing: Vec<String>,
        /// The whole primary key.
        required: Vec<String>,
    },
    /// The input has columns the table lacks.
    #[error("input columns not in table '{table}': {}", .columns.join(", "))]
    UnknownColumns {
        /// The table.
        table: String,
        /// Input columns with no table column.
        columns: Vec<String>,
    },
    /// A control column (delete flag, ttl, writetime) named in the options is absent.
    #[error("option '{option}' names column '{column}', which is not in the input")]
    MissingControlColumn {
        /// The option naming it.
        option: &'static str,
        /// The column.
        column: String,
    },
    /// No converter exists from this input type to this CQL type.
    #[error("column '{column}': cannot write input type {input_type} into CQL type {cql_type}")]
    UnsupportedConversion {
        /// The column.
        column: String,
        /// The input (Arrow) type.
        input_type: String,
        /// The column's CQL type.
        cql_type: String,
    },
    /// Update mode with only key columns in the input: nothing to SET.
    #[error("write_mode 'update' needs at least one input column outside the primary key")]
    NothingToUpdate {
        /// `keyspace.table`.
        table: String,
    },
    /// A counter table written other than by `write_mode` = `update`.
    #[error(
        "table '{table}' has counter columns ({}): set option 'write_mode' to 'update' to increment them",
        .counters.join(", ")
    )]
    CountersNeedUpdateMode {
        /// The table.
        table: String,
        /// Its counter columns.
        counters: Vec<String>,
    },
    /// `ttl` or `if_not_exists` given for a counter table.
    #[error("counter tables accept neither 'ttl' nor 'if_not_exists'")]
    NotForCounters {
        /// The table.
        table: String,
    },
    /// A column named in `collection_append` or `collection_remove` is not in the table.
    #[error("collection column '{column}' is not in table '{table}'")]
    CollectionNotInTable {
        /// The column as listed.
        column: String,
        /// The table.
        table: String,
    },
    /// A column named in `collection_append` or `collection_remove` is not in the input.
    #[error("collection column '{column}' is not in the input")]
    CollectionNotInInput {
        /// The column as listed.
        column: String,
    },
    /// A column named in `collection_append` or `collection_remove` is no non-frozen collection.
    #[error(
        "column '{column}' is {cql_type}, not a (non-frozen) list, set or map: it cannot be appended to or removed from"
    )]
    NotACollection {
        /// The column.
        column: String,
        /// Its CQL type.
        cql_type: String,
    },
    /// A statement prepared for a write binds a column as another CQL type
    /// than the write was planned for: the table changed after its schema
    /// was read (a PySpark job reads it once, on the driver), and the bytes
    /// would be of the wrong type.
    #[error(
        "column '{column}' of {table} is {prepared} in the statement just prepared, but the write was planned \
         for {planned}: the table changed after its schema was read; run the write again"
    )]
    PreparedTypeMismatch {
        /// `keyspace.table`.
        table: String,
        /// The column (or `ttl` / `writetime` for their bind markers).
        column: String,
        /// The CQL type the plan encodes.
        planned: String,
        /// The CQL type the prepared statement takes.
        prepared: String,
    },
    /// A statement prepared for a write has another number of bind markers
    /// than the plan binds values: a bug, said rather than sent.
    #[error("the statement prepared for {table} has {markers} bind markers, but the write binds {planned} values")]
    PreparedMarkerCount {
        /// `keyspace.table`.
        table: String,
        /// Bind markers in the prepared statement.
        markers: usize,
        /// Values the plan binds per row.
        planned: usize,
    },
    /// The schema could not be read from the cluster.
    #[error("cannot read the schema of {keyspace}.{table}: {reason}")]
    Metadata {
        /// The keyspace.
        keyspace: String,
        /// The table.
        table: String,
        /// The driver's reason.
        reason: String,
    },
}

/// A value that cannot become its column's CQL type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}, column '{column}' ({cql_type}): {}{kind}: {value}", PathPrefix(.path))]
pub struct ConvertError {
    /// Index of the row in its input batch (0-based).
    pub row: usize,
    /// The column.
    pub column: String,
    /// The column's CQL type.
    pub cql_type: String,
    /// An excerpt of the value, cut to a readable length.
    pub value: String,
    /// Where inside a nested value the refused part is, outermost first
    /// (empty for a scalar).
    pub path: Vec<ValuePart>,
    /// Why it was refused.
    pub kind: ConvertErrorKind,
}

/// `element 2: field 'f': `, each part of the way down followed by `: `.
struct PathPrefix<'a>(&'a [ValuePart]);

impl fmt::Display for PathPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|part| write!(f, "{part}: "))
    }
}

/// Where inside a nested value a refusal is: one step of the way down.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValuePart {
    /// A field of a user-defined type.
    Field(String),
    /// An element of a tuple, 0-based.
    TupleElement(usize),
    /// An item of a list, set or vector, 0-based.
    Element(usize),
    /// The key of a map entry, 0-based.
    MapKey(usize),
    /// The value of a map entry, 0-based.
    MapValue(usize),
}

impl fmt::Display for ValuePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValuePart::Field(name) => write!(f, "field '{name}'"),
            ValuePart::TupleElement(index) => write!(f, "tuple element {index}"),
            ValuePart::Element(index) => write!(f, "element {index}"),
            ValuePart::MapKey(index) => write!(f, "map key {index}"),
            ValuePart::MapValue(index) => write!(f, "map value {index}"),
        }
    }
}

/// Why a value was refused, one variant per rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertErrorKind {
    /// Text that is not in the form the type is written in.
    #[error("not {expected}")]
    Syntax {
        /// What was expected, with an article: `an integer`, `a date (expected YYYY-MM-DD)`.
        expected: &'static str,
    },
    /// An integer outside the range of the column's integer type.
    #[error("integer overflow: outside the {range} range")]
    Overflow {
        /// The type and its range, e.g. `int (int32)`.
        range: &'static str,
    },
    /// A date, time, duration or number outside what the CQL type holds.
    #[error("{what} out of range ({range})")]
    OutOfRange {
        /// What kind of value, e.g. `timestamp`.
        what: &'static str,
        /// The range the CQL type holds.
        range: &'static str,
    },
    /// Not a UUID.
    #[error("Invalid UUID ({error})")]
    InvalidUuid {
        /// The parser's reason.
        error: uuid::Error,
    },
    /// A UUID of a version other than 1, for a `timeuuid` column.
    #[error("Invalid UUID for timeuuid: version {version} (timeuuid needs version 1)")]
    NotTimeuuid {
        /// The UUID's version.
        version: usize,
    },
    /// A well-formed date that the calendar does not have (`2024-02-30`).
    #[error("no such calendar date")]
    NoSuchDate,
    /// Text with characters outside ASCII, for an `ascii` column.
    #[error("ascii column got non-ASCII text")]
    NotAscii,
    /// An Arrow `date64` that is not midnight.
    #[error("date64 value is not a whole day")]
    NotWholeDay,
    /// A timestamp finer than CQL's milliseconds: refused, not truncated.
    #[error(
        "timestamp has sub-millisecond precision, which CQL timestamp cannot hold (truncate it first, e.g. \
         date_trunc('millisecond', col))"
    )]
    SubMillisecond,
    /// A null item of a collection: CQL collections cannot hold nulls.
    #[error("{item} is null, which CQL collections cannot hold")]
    NullInCollection {
        /// The null item.
        item: ValuePart,
    },
    /// A vector of the wrong length.
    #[error("vector needs {expected} elements, got {got}")]
    VectorLength {
        /// The column's dimensions.
        expected: usize,
        /// The elements given.
        got: usize,
    },
    /// A value of Arrow's Null type where a value is needed.
    #[error("null")]
    Null,
    /// A value whose encoding is longer than CQL's 2 GiB `[bytes]`.
    #[error("value longer than 2 GiB, which CQL cannot hold")]
    TooLong,
    /// The driver could not serialize the value into the column's type.
    #[error("cannot encode the value ({reason})")]
    DriverEncode {
        /// The driver's reason.
        reason: String,
    },
    /// The driver could not read back a value as the column's type.
    #[error("cannot decode the encoded value ({reason})")]
    DriverDecode {
        /// The driver's reason.
        reason: String,
    },
    /// A per-row `ttl` or `writetime` out of what the option accepts.
    #[error("not a valid value for this setting")]
    InvalidSetting,
}

/// The cluster failed a write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A statement could not be prepared.
    #[error("cannot prepare `{cql}`: {source}")]
    Prepare {
        /// The statement.
        cql: String,
        /// The driver's reason.
        #[source]
        source: scylla::errors::PrepareError,
    },
    /// A request failed after its retries.
    #[error("write to {table} failed after {attempts} attempt(s): {source}")]
    Request {
        /// `keyspace.table`.
        table: String,
        /// Attempts made.
        attempts: u32,
        /// The driver's reason.
        #[source]
        source: scylla::errors::ExecutionError,
    },
    /// A statement without a prepared form (TRUNCATE) failed.
    #[error("`{cql}` failed: {source}")]
    Statement {
        /// The statement.
        cql: String,
        /// The driver's reason.
        #[source]
        source: scylla::errors::ExecutionError,
    },
    /// Overwrite mode was asked without `confirm_truncate=true`.
    #[error(
        "overwrite mode would truncate {table} and delete every row; set option 'confirm_truncate' to 'true' to allow it, or use mode 'append'"
    )]
    TruncateNotConfirmed {
        /// `keyspace.table`.
        table: String,
    },
    /// A row is larger than the largest mutation a node accepts: refused
    /// before anything of its input batch is sent.
    #[error(
        "row {row} of the input batch is about {bytes} bytes as a mutation of {table} (largest column '{largest_column}', about {largest_column_bytes} bytes), more than the {limit} bytes a node accepts in one mutation (half of commitlog_segment_size); no row of this batch was sent"
    )]
    RowTooLarge {
        /// Index of the row in its input batch (0-based).
        row: usize,
        /// `keyspace.table`.
        table: String,
        /// The row's estimated size as the node measures a mutation.
        bytes: usize,
        /// The column holding the largest value.
        largest_column: String,
        /// That value's estimated size.
        largest_column_bytes: usize,
        /// The largest mutation accepted ([`crate::config::names::MAX_MUTATION_BYTES`]).
        limit: usize,
    },
    /// The writer was used after a failure or after it finished.
    #[error("the writer is closed: {reason}")]
    Closed {
        /// Why it closed.
        reason: String,
    },
}

/// Longest excerpt of a bad value kept in an error.
pub(crate) const VALUE_EXCERPT_CHARS: usize = 80;

/// Cuts a value for an error message, saying how long it really was.
pub(crate) fn excerpt(value: &str) -> String {
    let count = value.chars().count();
    if count <= VALUE_EXCERPT_CHARS {
        format!("'{value}'")
    } else {
        let head: String = value.chars().take(VALUE_EXCERPT_CHARS).collect();
        format!("'{head}…' ({count} characters)")
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
