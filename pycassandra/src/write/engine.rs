//! The part of a writer that both front ends (Arrow batches, typed rows)
//! share: the session and prepared statements, the permits that bound the
//! requests in flight, the counters, the first error a request met, and the
//! throughput limit.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scylla::client::session::Session;
use scylla::serialize::row::SerializeRow;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::report::{Counters, WriteReport};
use super::request::{Request, Statements};
use crate::error::{Error, WriteError};

pub(super) struct Engine {
    session: Arc<Session>,
    statements: Arc<Statements>,
    permits: Arc<Semaphore>,
    in_flight: JoinSet<()>,
    counters: Arc<Counters>,
    first_error: Arc<Mutex<Option<Error>>>,
    throughput_mb_per_sec: Option<f64>,
    started: Instant,
    micro_batch: Option<(Instant, WriteReport)>,
}

impl Engine {
    pub(super) fn new(
        session: Arc<Session>,
        statements: Statements,
        concurrency: usize,
        throughput_mb_per_sec: Option<f64>,
    ) -> Self {
        Self {
            session,
            statements: Arc::new(statements),
            permits: Arc::new(Semaphore::new(concurrency)),
            in_flight: JoinSet::new(),
            counters: Arc::new(Counters::default()),
            first_error: Arc::new(Mutex::new(None)),
            throughput_mb_per_sec,
            started: Instant::now(),
            micro_batch: None,
        }
    }

    pub(super) fn session(&self) -> &Session {
        &self.session
    }

    pub(super) fn count_input(&self, bytes: usize) {
        Counters::add(&self.counters.input_bytes, bytes as u64);
    }

    /// Rows refused before any request was made (conversion, size).
    pub(super) fn count_refused(&self, rows: usize) {
        Counters::add(&self.counters.rows_failed, rows as u64);
    }

    /// Waits for a permit and puts the request in flight.
    pub(super) async fn send<V: SerializeRow + Send + Sync + 'static>(
        &mut self,
        request: Request<V>,
    ) -> Result<(), Error> {
        while self.in_flight.try_join_next().is_some() {}
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| WriteError::Closed { reason: "semaphore closed".into() })?;
        self.raise_first_error()?;
        let session = Arc::clone(&self.session);
        let statements = Arc::clone(&self.statements);
        let counters = Arc::clone(&self.counters);
        let first_error = Arc::clone(&self.first_error);
        self.in_flight.spawn(async move {
            let rows = request.row_count() as u64;
            if let Err(error) = request.execute(&session, &statements, &counters).await {
                Counters::add(&counters.rows_failed, rows);
                if let Ok(mut slot) = first_error.lock() {
                    slot.get_or_insert(error);
                }
            }
            drop(permit);
        });
        Ok(())
    }

    /// Sleeps while the input consumed runs ahead of `throughput_mb_per_sec`.
    pub(super) async fn throttle(&self) {
        let Some(limit) = self.throughput_mb_per_sec else { return };
        let consumed = self.counters.snapshot(self.started.elapsed()).input_bytes as f64;
        let due = Duration::from_secs_f64(consumed / (limit * 1e6));
        let elapsed = self.started.elapsed();
        if due > elapsed {
            tokio::time::sleep(due - elapsed).await;
        }
    }

    /// Waits for every request in flight; fails with the first error seen.
    pub(super) async fn flush(&mut self) -> Result<(), Error> {
        while self.in_flight.join_next().await.is_some() {}
        self.raise_first_error()
    }

    pub(super) fn report(&self) -> WriteReport {
        self.counters.snapshot(self.started.elapsed())
    }

    pub(super) fn begin_micro_batch(&mut self) {
        self.micro_batch = Some((Instant::now(), self.report()));
    }

    pub(super) async fn commit_micro_batch(&mut self) -> Result<WriteReport, Error> {
        self.flush().await?;
        let (started, before) = self.micro_batch.take().unwrap_or((self.started, WriteReport::default()));
        Ok(Counters::since(self.report(), before, started.elapsed()))
    }

    pub(super) fn raise_first_error(&self) -> Result<(), Error> {
        match self.first_error.lock() {
            Ok(mut slot) => match slot.take() {
                Some(error) => {
                    // Later calls must keep failing: leave a marker behind.
                    *slot = Some(Error::Write(WriteError::Closed { reason: "an earlier request failed".into() }));
                    Err(error)
                }
                None => Ok(()),
            },
            Err(_) => Err(Error::Write(WriteError::Closed { reason: "a request task panicked".into() })),
        }
    }
}
