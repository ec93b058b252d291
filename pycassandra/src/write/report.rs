use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What a write job (or one micro-batch of a stream) did.
///
/// ```no_run
/// # async fn demo(writer: pycassandra::CassandraWriter) -> Result<(), pycassandra::Error> {
/// let report = writer.finish().await?;
/// println!(
///     "{} rows in {:?} ({:.0}/s), {} failed, {} retries",
///     report.rows_written,
///     report.elapsed,
///     report.rows_per_second(),
///     report.rows_failed,
///     report.retries,
/// );
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteReport {
    /// Rows inserted (or updated) and acknowledged by the cluster.
    pub rows_written: u64,
    /// Rows deleted through the delete flag.
    pub rows_deleted: u64,
    /// Rows refused by the cluster or by conversion.
    pub rows_failed: u64,
    /// Conditional inserts (`if_not_exists`) the cluster did not apply.
    pub lwt_not_applied: u64,
    /// Requests sent (single statements and batches), retries excluded.
    pub requests: u64,
    /// Retries made after timeouts or overload.
    pub retries: u64,
    /// Size of the input Arrow data consumed.
    pub input_bytes: u64,
    /// Time from opening the writer (or starting the micro-batch) to the report.
    pub elapsed: Duration,
}

impl WriteReport {
    /// Rows written and deleted per second of `elapsed`; 0 before any time has passed.
    ///
    /// ```
    /// assert_eq!(pycassandra::WriteReport::default().rows_per_second(), 0.0);
    /// ```
    pub fn rows_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            (self.rows_written + self.rows_deleted) as f64 / seconds
        } else {
            0.0
        }
    }
}

/// Counters shared by the writer and its in-flight requests.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) rows_written: AtomicU64,
    pub(crate) rows_deleted: AtomicU64,
    pub(crate) rows_failed: AtomicU64,
    pub(crate) lwt_not_applied: AtomicU64,
    pub(crate) requests: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) input_bytes: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, amount: u64) {
        counter.fetch_add(amount, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self, elapsed: Duration) -> WriteReport {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        WriteReport {
            rows_written: get(&self.rows_written),
            rows_deleted: get(&self.rows_deleted),
            rows_failed: get(&self.rows_failed),
            lwt_not_applied: get(&self.lwt_not_applied),
            requests: get(&self.requests),
            retries: get(&self.retries),
            input_bytes: get(&self.input_bytes),
            elapsed,
        }
    }

    /// The difference since `earlier`, for per-micro-batch reports.
    pub(crate) fn since(now: WriteReport, earlier: WriteReport, elapsed: Duration) -> WriteReport {
        WriteReport {
            rows_written: now.rows_written - earlier.rows_written,
            rows_deleted: now.rows_deleted - earlier.rows_deleted,
            rows_failed: now.rows_failed - earlier.rows_failed,
            lwt_not_applied: now.lwt_not_applied - earlier.lwt_not_applied,
            requests: now.requests - earlier.requests,
            retries: now.retries - earlier.retries,
            input_bytes: now.input_bytes - earlier.input_bytes,
            elapsed,
        }
    }
}
