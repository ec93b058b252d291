//! The consumers of one node's `cdc_raw`, as a change agent records them:
//! each consumer's committed offset, kept in one file that survives the
//! agent's restart. A segment may be deleted once every registered consumer
//! has committed past it; an operator evicts a consumer that will never
//! come back, or its segments are kept for ever (and Cassandra, once
//! `cdc_total_space` is full, refuses CDC writes).
//!
//! The file is rewritten whole through a temporary file and a rename, so a
//! crash leaves the old state or the new one, never half of either.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cdc::reader::ChangeOffset;

/// Why a consumer operation failed.
///
/// ```no_run
/// use pycassandra::cdc::{ConsumerError, Consumers};
/// let mut consumers = Consumers::open("/var/lib/pycassandra-agent".as_ref())?;
/// match consumers.evict("never-registered") {
///     Err(ConsumerError::Unknown { id }) => println!("{id} was not registered"),
///     other => println!("{other:?}"),
/// }
/// # Ok::<(), ConsumerError>(())
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// A consumer id outside `[A-Za-z0-9._-]{1,128}`.
    #[error("consumer id {id:?}: use 1 to 128 letters, digits, '.', '_' or '-'")]
    BadId {
        /// The id given.
        id: String,
    },
    /// No such consumer.
    #[error("consumer {id:?} is not registered")]
    Unknown {
        /// The id given.
        id: String,
    },
    /// The state file could not be read or written.
    #[error("consumer state {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The state file holds something this version did not write.
    #[error("consumer state {file}, line {line}: {what}")]
    Corrupt {
        /// The file.
        file: String,
        /// The line, from 1.
        line: usize,
        /// What was wrong.
        what: String,
    },
}

/// One consumer's record after a commit: where it stands.
///
/// ```no_run
/// use pycassandra::cdc::{ChangeOffset, Consumers};
/// let mut consumers = Consumers::open("/var/lib/pycassandra-agent".as_ref())?;
/// let committed = consumers.commit("orders-to-lake", ChangeOffset { segment: 7, position: 0 })?;
/// if committed.registered {
///     println!("a new consumer, at {:?}", committed.offset);
/// }
/// # Ok::<(), pycassandra::cdc::ConsumerError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committed {
    /// The consumer's committed offset (never behind one it committed before).
    pub offset: ChangeOffset,
    /// Whether this call registered it.
    pub registered: bool,
}

/// The consumers of one `cdc_raw`, persisted in `state_dir/consumers`.
///
/// ```no_run
/// use pycassandra::cdc::{ChangeOffset, Consumers};
/// let mut consumers = Consumers::open("/var/lib/pycassandra-agent".as_ref())?;
/// consumers.commit("orders-to-lake", ChangeOffset { segment: 1_796_152_552_674, position: 4096 })?;
/// if let Some(all) = consumers.consumed_by_all() {
///     println!("segments before {} may go", all.segment);
/// }
/// # Ok::<(), pycassandra::cdc::ConsumerError>(())
/// ```
#[derive(Debug)]
pub struct Consumers {
    file: PathBuf,
    committed: BTreeMap<String, ChangeOffset>,
}

/// Checks a consumer id: it names a file line and a URL path segment.
///
/// ```
/// use pycassandra::cdc::consumers::check_id;
/// assert!(check_id("orders-to-lake.v2").is_ok());
/// assert!(check_id("orders to lake").is_err());
/// ```
pub fn check_id(id: &str) -> Result<(), ConsumerError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if id.is_empty() || id.len() > 128 || !id.chars().all(allowed) {
        return Err(ConsumerError::BadId { id: id.to_owned() });
    }
    Ok(())
}

