"""The delete flag and the save modes, end to end."""

from __future__ import annotations

import pytest
from pyspark.sql.types import BooleanType, IntegerType, StringType, StructField, StructType

KV = StructType([StructField("k", IntegerType(), False), StructField("v", StringType(), True)])


@pytest.fixture
def kv(cql, keyspace):
    cql.execute(f"CREATE TABLE {keyspace}.kv (k int PRIMARY KEY, v text)")
    for k in (1, 2):
        cql.execute(f"INSERT INTO {keyspace}.kv (k, v) VALUES ({k}, 'old')")
    return "kv"


def stored(cql, keyspace):
    return sorted((r.k, r.v) for r in cql.execute(f"SELECT k, v FROM {keyspace}.kv"))


def test_rows_flagged_true_are_deleted(spark, cql, keyspace, kv, node_options):
    schema = StructType(KV.fields + [StructField("is_deleted", BooleanType(), True)])
    df = spark.createDataFrame([(1, "x", True), (2, "new", False), (3, "three", None)], schema)
    (
        df.write.format("pycassandra")
        .mode("append")
        .options(**node_options)
        .option("table", kv)
        .option("delete_flag_column", "is_deleted")
        .option("delete_flag_value", "true")
        .save()
    )
    assert stored(cql, keyspace) == [(2, "new"), (3, "three")]


def test_overwrite_without_confirmation_is_refused_and_deletes_nothing(spark, cql, keyspace, kv, node_options):
    df = spark.createDataFrame([(5, "five")], KV)
    with pytest.raises(Exception, match="confirm_truncate"):
        df.write.format("pycassandra").mode("overwrite").options(**node_options).option("table", kv).save()
    assert stored(cql, keyspace) == [(1, "old"), (2, "old")]


def test_overwrite_with_confirmation_replaces_the_table(spark, cql, keyspace, kv, node_options):
    df = spark.createDataFrame([(5, "five")], KV)
    (
        df.write.format("pycassandra")
        .mode("overwrite")
        .options(**node_options)
        .option("table", kv)
        .option("confirm_truncate", "true")
        .save()
    )
    assert stored(cql, keyspace) == [(5, "five")]


def test_a_bare_save_is_refused_by_spark(spark, keyspace, kv, node_options):
    df = spark.createDataFrame([(5, "five")], KV)
    with pytest.raises(Exception, match="ErrorIfExists"):
        df.write.format("pycassandra").options(**node_options).option("table", kv).save()


def test_the_password_does_not_leak_into_errors_or_plans(spark, keyspace, kv, node_options):
    secret = "pw-that-must-not-leak-1234"
    df = spark.createDataFrame([(5, "five")], KV)
    with pytest.raises(Exception) as failure:
        (
            df.write.format("pycassandra")
            .mode("append")
            .options(**node_options)
            .option("table", kv)
            .option("username", "nobody")
            .option("password", secret)
            .option("batch_size", "x")
            .save()
        )
    assert "batch_size" in str(failure.value)
    assert secret not in str(failure.value)
