"""How Spark drives the data source, pinned (docs/spark-lifecycle.md): which
of our methods it calls, from which of its Python processes, how often; and
what each output and save mode leaves in the table."""

from __future__ import annotations

import json
import os
import pickle
import uuid
from collections import Counter

import pyarrow as pa
import pytest
from lifecycle_probe import RecordingCassandraDataSource, read_calls
from pyspark.errors import StreamingQueryException
from pyspark.sql.types import StructType

from pycassandra import CassandraDataSource, _native
from pycassandra.exceptions import ConfigError
from pycassandra.writers import CassandraCommitMessage

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def recorded(spark, tmp_path):
    spark.dataSource.register(RecordingCassandraDataSource)
    calls = tmp_path / "calls"
    calls.mkdir()
    return calls


def methods(calls_dir) -> Counter:
    return Counter((call.method, call.caller) for call in read_calls(calls_dir))


def write_json(directory, name: str, rows) -> None:
    # Written aside and renamed, so a stream never sees half a file.
    tmp = directory.parent / f".{name}"
    tmp.write_text("\n".join(json.dumps(row) for row in rows))
    os.replace(tmp, directory / name)


def test_a_batch_append_checks_once_on_the_driver_and_commits_once(spark, cql, keyspace, node_options, recorded):
    cql.execute(f"CREATE TABLE {keyspace}.t (id int PRIMARY KEY, v text)")
    df = spark.createDataFrame([(i, f"v{i}") for i in range(100)], "id int, v string").repartition(3)
    (
        df.write.format("pycassandra_recorded")
        .mode("append")
        .options(**node_options)
        .option("table", "t")
        .option("calls_dir", str(recorded))
        .save()
    )
    assert methods(recorded) == Counter(
        {("writer", "write_into_data_source"): 1, ("write", "worker"): 3, ("commit", "commit_data_source_write"): 1}
    )
    # The driver's check reads the table; the job carries it to the tasks.
    loads = Counter((call.method, call.table_schema_loads) for call in read_calls(recorded))
    assert loads == Counter({("writer", 1): 1, ("write", 0): 3, ("commit", 0): 1})
    # The driver prepares nothing; each worker prepares the INSERT for its first task only.
    prepared: Counter = Counter()
    for call in read_calls(recorded):
        prepared[call.method, call.pid] += call.write_statements_prepared
    assert {n for (method, _), n in prepared.items() if method != "write"} == {0}
    assert {n for (method, _), n in prepared.items() if method == "write"} == {1}, prepared
    assert cql.execute(f"SELECT count(*) FROM {keyspace}.t").one()[0] == 100


def test_a_batch_overwrite_truncates_once_before_any_task_writes(spark, cql, keyspace, node_options, recorded):
    cql.execute(f"CREATE TABLE {keyspace}.t (id int PRIMARY KEY, v text)")
    for i in range(1000, 1050):
        cql.execute(f"INSERT INTO {keyspace}.t (id, v) VALUES ({i}, 'old')")
    df = spark.createDataFrame([(i, "new") for i in range(200)], "id int, v string").repartition(4)
    (
        df.write.format("pycassandra_recorded")
        .mode("overwrite")
        .options(**node_options)
        .option("table", "t")
        .option("confirm_truncate", "true")
        .option("calls_dir", str(recorded))
        .save()
    )
    assert methods(recorded)[("writer", "write_into_data_source")] == 1
    # One truncate before the tasks: every new row is there, no old one is.
    assert sorted(r.id for r in cql.execute(f"SELECT id FROM {keyspace}.t")) == list(range(200))


def test_a_batch_read_reads_the_table_on_the_driver_and_prepares_once_per_worker(
    spark, cql, keyspace, node_options, recorded
):
    cql.execute(f"CREATE TABLE {keyspace}.t (id int PRIMARY KEY, v text)")
    for i in range(200):
        cql.execute(f"INSERT INTO {keyspace}.t (id, v) VALUES ({i}, 'v')")
    df = (
        spark.read.format("pycassandra_recorded")
        .options(**node_options)
        .option("table", "t")
        .option("min_splits", "8")
        .option("calls_dir", str(recorded))
        .load()
    )
    assert df.count() == 200
    calls = read_calls(recorded)
    reads = [call for call in calls if call.method == "read"]
    assert len(reads) >= 8
    assert methods(recorded) == Counter(
        {("schema", "create_data_source"): 1, ("reader", "plan_data_source_read"): 1, ("read", "worker"): len(reads)}
    )
    # The driver reads the table once per planning process; the job carries it to the tasks.
    assert [call.table_schema_loads for call in calls if call.method in ("schema", "reader")] == [1, 1]
    assert sum(call.table_schema_loads for call in reads) == 0
    # Each worker prepares the scan for its first task of the job; its later tasks reuse it.
    prepared: Counter = Counter()
    for call in reads:
        prepared[call.pid] += call.scans_prepared
    assert set(prepared.values()) == {1} and len(reads) > len(prepared), (prepared, len(reads))


