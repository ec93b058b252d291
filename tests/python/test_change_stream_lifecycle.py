"""How Spark drives a change stream, pinned (docs/spark-lifecycle.md): how often
it builds the stream reader and calls its methods, from which of its Python
processes, and what each call asks of the cluster, on the cdc node through a
real SparkSession (probe: change_stream_probe.py)."""

from __future__ import annotations

import os
import pickle
import shutil
import uuid
from collections import Counter

from change_stream_probe import RecordingChangeSource
from lifecycle_probe import read_calls
from test_change_stream import (  # noqa: F401 (fixtures)
    cdc_cql,
    cdc_keyspace,
    cdc_raw_directory,
    stream_options,
    wait_for_first_batch,
    wait_for_rows,
)

from pycassandra import CassandraDataSource, _native


def test_a_change_stream_builds_its_reader_twice_per_query_and_each_worker_reads_the_table_once(
    spark,
    cdc_cql,  # noqa: F811 (a fixture)
    cdc_keyspace,  # noqa: F811 (a fixture)
    tmp_path,
):
    spark.dataSource.register(RecordingChangeSource)
    calls = tmp_path / "calls"
    calls.mkdir()
    cdc_cql.execute(f"CREATE TABLE {cdc_keyspace}.t (id int PRIMARY KEY, v int) WITH cdc = true")
    insert = cdc_cql.prepare(f"INSERT INTO {cdc_keyspace}.t (id, v) VALUES (?, ?)")
    name = f"lifecycle_{uuid.uuid4().hex}"
    query = (
        spark.readStream.format("pycassandra_changes_recorded")
        .options(**stream_options(cdc_keyspace))
        .option("calls_dir", str(calls))
        .load()
        .writeStream.format("memory")
        .queryName(name)
        .start()
    )
    try:
        wait_for_first_batch(query)
        # Three rounds, each waited for: three micro-batches at least.
        for round_ in range(3):
            for i in range(10):
                cdc_cql.execute(insert, (round_ * 10 + i, i))
            rows = wait_for_rows(spark, query, name, (round_ + 1) * 10)
    finally:
        query.stop()
    assert sorted(r["id"] for r in rows) == list(range(30))
    recorded = read_calls(calls)
    counts = Counter((call.method, call.caller) for call in recorded)
    # Built once for the query's long-lived source process and once for the
    # read function its tasks run: never again per micro-batch.
    assert counts[("streamReader", "python_streaming_source_runner")] == 1, counts
    assert counts[("streamReader", "plan_data_source_read")] == 1, counts
    assert {method for method, _ in counts} == {
        "schema",
        "streamReader",
        "initialOffset",
        "latestOffset",
        "partitions",
        "read",
        "commit",
    }, counts
    assert counts[("partitions", "python_streaming_source_runner")] >= 3, counts

    # Building a reader asks nothing of the cluster. schema() reads the table
    # once; the source process reads it in its first call, for the query's life.
    def asked(caller: str) -> list:
        return [(c.method, c.sessions_opened, c.table_schema_loads) for c in recorded if c.caller == caller]

    assert asked("create_data_source") == [("schema", 1, 1)]
    assert asked("plan_data_source_read") == [("streamReader", 0, 0)]
    source = asked("python_streaming_source_runner")
    assert source[0] == ("streamReader", 0, 0)
    assert source[1][1:] == (1, 1) and {call[1:] for call in source[2:]} == {(0, 0)}, source[:3]
    # Each worker connects and reads the table for its first task of the query only.
    reads = [call for call in recorded if call.method == "read"]
    workers = {call.pid for call in reads}
    for worker in workers:
        mine = [(call.sessions_opened, call.table_schema_loads) for call in reads if call.pid == worker]
        assert mine[0] == (1, 1) and set(mine[1:]) <= {(0, 0)}, (worker, mine)
    assert len(reads) > len(workers), "a worker's later tasks are pinned too"


def test_building_a_stream_reader_connects_to_nothing_and_deletes_nothing(tmp_path):
    # A copy of some of the cdc node's segments, and a host nothing listens on:
    # any connection attempt would fail, any deletion would show.
    directory = tmp_path / "cdc_raw"
    directory.mkdir()
    for segment in sorted(os.listdir(cdc_raw_directory()))[:4]:
        shutil.copy(os.path.join(cdc_raw_directory(), segment), directory / segment)
    before = sorted(os.listdir(directory))
    options = {
        "host": "127.0.0.99",
        "keyspace": "ks",
        "table": "t",
        "cdc_raw_directory": str(directory),
        "cdc_delete_consumed": "true",
        "connect_timeout_ms": "500",
    }
    sessions, loads = _native.cached_session_count(), _native.table_schema_loads()
    reader = CassandraDataSource(options).streamReader(None)  # type: ignore[arg-type]
    copy = pickle.loads(pickle.dumps(reader))
    assert "cdc_delete_consumed" in repr(copy)
    assert (_native.cached_session_count(), _native.table_schema_loads()) == (sessions, loads)
    assert sorted(os.listdir(directory)) == before
