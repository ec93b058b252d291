"""Auth and TLS options through PySpark, against the auth and tls node profiles."""

from __future__ import annotations

import os
import uuid

import pytest
from pyspark.sql.types import IntegerType, StringType, StructField, StructType

AUTH_NODE = "127.0.0.11"
TLS_NODE = "127.0.0.12"
TLS_DIR = os.path.join(os.environ.get("PYCASSANDRA_CACHE", os.path.expanduser("~/.cache/pycassandra")), "tls")
KV = StructType([StructField("k", IntegerType(), False), StructField("v", StringType(), True)])


def session_for(host, **options):
    from cassandra.cluster import Cluster

    cluster = Cluster([host], protocol_version=5, **options)
    return cluster, cluster.connect()


def make_table(session):
    keyspace = f"pyc_test_{uuid.uuid4().hex}"
    session.execute(f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
    session.execute(f"CREATE TABLE {keyspace}.kv (k int PRIMARY KEY, v text)")
    return keyspace


def test_password_authentication_and_a_password_that_never_shows(spark):
    from cassandra.auth import PlainTextAuthProvider

    cluster, session = session_for(AUTH_NODE, auth_provider=PlainTextAuthProvider("cassandra", "cassandra"))
    keyspace = make_table(session)
    df = spark.createDataFrame([(1, "a"), (2, "b")], KV)
    base = {"host": AUTH_NODE, "keyspace": keyspace, "table": "kv", "username": "cassandra"}
    df.write.format("pycassandra").mode("append").options(**base, password="cassandra").save()
    assert sorted(r.k for r in session.execute(f"SELECT k FROM {keyspace}.kv")) == [1, 2]

    secret = "wrong-pw-that-must-not-show-987"
    writer = df.write.format("pycassandra").mode("append").options(**base, password=secret)
    with pytest.raises(Exception) as failure:
        writer.save()
    assert "Bad credentials" in str(failure.value) or "uthentication" in str(failure.value)
    assert secret not in str(failure.value)
    session.execute(f"DROP KEYSPACE {keyspace}")
    cluster.shutdown()


def test_tls_with_the_test_ca(spark):
    import ssl

    context = ssl.create_default_context(cafile=os.path.join(TLS_DIR, "ca.pem"))
    cluster, session = session_for(TLS_NODE, ssl_context=context)
    keyspace = make_table(session)
    df = spark.createDataFrame([(1, "secure")], KV)
    (df.write.format("pycassandra").mode("append")
        .option("host", TLS_NODE).option("keyspace", keyspace).option("table", "kv")
        .option("ssl_enabled", "true").option("ssl_ca_cert", os.path.join(TLS_DIR, "ca.pem")).save())
    assert [(r.k, r.v) for r in session.execute(f"SELECT k, v FROM {keyspace}.kv")] == [(1, "secure")]
    with pytest.raises(Exception, match="certificate verify failed"):
        (df.write.format("pycassandra").mode("append")
            .option("host", TLS_NODE).option("keyspace", keyspace).option("table", "kv")
            .option("ssl_enabled", "true").option("ssl_ca_cert", os.path.join(TLS_DIR, "other-ca.pem")).save())
    session.execute(f"DROP KEYSPACE {keyspace}")
    cluster.shutdown()