def test_a_stream_builds_writers_twice_per_micro_batch_and_none_connects(
    spark, cql, keyspace, node_options, recorded, tmp_path
):
    cql.execute(f"CREATE TABLE {keyspace}.t (id int PRIMARY KEY, v text)")
    source = tmp_path / "in"
    source.mkdir()
    for f in range(3):
        write_json(source, f"part-{f}.json", [{"id": f * 100 + i, "v": f"v{i}"} for i in range(100)])
    query = (
        spark.readStream.schema("id int, v string")
        .option("maxFilesPerTrigger", 1)
        .json(str(source))
        .writeStream.format("pycassandra_recorded")
        .options(**node_options)
        .option("table", "t")
        .option("calls_dir", str(recorded))
        .option("checkpointLocation", str(tmp_path / "checkpoint"))
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    assert query.exception() is None
    calls = read_calls(recorded)
    counts = methods(recorded)
    # Per micro-batch: one writer for the write planning, one for the commit.
    assert counts[("streamWriter", "write_into_data_source")] == 3
    assert counts[("streamWriter", "python_streaming_sink_runner")] == 3
    assert counts[("commit", "python_streaming_sink_runner")] == 3
    # No driver-side call opened a session; only the tasks connect.
    driver_side = [call for call in calls if call.method in ("streamWriter", "commit")]
    assert [call for call in driver_side if call.sessions_opened != 0 or call.table_schema_loads != 0] == []
    assert cql.execute(f"SELECT count(*) FROM {keyspace}.t").one()[0] == 300


def test_commit_and_abort_of_a_stream_need_no_cluster():
    # Nothing listens on this address: any connection attempt would fail.
    options = {"host": "127.0.0.99", "keyspace": "ks", "table": "t", "connect_timeout_ms": "500"}
    source = CassandraDataSource(options)
    sessions_before = _native.cached_session_count()
    for complete_mode in (False, True):
        writer = source.streamWriter(StructType(), complete_mode)
        writer.commit([CassandraCommitMessage(rows_written=10), None], 7)
        writer.abort([CassandraCommitMessage(rows_written=3), None], 8)
    assert _native.cached_session_count() == sessions_before


def _aggregate(spark, source):
    return (
        spark.readStream.schema("key string, amount int")
        .option("maxFilesPerTrigger", 1)
        .json(str(source))
        .groupBy("key")
        .agg({"amount": "sum", "*": "count"})
        .withColumnRenamed("sum(amount)", "total")
        .withColumnRenamed("count(1)", "n")
    )


def _run_in_steps(spark, cql, keyspace, source, start_query):
    """Three files, each run as one micro-batch; the table checked after each."""
    expected: dict = {}
    for batch in range(3):
        rows = [{"key": f"k{(batch * 7 + i) % 5 + batch}", "amount": i + batch} for i in range(20)]
        write_json(source, f"part-{batch}.json", rows)
        for row in rows:
            total, n = expected.get(row["key"], (0, 0))
            expected[row["key"]] = (total + row["amount"], n + 1)
        query = start_query()
        query.awaitTermination()
        assert query.exception() is None
        stored = {r.key: (r.total, r.n) for r in cql.execute(f"SELECT key, total, n FROM {keyspace}.totals")}
        assert stored == expected, f"after micro-batch {batch}"


def test_complete_mode_leaves_exactly_the_aggregation_after_every_micro_batch(
    spark, cql, keyspace, node_options, tmp_path
):
    cql.execute(f"CREATE TABLE {keyspace}.totals (key text PRIMARY KEY, total bigint, n bigint)")
    source = tmp_path / "in"
    source.mkdir()
    _run_in_steps(
        spark,
        cql,
        keyspace,
        source,
        lambda: (
            _aggregate(spark, source)
            .writeStream.format("pycassandra")
            .outputMode("complete")
            .options(**node_options)
            .option("table", "totals")
            .option("checkpointLocation", str(tmp_path / "checkpoint"))
            .trigger(availableNow=True)
            .start()
        ),
    )


def test_update_mode_is_refused_by_spark_and_foreach_batch_gives_its_semantics(
    spark, cql, keyspace, node_options, tmp_path
):
    """PySpark (4.0 to 4.3) refuses update mode for every Python data source:
    its write builder offers truncate only. foreachBatch with a batch append
    upserts each micro-batch's changed rows, which is what update mode means."""
    cql.execute(f"CREATE TABLE {keyspace}.totals (key text PRIMARY KEY, total bigint, n bigint)")
    source = tmp_path / "in"
    source.mkdir()
    write_json(source, "part-x.json", [])
    refused = (
        _aggregate(spark, source)
        .writeStream.format("pycassandra")
        .outputMode("update")
        .options(**node_options)
        .option("table", "totals")
        .option("checkpointLocation", str(tmp_path / "refused"))
        .trigger(availableNow=True)
        .start()
    )
    with pytest.raises(StreamingQueryException, match="does not support Update mode"):
        refused.awaitTermination()

    def upsert(changed, _batch_id):
        changed.write.format("pycassandra").mode("append").options(**node_options).option("table", "totals").save()

    _run_in_steps(
        spark,
        cql,
        keyspace,
        source,
        lambda: (
            _aggregate(spark, source)
            .writeStream.outputMode("update")
            .foreachBatch(upsert)
            .option("checkpointLocation", str(tmp_path / "checkpoint"))
            .trigger(availableNow=True)
            .start()
        ),
    )


def test_complete_mode_refuses_confirm_truncate_before_the_first_batch(spark, cql, keyspace, node_options, tmp_path):
    cql.execute(f"CREATE TABLE {keyspace}.totals (key text PRIMARY KEY, total bigint, n bigint)")
    source = tmp_path / "in"
    source.mkdir()
    write_json(source, "part-0.json", [{"key": "a", "amount": 1}])
    query = (
        _aggregate(spark, source)
        .writeStream.format("pycassandra")
        .outputMode("complete")
        .options(**node_options)
        .option("table", "totals")
        .option("confirm_truncate", "true")
        .option("checkpointLocation", str(tmp_path / "checkpoint"))
        .trigger(availableNow=True)
        .start()
    )
    with pytest.raises(StreamingQueryException) as raised:
        query.awaitTermination()
    assert "confirm_truncate" in str(raised.value) and "never truncates" in str(raised.value)
    assert "confirm_truncate" in str(query.exception())
    assert list(cql.execute(f"SELECT * FROM {keyspace}.totals")) == []
    with pytest.raises(ConfigError, match="confirm_truncate"):
        _native.WriteJob({**node_options, "table": "totals", "confirm_truncate": "true"}, pa.schema([]), stream=True)


def test_a_failed_micro_batch_shows_pycassandras_message(spark, cql, keyspace, node_options, tmp_path):
    cql.execute(f"CREATE TABLE {keyspace}.t (id uuid PRIMARY KEY, v text)")
    source = tmp_path / "in"
    source.mkdir()
    write_json(source, "part-0.json", [{"id": "not-a-uuid", "v": "x"}])
    query = (
        spark.readStream.schema("id string, v string")
        .json(str(source))
        .writeStream.format("pycassandra")
        .options(**node_options)
        .option("table", "t")
        .option("checkpointLocation", str(tmp_path / "checkpoint"))
        .trigger(availableNow=True)
        .start()
    )
    with pytest.raises(StreamingQueryException) as raised:
        query.awaitTermination()
    for shown in (str(raised.value), str(query.exception())):
        assert "not-a-uuid" in shown and "uuid" in shown and "'id'" in shown, shown[-3000:]


FAULTS_HOST = "127.0.0.15"


def test_the_node_down_at_commit_fails_the_next_micro_batch_clearly_and_a_restart_loses_nothing(
    spark, recorded, tmp_path
):
    """The faults node (127.0.0.15, only the fault tests stop it) is stopped by the
    first commit itself, after the micro-batch's rows were all written."""
    from cassandra.cluster import Cluster

    node = os.path.join(ROOT, "scripts", "cassandra")
    os.system(f"{node} start --profile faults >/dev/null")
    keyspace = f"pyc_lifecycle_{uuid.uuid4().hex[:12]}"
    cluster = Cluster([FAULTS_HOST], protocol_version=5)
    session = cluster.connect()
    session.execute(
        f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    session.execute(f"CREATE TABLE {keyspace}.t (id int PRIMARY KEY, v text)")
    cluster.shutdown()
    source = tmp_path / "in"
    source.mkdir()
    for f in range(3):
        write_json(source, f"part-{f}.json", [{"id": f * 100 + i, "v": f"v{i}"} for i in range(100)])
    stopped_once = tmp_path / "stopped"
    stop_once = f"[ -e {stopped_once} ] || {{ touch {stopped_once}; {node} stop --profile faults >/dev/null; }}"

    def start(**extra):
        return (
            spark.readStream.schema("id int, v string")
            .option("maxFilesPerTrigger", 1)
            .json(str(source))
            .writeStream.format("pycassandra_recorded")
            .options(host=FAULTS_HOST, keyspace=keyspace, table="t", connect_timeout_ms="2000", **extra)
            .option("calls_dir", str(recorded))
            .option("checkpointLocation", str(tmp_path / "checkpoint"))
            .trigger(availableNow=True)
            .start()
        )

    try:
        query = start(before_commit=stop_once)
        with pytest.raises(StreamingQueryException) as raised:
            query.awaitTermination()
        # Micro-batch 0 committed with the node down; micro-batch 1 could not connect, and says so.
        counts = methods(recorded)
        assert counts[("commit", "python_streaming_sink_runner")] == 1
        assert FAULTS_HOST in str(raised.value), str(raised.value)[-3000:]
        # Spark aborted micro-batch 1 on the driver, with the node still down, and the abort did not raise.
        assert counts[("abort", "python_streaming_sink_runner")] == 1
        assert "failed to abort" not in str(raised.value).lower()
        os.system(f"{node} start --profile faults >/dev/null")
        restarted = start()
        restarted.awaitTermination()
        assert restarted.exception() is None
        cluster = Cluster([FAULTS_HOST], protocol_version=5)
        session = cluster.connect()
        assert sorted(r.id for r in session.execute(f"SELECT id FROM {keyspace}.t")) == sorted(
            f * 100 + i for f in range(3) for i in range(100)
        )
        session.execute(f"DROP KEYSPACE {keyspace}")
        cluster.shutdown()
    finally:
        os.system(f"{node} start --profile faults >/dev/null")


def test_a_pickled_read_job_carries_its_table_and_its_filters(cql, keyspace, node_options):
    cql.execute(f"CREATE TABLE {keyspace}.t (k int, c int, v text, PRIMARY KEY (k, c))")
    for k in range(4):
        for c in range(3):
            cql.execute(f"INSERT INTO {keyspace}.t (k, c, v) VALUES ({k}, {c}, 'v')")
    job = _native.ReadJob({**node_options, "table": "t", "username": "cassandra", "password": "hunter2"})
    job.check(pa.schema([("k", pa.int32()), ("c", pa.int32()), ("v", pa.string())]))
    assert job.push_filters([("k", "=", [("integer", "3")])]) == [False]
    assert "hunter2" not in repr(job)
    loads = _native.table_schema_loads()
    copy = pickle.loads(pickle.dumps(job))
    rows = [row for split in copy.splits() for batch in copy.scan(split) for row in batch.to_pylist()]
    assert sorted((row["k"], row["c"]) for row in rows) == [(3, 0), (3, 1), (3, 2)]
    assert _native.table_schema_loads() == loads


def test_a_pickled_write_job_carries_its_table_and_writes_with_it(cql, keyspace, node_options):
    cql.execute(f"CREATE TABLE {keyspace}.t (id int PRIMARY KEY, v text)")
    schema = pa.schema([("id", pa.int32()), ("v", pa.string())])
    job = _native.WriteJob({**node_options, "table": "t", "username": "cassandra", "password": "hunter2"}, schema)
    job.check()
    assert "hunter2" not in repr(job)
    loads = _native.table_schema_loads()
    prepared = _native.write_statements_prepared()
    writer = pickle.loads(pickle.dumps(job)).writer()
    writer.write_batch(pa.record_batch([pa.array([1, 2], pa.int32()), pa.array(["a", "b"])], schema=schema))
    assert writer.finish()["rows_written"] == 2
    assert _native.table_schema_loads() == loads
    # A second task of the job in this process reuses the INSERT the first prepared.
    assert _native.write_statements_prepared() == prepared + 1
    pickle.loads(pickle.dumps(job)).writer().finish()
    assert _native.write_statements_prepared() == prepared + 1
    assert sorted(cql.execute(f"SELECT id, v FROM {keyspace}.t")) == [(1, "a"), (2, "b")]
    # A stream's job is checked by its tasks: unpickled, it reads the table before its first row.
    stream = pickle.loads(pickle.dumps(_native.WriteJob({**node_options, "table": "t"}, schema, stream=True)))
    stream.writer().finish()
    assert _native.table_schema_loads() == loads + 1
