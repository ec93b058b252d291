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
    session.execute(
        f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
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
    (
        df.write.format("pycassandra")
        .mode("append")
        .option("host", TLS_NODE)
        .option("keyspace", keyspace)
        .option("table", "kv")
        .option("ssl_enabled", "true")
        .option("ssl_ca_cert", os.path.join(TLS_DIR, "ca.pem"))
        .save()
    )
    assert [(r.k, r.v) for r in session.execute(f"SELECT k, v FROM {keyspace}.kv")] == [(1, "secure")]
    with pytest.raises(Exception, match="invalid peer certificate: UnknownIssuer"):
        (
            df.write.format("pycassandra")
            .mode("append")
            .option("host", TLS_NODE)
            .option("keyspace", keyspace)
            .option("table", "kv")
            .option("ssl_enabled", "true")
            .option("ssl_ca_cert", os.path.join(TLS_DIR, "other-ca.pem"))
            .save()
        )
    session.execute(f"DROP KEYSPACE {keyspace}")
    cluster.shutdown()


def test_a_working_password_shows_in_no_plan_log_repr_or_error(spark, capsys):
    """A role with a unique password writes and reads; then every place Spark and
    pycassandra describe the job is searched for that password."""
    from cassandra.auth import PlainTextAuthProvider

    import pycassandra

    cluster, session = session_for(AUTH_NODE, auth_provider=PlainTextAuthProvider("cassandra", "cassandra"))
    keyspace = make_table(session)
    role, secret = f"pyc_{uuid.uuid4().hex[:12]}", f"Pw-{uuid.uuid4().hex}"
    session.execute(f"CREATE ROLE {role} WITH PASSWORD = '{secret}' AND LOGIN = true")
    session.execute(f"GRANT ALL PERMISSIONS ON KEYSPACE {keyspace} TO {role}")
    options = {"host": AUTH_NODE, "keyspace": keyspace, "table": "kv", "username": role, "password": secret}
    log_path = os.environ["PYCASSANDRA_LOG_FILE"]
    log_start = os.path.getsize(log_path) if os.path.exists(log_path) else 0
    try:
        spark.createDataFrame([(1, "a"), (2, "b")], KV).write.format("pycassandra").mode("append").options(
            **options
        ).save()
        read = spark.read.format("pycassandra").options(**options).load()
        assert sorted(r.k for r in read.collect()) == [1, 2]
        read.explain(extended=True)
        with pytest.raises(Exception) as failure:  # a server-side failure, with the password in the options
            spark.read.format("pycassandra").options(**{**options, "table": "absent"}).load().collect()

        places = {"explain output": capsys.readouterr().out, "error": str(failure.value)}
        store = spark._jsparkSession.sharedState().statusStore()
        executions = store.executionsList()
        for i in range(executions.size()):
            execution = executions.apply(i)
            places[f"execution {i} plan"] = execution.physicalPlanDescription() + execution.description()
        source = pycassandra.CassandraDataSource(options)
        places["repr of the source"] = repr(source)
        places["repr of the reader"] = repr(source.reader(read.schema))
        places["repr of the writer"] = repr(source.writer(KV, False))
        with open(log_path, encoding="utf-8") as log:
            log.seek(log_start)
            places["worker logs"] = log.read()
        assert any("AppendData" in text for text in places.values()), "the write's plan was not captured"
        for place, text in places.items():
            assert secret not in text, f"the password shows in the {place}"
    finally:
        session.execute(f"DROP KEYSPACE {keyspace}")
        session.execute(f"DROP ROLE {role}")
        cluster.shutdown()
