"""pycassandra's change-stream source with every Spark-facing call recorded, to
pin how often Spark builds the stream reader and calls each of its methods,
from which of its Python processes, and what each call asked of the cluster
(imported by Spark's workers; see test_change_stream_lifecycle.py). schema()
is recorded by lifecycle_probe's source, which this one extends.

Each call appends one line to a file of its process in the option `calls_dir`,
in lifecycle_probe's format (read back with `read_calls`). Two options steer a
test and are taken out before pycassandra sees the options:

- `calls_dir`: where the calls are recorded;
- `hold_reads_on`: a file path; every task waits, before it reads anything,
  until that file exists (a test that kills the query while a micro-batch's
  tasks run creates `<hold_reads_on>.reading` first, from the first task).
"""

from __future__ import annotations

import os
import time

from lifecycle_probe import RecordingCassandraDataSource, _record, _sessions

from pycassandra._changes import CassandraChangeStreamReader

# How often a held task looks for its file: a held task waits for a file the
# test creates (or for its process to be killed), never for a time.
_POLL_SECONDS = 0.05


class RecordedChangeStreamReader(CassandraChangeStreamReader):
    calls_dir: str
    hold_reads_on: str

    def initialOffset(self) -> dict:  # noqa: N802 (Spark's name)
        before = _sessions()
        offset = super().initialOffset()
        _record(self.calls_dir, "initialOffset", before)
        return offset

    # Spark picks the call by this signature's arity, so it stays the parent's.
    def latestOffset(self, start=None, limit=None) -> dict:  # noqa: N802
        before = _sessions()
        offset = super().latestOffset(start, limit)
        _record(self.calls_dir, "latestOffset", before)
        return offset

    def partitions(self, start, end):
        before = _sessions()
        pieces = super().partitions(start, end)
        _record(self.calls_dir, "partitions", before)
        return pieces

    def read(self, partition):
        if self.hold_reads_on:
            reading = f"{self.hold_reads_on}.reading"
            with open(reading, "a") as marker:
                marker.write(f"{os.getpid()}\n")
            while not os.path.exists(self.hold_reads_on):
                time.sleep(_POLL_SECONDS)
        before = _sessions()
        yield from super().read(partition)
        _record(self.calls_dir, "read", before)

    def commit(self, end) -> None:
        before = _sessions()
        super().commit(end)
        _record(self.calls_dir, "commit", before)


class RecordingChangeSource(RecordingCassandraDataSource):
    @classmethod
    def name(cls) -> str:
        return "pycassandra_changes_recorded"

    def __init__(self, options) -> None:
        options = {key.lower(): value for key, value in dict(options).items()}
        self.hold_reads_on = options.pop("hold_reads_on", "")
        super().__init__(options)

    def streamReader(self, schema):  # noqa: N802 (Spark's name)
        before = _sessions()
        reader = super().streamReader(schema)
        _record(self.calls_dir, "streamReader", before)
        reader.__class__ = RecordedChangeStreamReader
        reader.calls_dir, reader.hold_reads_on = self.calls_dir, self.hold_reads_on
        return reader
