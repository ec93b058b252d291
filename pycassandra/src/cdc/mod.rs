//! Change data capture, first layer: the files Apache Cassandra writes into a
//! node's `cdc_raw` directory, read byte for byte and checked.
//!
//! Cassandra (4.0+, `cdc_enabled: true`) hard-links every commit-log segment
//! into `cdc_raw` when it is created and, once the segment holds a mutation of
//! a table `WITH cdc = true`, rewrites `<segment>_cdc.idx` at each sync with
//! the durable offset (and `COMPLETED` when the segment is closed).
//! docs/cdc-format.md has the byte layout as verified on a 5.0.8 node.
//!
//! This layer gives:
//! - [`directory`]: the segments of a `cdc_raw` directory in segment-id order;
//! - [`idx`]: a `_cdc.idx` file's durable offset and `COMPLETED` marker;
//! - [`segment`]: a segment's descriptor header, its sync sections and the
//!   entries in them (one serialized mutation each), every CRC checked;
//! - [`envelope`]: the start of a mutation body — the number of partition
//!   updates, the first one's table id and partition key bytes;
//! - [`mutation`]: an entry's partition updates, rows, cells and tombstones,
//!   decoded against a [`CdcSchema`] (the tables by id, from [`table`], read
//!   from a node's `system_schema` by [`CdcSchema::load`]);
//! - [`canonical`]: a decoded mutation as stable text, for golden tests;
//! - [`events`]: one table's updates as Arrow change events;
//! - [`reader`]: a [`ChangeReader`] over a directory, from a resumable
//!   [`ChangeOffset`] to what is durable now;
//! - [`planner`]: a [`CdcDirectory`], planning without a schema (offsets,
//!   budgets, pieces, a piece's bytes, deletion, usage);
//! - [`consumers`]: the [`Consumers`] of one `cdc_raw` and their commits,
//!   as a change agent keeps them;
//! - [`drift`]: the table now against the one a running stream started with.
//!
//! Anything this layer does not know — a descriptor version other than 7 or 8, a compressor other
//! than LZ4, encrypted segments, a bad CRC, a length past the bytes there are — is a
//! [`CdcError`](crate::CdcError) naming the file, the byte position and what
//! was not understood; nothing is skipped.

// The byte layer is public for the golden, oracle and fuzz tests and the
// benchmark, and hidden: a Rust user reads changes through ChangeReader.
#[doc(hidden)]
pub mod canonical;
mod compressed;
pub mod consumers;
mod crc;
mod cursor;
#[doc(hidden)]
pub mod directory;
pub mod drift;
#[doc(hidden)]
pub mod envelope;
#[doc(hidden)]
pub mod events;
#[doc(hidden)]
pub mod idx;
#[doc(hidden)]
pub mod mutation;
pub mod planner;
#[doc(hidden)]
pub mod reader;
#[doc(hidden)]
pub mod segment;
mod system_schema;
#[doc(hidden)]
pub mod table;

pub use consumers::{Committed, ConsumerError, Consumers};
#[doc(hidden)]
pub use directory::{list_segments, readable, Readable, SegmentFile};
#[doc(hidden)]
pub use envelope::MutationEnvelope;
#[doc(hidden)]
pub use idx::CdcIndex;
#[doc(hidden)]
pub use mutation::{decode, Mutation, PartitionUpdate};
pub use planner::{CdcDirectory, SegmentBytes, Usage};
pub use reader::{ChangeBatch, ChangeOffset, ChangeReader};
#[doc(hidden)]
pub use segment::{Descriptor, Entry, Segment, StopReason};
pub use system_schema::cdc_enabled;
pub use table::CdcSchema;
#[doc(hidden)]
pub use table::{CdcColumn, CdcTable, ColumnRef, DroppedColumn};

#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod roundtrip_tests;
