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

    Made on the driver by ``CassandraDataSource.reader``, which has checked the
    options, the columns and their types there; pickled to every task.
    """

    def __init__(self, options: dict, schema: StructType):
        self._options = options
        self._arrow_schema = spark_arrow_schema(schema)
        self._pushed = None

    def partitions(self) -> List[CassandraPartition]:
        splits = _native.plan_splits(self._options, self._arrow_schema, self._pushed)
        return [CassandraPartition(index, [split]) for index, split in enumerate(splits)]

    # Spark hands read() only the partitions partitions() made.
    def read(self, partition: CassandraPartition) -> Iterator[pa.RecordBatch]:  # type: ignore[override]
        for start, end, replicas in partition.splits:
            yield from _native.Scan(self._options, self._arrow_schema, start, end, replicas, self._pushed)


class CassandraFilteringReader(CassandraReader):
    """The reader with ``pushFilters`` (PySpark 4.1+, when Spark asks for pushdown)."""

    def pushFilters(self, filters):  # noqa: N802 (Spark's name)
        from pycassandra._filters import native_filter

        filters = list(filters)
        candidates = [(f, native) for f in filters if (native := native_filter(f)) is not None]
        claimed = _native.push_filters(self._options, [native for _, native in candidates]) if candidates else []
        pushed = [(f, native) for (f, native), exact in zip(candidates, claimed) if exact]
        self._pushed = [native for _, native in pushed] or None
        return [f for f in filters if not any(f is p for p, _ in pushed)]

    def __repr__(self) -> str:
        return f"CassandraReader({redacted_options(self._options)})"
