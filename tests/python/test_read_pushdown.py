"""Filter pushdown (PySpark 4.1+): only exact filters are claimed, and claimed
ones reach the node (fewer rows fetched), with Spark's conf on or off."""

from __future__ import annotations

import pytest

datasource = pytest.importorskip("pyspark.sql.datasource")
if not hasattr(datasource, "EqualTo"):
    pytest.skip("filter pushdown arrived in PySpark 4.1", allow_module_level=True)

from pyspark.sql.datasource import EqualTo, GreaterThan, GreaterThanOrEqual, In, LessThan, StringStartsWith  # noqa: E402
from pyspark.sql.types import StructType  # noqa: E402

import pycassandra  # noqa: E402
from pycassandra.reader import CassandraFilteringReader  # noqa: E402


@pytest.fixture
def events(cql, keyspace, node_options):
    cql.execute(f"CREATE TABLE {keyspace}.events (k int, c int, label text, PRIMARY KEY (k, c))")
    insert = cql.prepare(f"INSERT INTO {keyspace}.events (k, c, label) VALUES (?, ?, ?)")
    for k in range(30):
        for c in range(10):
            cql.execute(insert, (k, c, f"{k}-{c}"))
    return {**node_options, "table": "events"}


def rows_fetched(reader) -> int:
    return sum(batch.num_rows for p in reader.partitions() for batch in reader.read(p))


def test_partition_key_equality_becomes_lookups_and_clustering_ranges_reach_the_node(spark, events):
    schema = StructType.fromDDL("k int, c int, label string")
    reader = CassandraFilteringReader(events, schema)
    assert rows_fetched(reader) == 300

    pushed_in, pushed_range, kept = In(("k",), (3, 4)), GreaterThanOrEqual(("c",), 7), StringStartsWith(("label",), "3")
    assert reader.pushFilters([pushed_in, pushed_range, kept]) == [kept]
    assert len(reader.partitions()) == 1
    assert rows_fetched(reader) == 6  # k in (3, 4) and c >= 7, nothing else left the node

    scan_only = CassandraFilteringReader(events, schema)
    range_filter, label = LessThan(("c",), 2), EqualTo(("label",), "1-1")
    assert scan_only.pushFilters([range_filter, label]) == [label]
    assert rows_fetched(scan_only) == 60


def test_inexact_filters_are_left_to_spark(spark, events):
    reader = CassandraFilteringReader(events, StructType.fromDDL("k int, c int, label string"))
    # A range on the partition key, a text comparison on a non-key column, a float value for an int key:
    filters = [GreaterThan(("k",), 3), GreaterThan(("label",), "a"), EqualTo(("c",), 1.5)]
    assert reader.pushFilters(filters) == filters
    assert rows_fetched(reader) == 300


def test_spark_with_pushdown_enabled_returns_exactly_the_matching_rows(spark, events):
    spark.dataSource.register(pycassandra.CassandraDataSource)
    spark.conf.set("spark.sql.python.filterPushdown.enabled", "true")
    try:
        df = spark.read.format("pycassandra").options(**events).load()
        rows = df.where("k IN (5, 6) AND c > 7 AND label LIKE '5%'").collect()
        assert sorted((r.k, r.c, r.label) for r in rows) == [(5, 8, "5-8"), (5, 9, "5-9")]
        assert df.where("c = 0").count() == 30
    finally:
        spark.conf.unset("spark.sql.python.filterPushdown.enabled")
    # With the conf off again, the reader without pushFilters is used and reads still work.
    assert spark.read.format("pycassandra").options(**events).load().where("k = 1").count() == 10
