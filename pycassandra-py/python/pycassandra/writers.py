"""Spark's writer classes for pycassandra: glue that hands Arrow batches to Rust."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterator, List, Optional

import pyarrow as pa
from pyspark.sql.datasource import (
    DataSourceArrowWriter,
    DataSourceStreamWriter,
    WriterCommitMessage,
)

from pycassandra import _native
from pycassandra._redact import redacted_options

try:  # PySpark 4.1+: a dedicated Arrow stream writer, itself a DataSourceStreamWriter.
    from pyspark.sql.datasource import DataSourceStreamArrowWriter  # type: ignore[attr-defined]  # mypy sees 4.0

    _STREAM_BASES: tuple = (DataSourceStreamArrowWriter,)
except ImportError:  # 4.0: the worker checks isinstance(writer, DataSourceArrowWriter).
    _STREAM_BASES = (DataSourceStreamWriter, DataSourceArrowWriter)

logger = logging.getLogger("pycassandra")


@dataclass
class CassandraCommitMessage(WriterCommitMessage):
    """One task's WriteReport, carried to ``commit()`` on the driver."""

    rows_written: int = 0
    rows_deleted: int = 0
    rows_failed: int = 0
    lwt_not_applied: int = 0
    requests: int = 0
    retries: int = 0
    input_bytes: int = 0
    elapsed_seconds: float = 0.0


def _write_partition(job: _native.WriteJob, iterator: Iterator[pa.RecordBatch]) -> CassandraCommitMessage:
    writer = None
    try:
        for batch in iterator:
            if writer is None:
                # The first batch's schema is exactly what Spark sends.
                writer = job.writer(batch.schema)
            writer.write_batch(batch)
        if writer is None:
            return CassandraCommitMessage()
        return CassandraCommitMessage(**writer.finish())
    except Exception:
        if writer is not None:
            try:
                # Requests already sent still land: wait for them, so the count is what the table got.
                writer.flush()
            except Exception:  # a failed request: its rows are counted as failed
                pass
            try:
                written = writer.report()
                logger.error(
                    "pycassandra task failed after writing %d rows and deleting %d",
                    written["rows_written"],
                    written["rows_deleted"],
                )
            except Exception:  # the writer may already be closed
                pass
        raise


def _summary(messages: List[Optional[WriterCommitMessage]]) -> CassandraCommitMessage:
    total = CassandraCommitMessage()
    for message in messages:
        if isinstance(message, CassandraCommitMessage):
            total.rows_written += message.rows_written
            total.rows_deleted += message.rows_deleted
            total.rows_failed += message.rows_failed
            total.lwt_not_applied += message.lwt_not_applied
            total.requests += message.requests
            total.retries += message.retries
            total.input_bytes += message.input_bytes
            total.elapsed_seconds = max(total.elapsed_seconds, message.elapsed_seconds)
    return total


def _log_summary(what: str, messages: List[Optional[WriterCommitMessage]], level: int) -> CassandraCommitMessage:
    total = _summary(messages)
    rate = (total.rows_written + total.rows_deleted) / total.elapsed_seconds if total.elapsed_seconds else 0.0
    logger.log(
        level,
        "%s: %d rows written, %d deleted, %d failed, %d not applied (IF NOT EXISTS), %.0f rows/s",
        what,
        total.rows_written,
        total.rows_deleted,
        total.rows_failed,
        total.lwt_not_applied,
        rate,
    )
    return total


class _OptionsHolder:
    """Holds the job (pickled to the tasks, password included) and keeps the options out of repr()."""

    def __init__(self, options: dict, job: _native.WriteJob) -> None:
        self._options = options
        self._job = job

    def __repr__(self) -> str:
        return f"{type(self).__name__}({redacted_options(self._options)})"


class CassandraBatchWriter(_OptionsHolder, DataSourceArrowWriter):
    """Batch writer: each Spark task streams its Arrow batches into Cassandra."""

    def write(self, iterator: Iterator[pa.RecordBatch]) -> CassandraCommitMessage:
        return _write_partition(self._job, iterator)

    def commit(self, messages: List[Optional[WriterCommitMessage]]) -> None:
        _log_summary("pycassandra write committed", messages, logging.INFO)

    def abort(self, messages: List[Optional[WriterCommitMessage]]) -> None:
        _log_summary("pycassandra write aborted; written before the failure", messages, logging.ERROR)


class CassandraStreamWriter(_OptionsHolder, *_STREAM_BASES):  # type: ignore[misc]  # bases differ by PySpark version
    """Streaming writer: every micro-batch is written and flushed before Spark commits it."""

    def write(self, iterator: Iterator[pa.RecordBatch]) -> CassandraCommitMessage:
        return _write_partition(self._job, iterator)

    def commit(self, messages: List[Optional[WriterCommitMessage]], batchId: int) -> None:  # noqa: N803 (Spark's name)
        _log_summary(f"pycassandra micro-batch {batchId} committed", messages, logging.INFO)

    def abort(self, messages: List[Optional[WriterCommitMessage]], batchId: int) -> None:  # noqa: N803
        _log_summary(f"pycassandra micro-batch {batchId} aborted; written before the failure", messages, logging.ERROR)
