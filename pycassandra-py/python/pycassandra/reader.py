"""Spark's reader classes for pycassandra: token-range partitions, batches made by Rust."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Tuple

import pyarrow as pa
from pyspark.sql.datasource import DataSourceReader, InputPartition
from pyspark.sql.types import StructType

from pycassandra import _native
from pycassandra._arrow import spark_arrow_schema
from pycassandra._redact import redacted_options

TokenSplit = Tuple[int, int, List[str]]


@dataclass
class CassandraPartition(InputPartition):
    """Token ranges ``(start, end]`` one Spark task scans, with their replicas."""

    index: int
    splits: List[TokenSplit]


class CassandraReader(DataSourceReader):
    """Reads the table by token ranges; each task's batches are built by Rust.

    Made on the driver by ``CassandraDataSource.reader``: its job checks the
    options, the columns and their types there, and is pickled to every task
    with the table it read, so no task reads it again.
    """

    def __init__(self, options: dict, schema: StructType):
        self._options = options
        self._job = _native.ReadJob(options)
        # The columns and types are checked against the table here, before any task.
        self._job.check(spark_arrow_schema(schema))

    def partitions(self) -> List[CassandraPartition]:
        # One task per run of neighbouring splits: a small table on a ring of many replica sets
        # has more splits than it wants tasks.
        return [CassandraPartition(index, splits) for index, splits in enumerate(self._job.tasks())]

    # Spark hands read() only the partitions partitions() made.
    def read(self, partition: CassandraPartition) -> Iterator[pa.RecordBatch]:  # type: ignore[override]
        for split in partition.splits:
            yield from self._job.scan(split)

    def __repr__(self) -> str:
        return f"CassandraReader({redacted_options(self._options)})"


class CassandraFilteringReader(CassandraReader):
    """The reader with ``pushFilters`` (PySpark 4.1+, when Spark asks for pushdown)."""

    def pushFilters(self, filters):  # noqa: N802 (Spark's name)
        from pycassandra._filters import native_filter

        filters = list(filters)
        candidates = [(f, native) for f in filters if (native := native_filter(f)) is not None]
        rejected = self._job.push_filters([native for _, native in candidates])
        pushed = [f for (f, _), spark_evaluates in zip(candidates, rejected) if not spark_evaluates]
        return [f for f in filters if not any(f is p for p in pushed)]
