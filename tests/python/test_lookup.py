"""pycassandra.lookup: a DataFrame or a stream joined with a table by key,
through a real SparkSession and the real node."""

from __future__ import annotations

import json
import os

import pytest
from test_read import EVERY_TYPE_SPARK, every_type_row

import pycassandra
from pycassandra.exceptions import SchemaMismatchError

# Every key-capable CQL type of the read tests' matrix, as one composite partition key.
KEY_COLUMNS = ["a", "b", "bl", "bo", "d", "dec", "dbl", "f", "ip", "i", "si", "t", "tm", "ts", "tu", "ti", "u", "vi"]
KEY_COLUMNS += ["fl", "tup", "addr"]
KEYED_DDL = (
    "a ascii, b bigint, bl blob, bo boolean, d date, dec decimal, dbl double, f float, ip inet, i int, "
    "si smallint, t text, tm time, ts timestamp, tu timeuuid, ti tinyint, u uuid, vi varint, fl frozen<list<text>>, "
    "tup tuple<int, text>, addr frozen<address>, id int, "
    f"PRIMARY KEY (({', '.join(KEY_COLUMNS)}))"
)


def test_every_key_type_is_looked_up_inner_and_left(spark, cql, keyspace, node_options):
    cql.execute(f"CREATE TYPE {keyspace}.address (street text, number int)")
    cql.execute(f"CREATE TABLE {keyspace}.keyed ({KEYED_DDL})")
    everything = spark.createDataFrame([every_type_row(n) for n in range(1, 31)], EVERY_TYPE_SPARK)
    written = everything.where("id <= 20").select(*KEY_COLUMNS, "id")
    written.write.format("pycassandra").mode("append").options(**node_options).option("table", "keyed").save()

    keys = everything.select(*KEY_COLUMNS, everything.id.alias("wanted"))
    left = pycassandra.lookup(keys, table="keyed", on=KEY_COLUMNS, how="left", **node_options)
    assert left.columns == [*KEY_COLUMNS, "wanted", "id"]
    found = {r.wanted: r.id for r in left.select("wanted", "id").collect()}
    assert found == {n: (n if n <= 20 else None) for n in range(1, 31)}

    inner = pycassandra.lookup(keys, table="keyed", on=KEY_COLUMNS, how="inner", columns=["id"], **node_options)
    assert sorted((r.wanted, r.id) for r in inner.select("wanted", "id").collect()) == [(n, n) for n in range(1, 21)]


@pytest.fixture
def orders(spark, cql, keyspace):
    """Table `lines`: partition key (shop, order_id), clustering line; 3 shops × 50 orders × 2 lines."""
    cql.execute(
        f"CREATE TABLE {keyspace}.lines (shop text, order_id bigint, line int, item text, cents int, "
        "PRIMARY KEY ((shop, order_id), line))"
    )
    insert = cql.prepare(f"INSERT INTO {keyspace}.lines (shop, order_id, line, item, cents) VALUES (?, ?, ?, ?, ?)")
    for shop in ("east", "west", "north"):
        for order in range(50):
            for line in range(2):
                cql.execute(insert, (shop, order, line, f"{shop}-{order}-{line}", order * 100 + line))
    return "lines"


def test_duplicates_misses_null_keys_and_a_clustering_prefix(spark, node_options, orders):
    keys = spark.createDataFrame(
        [("east", 1, "hit"), ("east", 1, "duplicate"), ("east", 999, "miss"), (None, 2, "null"), ("west", 7, "hit2")],
        "shop string, order_id bigint, tag string",
    ).repartition(2)
    inner = pycassandra.lookup(keys, table=orders, on=["shop", "order_id"], **node_options)
    got = sorted((r.tag, r.line, r.item) for r in inner.collect())
    assert got == sorted(
        [
            (tag, line, f"{shop}-{order}-{line}")
            for tag, shop, order in [("hit", "east", 1), ("duplicate", "east", 1), ("hit2", "west", 7)]
            for line in range(2)
        ]
    )
    left = pycassandra.lookup(
        keys, table=orders, on=["shop", "order_id"], how="left", columns=["cents"], **node_options
    )
    assert sorted((r.tag, r.cents) for r in left.collect()) == sorted(
        [
            ("hit", 100),
            ("hit", 101),
            ("duplicate", 100),
            ("duplicate", 101),
            ("miss", None),
            ("null", None),
            ("hit2", 700),
            ("hit2", 701),
        ]
    )
    one_line = spark.createDataFrame([("north", 3, 1)], "shop string, order_id bigint, line int")
    rows = pycassandra.lookup(one_line, table=orders, on=["shop", "order_id", "line"], **node_options).collect()
    assert [(r.item, r.cents) for r in rows] == [("north-3-1", 301)]


def test_wrong_keys_are_refused_on_the_driver_before_any_task(spark, node_options, orders):
    keys = spark.createDataFrame([(1,)], "order_id bigint")
    with pytest.raises(SchemaMismatchError, match=r"every partition key column \(shop, order_id\)"):
        pycassandra.lookup(keys, table=orders, on="order_id", **node_options)
    with pytest.raises(pycassandra.ConfigError, match="how"):
        pycassandra.lookup(keys, table=orders, on="order_id", how="outer", **node_options)


def test_a_bad_key_value_fails_the_task_naming_row_column_type_and_value(spark, node_options, orders):
    keys = spark.createDataFrame([("east", "1"), ("east", "one")], "shop string, order_id string")
    joined = pycassandra.lookup(keys, table=orders, on=["shop", "order_id"], **node_options)
    with pytest.raises(Exception) as raised:
        joined.collect()
    message = str(raised.value)
    assert "'order_id'" in message and "bigint" in message and "one" in message, message[-2000:]


def test_a_stream_enriched_by_lookups_restarts_from_its_checkpoint_without_loss(
    spark, cql, keyspace, node_options, orders, tmp_path
):
    cql.execute(
        f"CREATE TABLE {keyspace}.enriched (shop text, order_id bigint, line int, item text, PRIMARY KEY ((shop, order_id), line))"
    )
    source = tmp_path / "in"
    source.mkdir()

    def add_file(index: int, orders_in_file: range) -> None:
        tmp = tmp_path / f".part-{index}.json"
        tmp.write_text("\n".join(json.dumps({"shop": "west", "order_id": o}) for o in orders_in_file))
        os.replace(tmp, source / f"part-{index}.json")

    def run() -> None:
        stream = (
            spark.readStream.schema("shop string, order_id bigint").option("maxFilesPerTrigger", 1).json(str(source))
        )
        enriched = pycassandra.lookup(
            stream, table=orders, on=["shop", "order_id"], columns=["line", "item"], **node_options
        )
        query = (
            enriched.writeStream.format("pycassandra")
            .options(**node_options)
            .option("table", "enriched")
            .option("checkpointLocation", str(tmp_path / "checkpoint"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
        assert query.exception() is None

    add_file(0, range(0, 10))
    add_file(1, range(10, 20))
    run()
    add_file(2, range(20, 25))
    run()  # restarted from the checkpoint: only part-2 is new
    stored = sorted(
        (r.order_id, r.line, r.item) for r in cql.execute(f"SELECT order_id, line, item FROM {keyspace}.enriched")
    )
    assert stored == [(o, line, f"west-{o}-{line}") for o in range(25) for line in range(2)]
