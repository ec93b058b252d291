"""Batches on a node with Cassandra's stock limits, through PySpark.

Issue 13: with the stock batch_size_warn_threshold (5 KiB) and
batch_size_fail_threshold (50 KiB), ``batch_grouping=replica_set`` used to fail
a job of 2 KB one-row partitions with "Batch too large" after part of the
rows were written. With ``batch_max_bytes`` the whole job lands and the node
logs no batch-size warning about it; replica-set batches are now the default.
"""

from __future__ import annotations

import hashlib
import os

import pytest
from pyspark.sql import functions as sf

ROWS = 20_000
PAYLOAD_BYTES = 2_000


def node_log() -> str:
    """The test node's system.log (and the file it rolled into, if it rolled)."""
    node_dir = os.environ.get("PYCASSANDRA_NODE_DIR") or os.path.join(
        os.environ.get("PYCASSANDRA_CACHE", os.path.expanduser("~/.cache/pycassandra")), "nodes", "default"
    )
    text = ""
    for name in ("system.log.1", "system.log"):
        path = os.path.join(node_dir, "logs", name)
        if os.path.exists(path):
            with open(path, encoding="utf-8", errors="replace") as log:
                text += log.read()
    assert text, f"no node log under {node_dir}/logs; set PYCASSANDRA_NODE_DIR (scripts/cassandra env)"
    return text


def digest(rows) -> tuple[int, str]:
    """Row count and an order-independent digest of (id, payload) rows."""
    total = 0
    count = 0
    for row_id, payload in rows:
        total ^= int.from_bytes(hashlib.blake2b(f"{row_id}:{payload}".encode(), digest_size=8).digest(), "big")
        count += 1
    return count, f"{total:016x}"


def test_the_defaults_write_2kb_one_row_partitions_in_full_on_a_stock_node(spark, cql, keyspace, node_options):
    cql.execute(f"CREATE TABLE {keyspace}.events (id bigint PRIMARY KEY, payload text)")
    frame = spark.range(ROWS).select(
        sf.col("id"),
        sf.rpad(sf.concat(sf.col("id").cast("string"), sf.lit(":")), PAYLOAD_BYTES, "x").alias("payload"),
    )
    frame.write.format("pycassandra").mode("append").options(**node_options).option("table", "events").save()

    expected = digest((row.id, row.payload) for row in frame.toLocalIterator())
    stored = digest(cql.execute(f"SELECT id, payload FROM {keyspace}.events"))
    assert stored == expected
    assert expected[0] == ROWS

    warnings = [
        line
        for line in node_log().splitlines()
        if keyspace in line and ("Batch for" in line or "Batch too large" in line)
    ]
    assert warnings == [], "the node warned about this job's batches:\n" + "\n".join(warnings[:5])


def test_a_byte_bound_above_the_fail_threshold_meets_the_stock_node(spark, cql, keyspace, node_options):
    # The node is stock: a replica-set batch covers at most 10 partitions, so
    # 10 one-row partitions of 6 KB (about 60 KB, under the 64 KiB asked) exceed
    # batch_size_fail_threshold (50 KiB) and the job fails, naming why.
    cql.execute(f"CREATE TABLE {keyspace}.events (id bigint PRIMARY KEY, payload text)")
    frame = spark.range(300).select(sf.col("id"), sf.rpad(sf.lit("x"), 6_000, "x").alias("payload")).coalesce(1)
    with pytest.raises(Exception) as failure:
        (
            frame.write.format("pycassandra")
            .mode("append")
            .options(**node_options)
            .option("table", "events")
            .option("batch_grouping", "replica_set")
            .option("batch_max_bytes", str(64 << 10))
            .save()
        )
    assert "Batch too large" in str(failure.value), str(failure.value)[-2000:]


def test_a_row_above_the_mutation_size_is_refused_before_sending(spark, cql, keyspace, node_options):
    cql.execute(f"CREATE TABLE {keyspace}.events (id bigint PRIMARY KEY, payload text)")
    sizes = sf.when(sf.col("id") == 2, sf.lit(20_000_000)).otherwise(sf.lit(100))
    frame = spark.range(4).select(sf.col("id"), sf.expr("repeat('y', 1)").alias("seed"), sizes.alias("n"))
    frame = frame.select("id", sf.expr("rpad(seed, n, 'y')").alias("payload")).coalesce(1)
    with pytest.raises(Exception) as failure:
        frame.write.format("pycassandra").mode("append").options(**node_options).option("table", "events").save()
    message = str(failure.value)
    assert "ConversionError" in message, message[-2000:]
    assert "row 2 of the input batch is about" in message, message[-2000:]
    assert f"as a mutation of {keyspace}.events (largest column 'payload'" in message, message[-2000:]
    assert cql.execute(f"SELECT count(*) FROM {keyspace}.events").one()[0] == 0, "no row of the batch may be written"