impl Consumers {
    /// Reads the state in `state_dir` (created if missing); no file is no consumer.
    ///
    /// ```no_run
    /// let consumers = pycassandra::cdc::Consumers::open("/var/lib/pycassandra-agent".as_ref())?;
    /// println!("{} consumers", consumers.list().len());
    /// # Ok::<(), pycassandra::cdc::ConsumerError>(())
    /// ```
    pub fn open(state_dir: &Path) -> Result<Self, ConsumerError> {
        let io = |source| ConsumerError::Io { file: state_dir.display().to_string(), source };
        std::fs::create_dir_all(state_dir).map_err(io)?;
        let file = state_dir.join("consumers");
        let name = file.display().to_string();
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(ConsumerError::Io { file: name, source }),
        };
        let mut committed = BTreeMap::new();
        for (index, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
            let corrupt =
                |what: &str| ConsumerError::Corrupt { file: name.clone(), line: index + 1, what: what.into() };
            let fields: Vec<&str> = line.split(' ').collect();
            let [id, segment, position] = fields[..] else {
                return Err(corrupt("expected: consumer-id segment position"));
            };
            check_id(id).map_err(|_| corrupt("not a consumer id"))?;
            let segment = segment.parse().map_err(|_| corrupt("segment is not an integer"))?;
            let position = position.parse().map_err(|_| corrupt("position is not an integer"))?;
            committed.insert(id.to_owned(), ChangeOffset { segment, position });
        }
        Ok(Consumers { file, committed })
    }

    /// Records that `id` has consumed everything before `offset`,
    /// registering it if new. An offset behind the one it committed before
    /// leaves that one (a replayed Spark batch commits an older end again).
    ///
    /// ```no_run
    /// use pycassandra::cdc::{ChangeOffset, Consumers};
    /// let mut consumers = Consumers::open("/var/lib/pycassandra-agent".as_ref())?;
    /// let now = consumers.commit("orders-to-lake", ChangeOffset { segment: 7, position: 4096 })?;
    /// assert!(now.offset >= ChangeOffset { segment: 7, position: 4096 });
    /// # Ok::<(), pycassandra::cdc::ConsumerError>(())
    /// ```
    pub fn commit(&mut self, id: &str, offset: ChangeOffset) -> Result<Committed, ConsumerError> {
        check_id(id)?;
        let registered = !self.committed.contains_key(id);
        let entry = self.committed.entry(id.to_owned()).or_insert(offset);
        if offset > *entry {
            *entry = offset;
        }
        let now = *entry;
        self.save()?;
        Ok(Committed { offset: now, registered })
    }

    /// Forgets `id`: its segments no longer hold back deletion.
    ///
    /// ```no_run
    /// let mut consumers = pycassandra::cdc::Consumers::open("/var/lib/pycassandra-agent".as_ref())?;
    /// consumers.evict("a-query-that-was-dropped")?;
    /// # Ok::<(), pycassandra::cdc::ConsumerError>(())
    /// ```
    pub fn evict(&mut self, id: &str) -> Result<ChangeOffset, ConsumerError> {
        check_id(id)?;
        let offset = self.committed.remove(id).ok_or_else(|| ConsumerError::Unknown { id: id.to_owned() })?;
        self.save()?;
        Ok(offset)
    }

    /// Every consumer and its committed offset, by id.
    ///
    /// ```no_run
    /// let consumers = pycassandra::cdc::Consumers::open("/var/lib/pycassandra-agent".as_ref())?;
    /// for (id, offset) in consumers.list() {
    ///     println!("{id} committed {offset:?}");
    /// }
    /// # Ok::<(), pycassandra::cdc::ConsumerError>(())
    /// ```
    pub fn list(&self) -> Vec<(String, ChangeOffset)> {
        self.committed.iter().map(|(id, offset)| (id.clone(), *offset)).collect()
    }

    /// The offset every consumer has committed (the least of theirs); `None`
    /// with no consumer: nothing is known consumed, so nothing may go.
    ///
    /// ```no_run
    /// let consumers = pycassandra::cdc::Consumers::open("/var/lib/pycassandra-agent".as_ref())?;
    /// println!("consumed by all: {:?}", consumers.consumed_by_all());
    /// # Ok::<(), pycassandra::cdc::ConsumerError>(())
    /// ```
    pub fn consumed_by_all(&self) -> Option<ChangeOffset> {
        self.committed.values().min().copied()
    }

    fn save(&self) -> Result<(), ConsumerError> {
        let io = |source| ConsumerError::Io { file: self.file.display().to_string(), source };
        let mut text = String::new();
        for (id, offset) in &self.committed {
            text.push_str(&format!("{id} {} {}\n", offset.segment, offset.position));
        }
        let temporary = self.file.with_extension("new");
        let mut file = std::fs::File::create(&temporary).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        // Durable before the rename makes it the state.
        file.sync_all().map_err(io)?;
        std::fs::rename(&temporary, &self.file).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pycassandra-consumers-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    const AT: fn(i64, u64) -> ChangeOffset = |segment, position| ChangeOffset { segment, position };

    #[test]
    fn commits_survive_a_reopen_and_never_go_back() {
        let dir = state_dir("reopen");
        let mut consumers = Consumers::open(&dir).unwrap();
        assert_eq!(consumers.commit("a", AT(5, 100)).unwrap(), Committed { offset: AT(5, 100), registered: true });
        assert_eq!(consumers.commit("a", AT(4, 900)).unwrap(), Committed { offset: AT(5, 100), registered: false });
        consumers.commit("b", AT(6, 10)).unwrap();
        let reopened = Consumers::open(&dir).unwrap();
        assert_eq!(reopened.list(), [("a".to_string(), AT(5, 100)), ("b".to_string(), AT(6, 10))]);
        assert_eq!(reopened.consumed_by_all(), Some(AT(5, 100)));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_evicted_consumer_no_longer_holds_back_deletion() {
        let dir = state_dir("evict");
        let mut consumers = Consumers::open(&dir).unwrap();
        assert_eq!(consumers.consumed_by_all(), None, "no consumer: nothing is known consumed");
        consumers.commit("slow", AT(1, 0)).unwrap();
        consumers.commit("fast", AT(9, 0)).unwrap();
        assert_eq!(consumers.consumed_by_all(), Some(AT(1, 0)));
        assert_eq!(consumers.evict("slow").unwrap(), AT(1, 0));
        assert_eq!(consumers.consumed_by_all(), Some(AT(9, 0)));
        let message = consumers.evict("slow").unwrap_err().to_string();
        assert!(message.contains("\"slow\" is not registered"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ids_that_would_break_the_file_or_a_url_are_refused() {
        let dir = state_dir("ids");
        let mut consumers = Consumers::open(&dir).unwrap();
        for bad in ["", "a b", "a/b", "a\nb", &"x".repeat(129)] {
            let message = consumers.commit(bad, AT(1, 0)).unwrap_err().to_string();
            assert!(message.contains("use 1 to 128 letters"), "{bad:?}: {message}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_state_file_is_refused_with_its_line() {
        let dir = state_dir("corrupt");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("consumers"), "a 1 2\nb 3\n").unwrap();
        let message = Consumers::open(&dir).unwrap_err().to_string();
        assert!(message.contains("line 2") && message.contains("consumer-id segment position"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
