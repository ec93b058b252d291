"""pycassandra's data source with every Spark-facing call recorded, to pin how
often Spark calls each method and from which of its Python processes
(imported by Spark's workers; see test_lifecycle.py).

The option `calls_dir` names a directory; each call appends one line
`<method> <pyspark module that called it> <pid> <sessions the method opened>
<table schemas it read> <scans it prepared> <write statements it prepared>`
to a file of its process there.
Spark reuses its Python processes across jobs, so each is counted as the
process's count after the call minus before it.
The option is taken out before pycassandra sees the options.
"""

from __future__ import annotations

import os
import sys

from pycassandra import CassandraDataSource
from pycassandra.reader import CassandraFilteringReader, CassandraReader
from pycassandra.writers import CassandraBatchWriter, CassandraStreamWriter

# An action a test wants run on the driver right before commit()/abort() (e.g.
# stopping the node), given as an option: `before_commit` = a shell command.
_BEFORE_COMMIT = "before_commit"


def _spark_caller() -> str:
    """The pyspark worker module whose main() runs this call: a module of
    pyspark/sql/worker or pyspark/sql/streaming (driver-side planning and
    commits; a stream source's long-lived process) or `worker` (a task).
    The outermost one counts: a task runs functions defined in planning modules."""
    caller = "driver"
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        directory, name = os.path.split(path)
        planning = any(os.path.join("pyspark", "sql", kind) in directory for kind in ("worker", "streaming"))
        if planning or path.endswith(os.path.join("pyspark", "worker.py")):
            caller = os.path.splitext(name)[0]
        frame = frame.f_back
    return caller


def _sessions() -> tuple:
    """The process's counts: cached sessions, table schemas read, scans and write statements prepared."""
    from pycassandra import _native

    return (
        _native.cached_session_count(),
        _native.table_schema_loads(),
        _native.scans_prepared(),
        _native.write_statements_prepared(),
    )


def _record(calls_dir: str, method: str, before: tuple) -> None:
    """One line per call; `before` is what the process had counted before it."""
    opened = " ".join(str(after - earlier) for after, earlier in zip(_sessions(), before))
    with open(os.path.join(calls_dir, f"calls-{os.getpid()}"), "a") as out:
        out.write(f"{method} {_spark_caller()} {os.getpid()} {opened}\n")


class Call(tuple):
    @property
    def method(self) -> str:
        return self[0]

    @property
    def caller(self) -> str:
        return self[1]

    @property
    def pid(self) -> int:
        return int(self[2])

    @property
    def sessions_opened(self) -> int:
        return int(self[3])

    @property
    def table_schema_loads(self) -> int:
        return int(self[4])

    @property
    def scans_prepared(self) -> int:
        return int(self[5])

    @property
    def write_statements_prepared(self) -> int:
        return int(self[6])


def read_calls(calls_dir) -> list:
    """Every recorded call, as Call(method, caller, pid, sessions, schema loads, scans and write statements prepared)."""
    calls = []
    for name in sorted(os.listdir(calls_dir)):
        with open(os.path.join(calls_dir, name)) as f:
            calls.extend(Call(line.split()) for line in f if line.strip())
    return calls


class _Recorded:
    """Mixed into a writer: records write/commit/abort, runs the before-commit action."""

    calls_dir: str
    before_commit: str

    def write(self, iterator):
        before = _sessions()
        result = super().write(iterator)
        _record(self.calls_dir, "write", before)
        return result

    def commit(self, messages, *batch):
        if self.before_commit:
            os.system(self.before_commit)
        before = _sessions()
        result = super().commit(messages, *batch)
        _record(self.calls_dir, "commit", before)
        return result

    def abort(self, messages, *batch):
        before = _sessions()
        result = super().abort(messages, *batch)
        _record(self.calls_dir, "abort", before)
        return result


class RecordedReader:
    """Mixed into a reader: records each task's read, once its batches are all out."""

    calls_dir: str

    def read(self, partition):
        before = _sessions()
        yield from super().read(partition)  # type: ignore[misc]
        _record(self.calls_dir, "read", before)


class RecordedPlainReader(RecordedReader, CassandraReader):
    pass


class RecordedFilteringReader(RecordedReader, CassandraFilteringReader):
    pass


class RecordedBatchWriter(_Recorded, CassandraBatchWriter):
    pass


class RecordedStreamWriter(_Recorded, CassandraStreamWriter):
    pass


def _recorded(writer, cls, calls_dir: str, before_commit: str):
    writer.__class__ = cls
    writer.calls_dir, writer.before_commit = calls_dir, before_commit
    return writer


class RecordingCassandraDataSource(CassandraDataSource):
    @classmethod
    def name(cls) -> str:
        return "pycassandra_recorded"

    def __init__(self, options) -> None:
        options = {key.lower(): value for key, value in dict(options).items()}
        self.calls_dir = options.pop("calls_dir")
        self.before_commit = options.pop(_BEFORE_COMMIT, "")
        super().__init__(options)

    def schema(self):
        before = _sessions()
        result = super().schema()
        _record(self.calls_dir, "schema", before)
        return result

    def reader(self, schema):
        before = _sessions()
        result = super().reader(schema)
        _record(self.calls_dir, "reader", before)
        cls = RecordedFilteringReader if isinstance(result, CassandraFilteringReader) else RecordedPlainReader
        recorded = cls.__new__(cls)
        recorded.__dict__.update(vars(result), calls_dir=self.calls_dir)
        return recorded

    def writer(self, schema, overwrite):
        before = _sessions()
        writer = super().writer(schema, overwrite)
        _record(self.calls_dir, "writer", before)
        return _recorded(writer, RecordedBatchWriter, self.calls_dir, self.before_commit)

    def streamWriter(self, schema, overwrite):  # noqa: N802 (Spark's name)
        before = _sessions()
        writer = super().streamWriter(schema, overwrite)
        _record(self.calls_dir, "streamWriter", before)
        return _recorded(writer, RecordedStreamWriter, self.calls_dir, self.before_commit)
