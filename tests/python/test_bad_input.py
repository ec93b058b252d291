"""The bad-input corpus through PySpark: a malformed value in row 1 of a
one-partition DataFrame fails the job with a message that names the row, the
column, the CQL type and the value, and no row of that batch is written.
(tests/src/bad_input.rs runs the whole corpus through Rust.)"""

from __future__ import annotations

import pytest
from pyspark.sql.types import ArrayType, FloatType, IntegerType, LongType, StringType, StructField, StructType

CASES = [
    # (CQL type, Spark type, good value, bad value, what the message quotes)
    ("uuid", StringType(), "123e4567-e89b-12d3-a456-426614174000", "not-a-uuid", "'not-a-uuid'"),
    (
        "timeuuid",
        StringType(),
        "50554d6e-29bb-11e5-b345-feff819cdc9f",
        "3b241101-e2bb-4255-8caf-4136c566a962",
        "'3b241101-e2bb-4255-8caf-4136c566a962'",
    ),
    ("int", LongType(), 1, 2**31, "2147483648"),
    ("ascii", StringType(), "plain", "héllo", "'héllo'"),
    ("inet", StringType(), "10.0.0.1", "300.1.1.1", "'300.1.1.1'"),
    ("date", StringType(), "2024-02-28", "2024-02-30", "'2024-02-30'"),
    ("duration", StringType(), "1h30m", "5 parsecs", "'5 parsecs'"),
    ("timestamp", StringType(), "2024-01-01T00:00:00Z", "yesterday", "'yesterday'"),
    ("vector<float, 3>", ArrayType(FloatType()), [1.0, 2.0, 3.0], [1.0, 2.0], "["),
    ("list<int>", ArrayType(IntegerType()), [1, 2], [1, None], "null"),
]


@pytest.mark.parametrize("cql_type, spark_type, good, bad, quoted", CASES, ids=[case[0] for case in CASES])
def test_a_bad_value_names_row_column_type_and_value(
    spark, cql, keyspace, node_options, cql_type, spark_type, good, bad, quoted
):
    cql.execute(f"CREATE TABLE {keyspace}.corpus (k int PRIMARY KEY, v {cql_type})")
    schema = StructType([StructField("k", IntegerType(), False), StructField("v", spark_type, True)])
    df = spark.createDataFrame([(0, good), (1, bad), (2, good)], schema).coalesce(1)
    with pytest.raises(Exception) as failure:
        df.write.format("pycassandra").mode("append").options(**node_options).option("table", "corpus").save()
    message = str(failure.value)
    assert f"row 1, column 'v' ({cql_type})" in message, message[-2000:]
    assert quoted in message.split(f"row 1, column 'v' ({cql_type})", 1)[1][:500], message[-2000:]
    assert cql.execute(f"SELECT count(*) FROM {keyspace}.corpus").one()[0] == 0, (
        "no row of the failed batch may be written"
    )
