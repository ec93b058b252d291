"""The PySpark data source ``pycassandra``."""

from __future__ import annotations

import sys
from types import FrameType
from typing import Optional

from pyspark.sql.datasource import DataSource, DataSourceStreamReader
from pyspark.sql.types import StructType

from pycassandra import _native
from pycassandra._arrow import spark_arrow_schema, spark_schema
from pycassandra._changes import CassandraChangeStreamReader
from pycassandra._cluster_changes import CassandraClusterChangeStreamReader
from pycassandra._redact import redacted_options
from pycassandra.reader import CassandraFilteringReader, CassandraReader
from pycassandra.writers import CassandraBatchWriter, CassandraStreamWriter

# Options that make a stream read every node through its change agent.
_CLUSTER_OPTIONS = frozenset({"cdc_agents", "cdc_agent_port"})


def _is_change_stream(options: dict) -> bool:
    return bool({"cdc_raw_directory", *_CLUSTER_OPTIONS} & {key.lower() for key in options})


def _asked_for_pushdown() -> bool:
    """Whether Spark calls ``reader()`` to push filters next.

    With ``spark.sql.python.filterPushdown.enabled`` false (the default), Spark
    refuses any reader that defines ``pushFilters``; when true, it calls
    ``reader()`` from its filter-pushdown worker. The worker's conf is not
    visible here, so the calling worker's file tells which case this is.
    """
    frame: Optional[FrameType] = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.endswith("data_source_pushdown_filters.py"):
            return True
        frame = frame.f_back
    return False


class CassandraDataSource(DataSource):
    """Apache Cassandra / ScyllaDB for PySpark 4, on a native Rust core.

    Name: ``pycassandra``

    Options (strings, case-insensitive names; the README's table gives each default and meaning):

    Both directions: ``host`` (required, comma-separated, ``host:port`` allowed), ``port`` (9042),
    ``keyspace`` (required), ``table`` (required), ``username``, ``password``, ``ssl_enabled``,
    ``ssl_ca_cert``, ``ssl_verify_hostname`` (true), ``ssl_client_cert``, ``ssl_client_key``,
    ``consistency`` (LOCAL_QUORUM for writes, LOCAL_ONE for reads), ``connect_timeout_ms``,
    ``request_timeout_ms``.

    Writes: ``batch_size`` or ``concurrency`` (requests in flight, 100), ``delete_flag_column`` and
    ``delete_flag_value``, ``batch_grouping`` (replica_set | partition | none), ``batch_max_rows`` or
    ``rows_per_batch`` (50), ``batch_max_bytes``, ``ttl``, ``writetime``, ``if_not_exists``,
    ``ignore_nulls``, ``max_retries`` (3), ``write_mode`` (upsert | update), ``collection_append``,
    ``collection_remove``, ``throughput_mb_per_sec``, ``confirm_truncate`` (batch overwrite only).

    Reads: ``split_size_mb`` (64), ``min_splits``, ``fetch_size_rows`` (5000), ``where`` or
    ``filter``, ``allow_filtering`` (true), ``limit``, ``writetime_columns``, ``ttl_columns``.

    Change streams (``readStream``): ``cdc_raw_directory`` (one node's, local mode) or
    ``cdc_agents`` (the change agents' URLs, cluster mode; or ``cdc_agent_port`` to find them
    beside every node) with ``cdc_agent_token``, ``cdc_agent_ca`` and ``cdc_consumer``;
    ``starting_position`` (latest | earliest), ``max_bytes_per_trigger``, ``cdc_delete_consumed``
    (false; local mode), ``cdc_schema_changes`` (fail | ignore).

    Examples
    --------
    >>> spark.dataSource.register(CassandraDataSource)  # doctest: +SKIP
    >>> (df.write.format("pycassandra").mode("append")
    ...     .option("host", "127.0.0.1").option("keyspace", "shop")
    ...     .option("table", "orders").save())  # doctest: +SKIP
    >>> (spark.read.format("pycassandra").option("host", "127.0.0.1")
    ...     .option("keyspace", "shop").option("table", "orders").load())  # doctest: +SKIP
    """

    @classmethod
    def name(cls) -> str:
        return "pycassandra"

    def schema(self) -> StructType:
        """The table's columns as Spark types (see the README's type table).

        With ``cdc_raw_directory``, ``cdc_agents`` or ``cdc_agent_port`` (a change stream), the change events' columns:
        the table's, its deletion flags, then the ``_cdc_*`` metadata. Spark does
        not tell ``schema()`` whether it serves ``read`` or ``readStream``, so
        the option decides.
        """
        options = dict(self.options)
        if _is_change_stream(options):
            return spark_schema(_native.ChangeJob(options).schema())
        return spark_schema(_native.ReadJob(options).schema())

    def reader(self, schema: StructType) -> CassandraReader:
        # Columns and types are checked against the table here, on the driver, before any task.
        return (CassandraFilteringReader if _asked_for_pushdown() else CassandraReader)(dict(self.options), schema)

    def writer(self, schema: StructType, overwrite: bool) -> CassandraBatchWriter:
        """Checks the job against the table and, in overwrite mode, truncates.

        Spark calls this once per batch write, on the driver, before any task
        (docs/spark-lifecycle.md); the writer it returns is pickled to the
        tasks and back for commit/abort, so this runs exactly once.
        """
        options = dict(self.options)
        # Option errors need no server: the job reports them before connecting.
        job = _native.WriteJob(options, spark_arrow_schema(schema))
        job.check()
        if overwrite:
            job.truncate()
        return CassandraBatchWriter(options, job)

    def streamWriter(self, schema: StructType, overwrite: bool) -> CassandraStreamWriter:  # noqa: N802 (Spark's name)
        """Checks the options only: no connection, no truncate.

        Spark builds a stream writer for every micro-batch's planning and a new
        one for every commit and abort (docs/spark-lifecycle.md). A connection
        here would be opened on the driver for each of them, and a commit
        would fail when the node is briefly unreachable although every row of
        the micro-batch was written. The table is checked by each task, before
        it sends any row. ``overwrite`` is Spark's complete output mode: the
        whole result is upserted every micro-batch (a complete-mode result
        only grows), so the table never goes empty between batches.
        """
        options = dict(self.options)
        return CassandraStreamWriter(options, _native.WriteJob(options, spark_arrow_schema(schema), stream=True))

    def streamReader(self, schema: StructType) -> DataSourceStreamReader:  # noqa: N802 (Spark's name)
        """The table's changes (``readStream``; see the README's "Change streams"): from a
        node's ``cdc_raw``, or with ``cdc_agents``/``cdc_agent_port`` from every node's agent."""
        options = dict(self.options)
        if _CLUSTER_OPTIONS & {key.lower() for key in options}:
            return CassandraClusterChangeStreamReader(options, schema)
        return CassandraChangeStreamReader(options, schema)

    def __repr__(self) -> str:
        return f"CassandraDataSource({redacted_options(dict(self.options))})"
