"""Spark's stream reader for change streams: a table's changes read from a node's ``cdc_raw``.

Offsets are ``{"segment": id, "position": byte}`` (a commit-log segment and a
sync-section end in it). The driver-side methods run in one long-lived Python
worker, which keeps the job (and its schema) between calls; ``read`` runs in
the tasks on a job unpickled from its options. A micro-batch is a pure
function of its ``(start, end)``, so a batch replayed after a restart gives
the same events.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

import pyarrow as pa
from pyspark.sql.datasource import DataSourceStreamReader, InputPartition
from pyspark.sql.types import StructType

from pycassandra import _native
from pycassandra._arrow import spark_arrow_schema
from pycassandra._redact import redacted_options

Offset = Tuple[int, int]

_log = logging.getLogger("pycassandra")


def _to_json(offset: Offset) -> dict:
    return {"segment": offset[0], "position": offset[1]}


def _from_json(offset: dict) -> Offset:
    return (int(offset["segment"]), int(offset["position"]))


@dataclass
class ChangePiece(InputPartition):
    """The events of ``[start, end)`` in one segment, read by one task."""

    start: Offset
    end: Offset


def spark_byte_limit(limit: object) -> Optional[int]:
    """Spark 4.2+'s ``ReadMaxBytes`` limit, if that is the one given."""
    max_bytes = getattr(limit, "max_bytes", None)
    return int(max_bytes) if isinstance(max_bytes, int) and max_bytes > 0 else None


class CassandraChangeStreamReader(DataSourceStreamReader):
    """Reads a table's inserts, updates and deletes as they reach the commit log."""

    def __init__(self, options: dict, schema: StructType):
        self._options = options
        self._schema = schema
        self._job = _native.ChangeJob(options)
        # The end of the batch planned last: PySpark before 4.2 does not pass
        # the start to latestOffset.
        self._planned: Optional[Offset] = None
        # Where the query starts, once decided: Spark asks more than once.
        self._initial: Optional[Offset] = None

    def initialOffset(self) -> dict:  # noqa: N802 (Spark's name)
        # Spark asks when it plans the first batch and again when it runs it
        # (4.2+), and "latest" moves on between the two: the first answer
        # stands, or the batch would start past data it planned to read.
        if self._initial is None:
            start = self._job.initial_offset()
            # Before 4.2 Spark plans the first batch's end (latestOffset)
            # before it asks where it starts: a start past that end would be
            # a batch ending before it begins.
            if self._planned is not None:
                start = min(start, self._planned)
            else:
                self._planned = start
            self._initial = start
        return _to_json(self._initial)

    # One signature for every 4.x: 4.2+ passes (start, limit), 4.0/4.1 nothing.
    # Without a start (4.0/4.1, the first call after a restart) the batch
    # reads everything durable: a budget from a guessed start could end behind
    # the checkpoint's.
    def latestOffset(self, start: Optional[dict] = None, limit: object = None) -> dict:  # noqa: N802
        begin = _from_json(start) if start is not None else self._planned
        if begin is not None:
            # Spark plans a batch only once the one before is in the sink's
            # commit log, so what precedes its start is consumed; but it calls
            # commit(end) for a batch only when it plans a next one with new
            # changes, which a full cdc_raw (refusing CDC writes) never gives.
            # Releasing here frees cdc_raw without waiting for that.
            self._release(begin)
        end = self._job.latest_offset(begin, spark_byte_limit(limit))
        # After the end is planned: a column added before a write this batch
        # reads is seen here, before the batch runs.
        self._job.check_schema()
        self._planned = end
        return _to_json(end)

    def partitions(self, start: dict, end: dict) -> List[ChangePiece]:
        if _from_json(end) < _from_json(start):
            raise ValueError(f"change stream: end offset {end} is behind start offset {start}")
        pieces = self._job.pieces(_from_json(start), _from_json(end))
        return [ChangePiece(piece_start, piece_end) for piece_start, piece_end in pieces]

    def read(self, partition: ChangePiece) -> Iterator[pa.RecordBatch]:  # type: ignore[override]
        batch = self._job.read(partition.start, partition.end, spark_arrow_schema(self._schema))
        if batch.num_rows:
            yield batch

    def commit(self, end: dict) -> None:
        self._release(_from_json(end))

    def _release(self, consumed: Offset) -> None:
        """Deletes the closed segments before `consumed` (with ``cdc_delete_consumed``;
        a segment still open then goes at a later call)."""
        deleted = self._job.commit(consumed)
        if deleted:
            _log.info("cdc_raw: deleted %d consumed segment(s) up to %s", len(deleted), deleted[-1])

    def __repr__(self) -> str:
        return f"CassandraChangeStreamReader({redacted_options(self._options)})"
