"""The PySpark data source ``pycassandra``."""

from __future__ import annotations

from pyspark.sql.datasource import DataSource
from pyspark.sql.types import StructType

from pycassandra import _native
from pycassandra._redact import redacted_options
from pycassandra.writers import CassandraBatchWriter, CassandraStreamWriter


def _arrow_schema(schema: StructType):
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(schema)


class CassandraDataSource(DataSource):
    """Apache Cassandra / ScyllaDB for PySpark 4, on a native Rust core.

    Name: ``pycassandra``

    Options (strings, case-insensitive names; see the README for the full table):
    ``host`` (required, comma-separated, ``host:port`` allowed), ``port`` (9042),
    ``keyspace`` (required), ``table`` (required), ``username``, ``password``,
    ``batch_size`` (requests in flight, 100), ``consistency`` (LOCAL_QUORUM),
    ``delete_flag_column`` and ``delete_flag_value``, ``batch_grouping``
    (partition | none), ``batch_max_rows`` (50), ``ttl``, ``writetime``,
    ``if_not_exists``, ``ignore_nulls``, ``max_retries`` (3),
    ``connect_timeout_ms``, ``request_timeout_ms``, ``confirm_truncate``,
    ``write_mode`` (upsert | update), ``collection_append``, ``collection_remove``,
    ``throughput_mb_per_sec``, ``ssl_enabled``, ``ssl_ca_cert``,
    ``ssl_verify_hostname`` (true), ``ssl_client_cert``, ``ssl_client_key``.

    Examples
    --------
    >>> spark.dataSource.register(CassandraDataSource)  # doctest: +SKIP
    >>> (df.write.format("pycassandra").mode("append")
    ...     .option("host", "127.0.0.1").option("keyspace", "shop")
    ...     .option("table", "orders").save())  # doctest: +SKIP
    """

    @classmethod
    def name(cls) -> str:
        return "pycassandra"

    def _checked_options(self, schema: StructType, overwrite: bool) -> dict:
        options = dict(self.options)
        # Option errors need no server: report them before connecting.
        _native.validate_options(options)
        _native.check_write(options, _arrow_schema(schema))
        if overwrite:
            _native.truncate(options)
        return options

    def writer(self, schema: StructType, overwrite: bool) -> CassandraBatchWriter:
        return CassandraBatchWriter(self._checked_options(schema, bool(overwrite)))

    def streamWriter(self, schema: StructType, overwrite: bool) -> CassandraStreamWriter:  # noqa: N802 (Spark's name)
        return CassandraStreamWriter(self._checked_options(schema, bool(overwrite)))

    def __repr__(self) -> str:
        return f"CassandraDataSource({redacted_options(dict(self.options))})"
