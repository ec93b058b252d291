"""Batch writes through df.write.format("pycassandra") into the real node."""

from __future__ import annotations

import uuid

import pytest
from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

from pycassandra import CassandraBatchWriter, CassandraDataSource

USERS = StructType(
    [
        StructField("id", StringType(), False),
        StructField("name", StringType(), True),
        StructField("age", IntegerType(), True),
        StructField("score", LongType(), True),
    ]
)


@pytest.fixture
def users(cql, keyspace):
    cql.execute(f"CREATE TABLE {keyspace}.users (id uuid PRIMARY KEY, name text, age int, score bigint)")
    return "users"


def expected_rows(count: int):
    return [(str(uuid.uuid4()), None if i % 11 == 0 else f"name-{i}", i % 90, i * 3_000_000_000) for i in range(count)]


def test_the_writer_is_an_arrow_writer():
    from pyspark.sql.datasource import DataSourceArrowWriter

    assert issubclass(CassandraBatchWriter, DataSourceArrowWriter)


def test_a_dataframe_lands_in_cassandra_row_for_row(spark, cql, keyspace, users, node_options):
    spark.dataSource.register(CassandraDataSource)
    rows = expected_rows(3_000)
    df = spark.createDataFrame(rows, USERS).repartition(3)

    df.write.format("pycassandra").mode("append").options(**node_options).option("table", users).save()

    stored = {
        str(row.id): (row.name, row.age, row.score)
        for row in cql.execute(f"SELECT id, name, age, score FROM {keyspace}.{users}")
    }
    assert len(stored) == len(rows)
    for id_, name, age, score in rows:
        assert stored[id_] == (name, age, score)


def test_the_format_works_without_register(spark, cql, keyspace, users, node_options):
    # pyspark_pycassandra.DefaultSource is found by PySpark's auto-registration.
    df = spark.createDataFrame(expected_rows(10), USERS)
    df.write.format("pycassandra").mode("append").options(**node_options).option("table", users).save()
    assert cql.execute(f"SELECT count(*) FROM {keyspace}.{users}").one()[0] == 10


def test_a_bad_value_fails_the_job_naming_row_column_type_and_value(spark, keyspace, users, node_options):
    spark.dataSource.register(CassandraDataSource)
    df = spark.createDataFrame([("not-a-uuid", "x", 1, 2)], USERS)
    with pytest.raises(Exception) as failure:
        df.write.format("pycassandra").mode("append").options(**node_options).option("table", users).save()
    message = str(failure.value)
    assert "row 0, column 'id' (uuid): Invalid UUID" in message
    assert "'not-a-uuid'" in message
