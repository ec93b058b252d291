"""Change streams through a real SparkSession: ``readStream.format("pycassandra")``
over the cdc node's ``cdc_raw`` (profile ``cdc``: 127.0.0.16, 1 MiB segments,
group sync; scripts/test starts it). Each test owns a table of its own
keyspace, so other tables' changes in the same segments are not its events,
and starts its stream at ``latest`` once the table exists, so it reads only
what was written since, not the node's whole backlog. No test here deletes
from the shared ``cdc_raw`` (another test's stream may still need a segment):
those that do run on their own node (test_change_stream_faults.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid

import pytest
from cql_sessions import cql_session, owned_keyspace

from pycassandra.exceptions import ConfigError

CDC_HOST = os.environ.get("PYCASSANDRA_CDC_HOST", "127.0.0.16")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Commit-log group sync on the cdc node is 10 ms; this is only how long a test may wait for it.
DEADLINE_SECONDS = 120


def cdc_raw_directory(profile: str = "cdc") -> str:
    env = subprocess.run(
        [os.path.join(ROOT, "scripts", "cassandra"), "env", "--profile", profile],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    node_dir = next(line.split("=", 1)[1] for line in env.splitlines() if line.startswith("PYCASSANDRA_NODE_DIR="))
    return os.path.join(node_dir, "cdc_raw")


@pytest.fixture(scope="module")
def cdc_cql():
    with cql_session(CDC_HOST, 9042, "scripts/cassandra start --profile cdc") as session:
        yield session


@pytest.fixture
def cdc_keyspace(cdc_cql):
    with owned_keyspace(cdc_cql) as name:
        yield name


def stream_options(keyspace: str, **extra: str) -> dict:
    """The stream of ``keyspace.t`` from ``latest``: start it after the table
    exists and write after its first batch (``wait_for_first_batch``)."""
    options = {
        "host": CDC_HOST,
        "keyspace": keyspace,
        "table": "t",
        "cdc_raw_directory": cdc_raw_directory(),
        "starting_position": "latest",
    }
    options.update(extra)
    return options


def start_memory_query(spark, options: dict, name: str):
    """The change stream of ``options`` into Spark's in-memory table ``name``."""
    return (
        spark.readStream.format("pycassandra")
        .options(**options)
        .load()
        .writeStream.format("memory")
        .queryName(name)
        .start()
    )


def wait_for_rows(spark, query, table: str, expected: int):
    """Processes until the sink holds ``expected`` rows (or the deadline passes), then returns them."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        query.processAllAvailable()
        rows = spark.sql(f"SELECT * FROM {table}").collect()
        if len(rows) >= expected or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def wait_for_first_batch(query) -> None:
    """Until the query has planned and run its first micro-batch."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not any(p["sources"][0]["endOffset"] for p in query.recentProgress):
        assert time.monotonic() < deadline, "the query ran no micro-batch"
        time.sleep(0.2)


def sink_count(spark, path: str) -> int:
    """Rows a parquet sink has committed; 0 before it committed a file (a
    stream from `latest` starts with empty micro-batches)."""
    from pyspark.errors import AnalysisException

    try:
        return spark.read.parquet(path).count()
    except AnalysisException as error:
        if "UNABLE_TO_INFER_SCHEMA" in str(error) or "PATH_NOT_FOUND" in str(error):
            return 0
        raise


def offset_of(progress_offset) -> dict:
    """A source offset of Spark's progress report, which PySpark gives as JSON text."""
    return progress_offset if isinstance(progress_offset, dict) else json.loads(progress_offset)


def order(rows):
    return sorted(rows, key=lambda r: (r["_cdc_segment"], r["_cdc_position"], r["_cdc_batch_seq_no"]))


def test_inserts_updates_and_deletes_arrive_once_each_in_commit_log_order(spark, cdc_cql, cdc_keyspace):
    cdc_cql.execute(
        f"CREATE TABLE {cdc_keyspace}.t (id int, c int, v text, s set<int>, PRIMARY KEY (id, c)) WITH cdc = true"
    )
    name = f"changes_{uuid.uuid4().hex}"
    stream = spark.readStream.format("pycassandra").options(**stream_options(cdc_keyspace)).load()
    assert {"id", "c", "v", "s", "_cdc_operation", "_cdc_time", "_cdc_change_id"} <= set(stream.columns)
    query = stream.writeStream.format("memory").queryName(name).start()
    try:
        wait_for_first_batch(query)
        for statement in [
            f"INSERT INTO {cdc_keyspace}.t (id, c, v, s) VALUES (1, 1, 'a', {{1, 2}})",
            f"UPDATE {cdc_keyspace}.t SET v = 'b' WHERE id = 1 AND c = 1",
            f"UPDATE {cdc_keyspace}.t SET s = s + {{3}} WHERE id = 1 AND c = 1",
            f"INSERT INTO {cdc_keyspace}.t (id, c, v) VALUES (2, 1, 'x')",
            f"DELETE FROM {cdc_keyspace}.t WHERE id = 1 AND c = 1",
            f"DELETE FROM {cdc_keyspace}.t WHERE id = 2",
        ]:
            cdc_cql.execute(statement)
        rows = order(wait_for_rows(spark, query, name, 6))
    finally:
        query.stop()
    assert [r["_cdc_operation"] for r in rows] == [2, 1, 1, 2, 3, 4], rows
    assert [(r["id"], r["c"]) for r in rows] == [(1, 1), (1, 1), (1, 1), (2, 1), (1, 1), (2, None)]
    assert [r["v"] for r in rows] == ["a", "b", None, "x", None, None]
    assert rows[0]["s"] == [1, 2] and rows[2]["s"] == [3]
    assert len({bytes(r["_cdc_change_id"]) for r in rows}) == 6
    times = [r["_cdc_time"] for r in rows]
    assert times == sorted(times), "one client's writes, in order"


def test_a_byte_budget_splits_the_backlog_into_many_batches_and_loses_nothing(spark, cdc_cql, cdc_keyspace):
    cdc_cql.execute(f"CREATE TABLE {cdc_keyspace}.t (id int PRIMARY KEY, v text) WITH cdc = true")
    insert = cdc_cql.prepare(f"INSERT INTO {cdc_keyspace}.t (id, v) VALUES (?, ?)")
    name = f"budget_{uuid.uuid4().hex}"
    options = stream_options(cdc_keyspace, max_bytes_per_trigger="8192")
    query = start_memory_query(spark, options, name)
    try:
        wait_for_first_batch(query)
        for i in range(300):
            cdc_cql.execute(insert, (i, "v" * 200))
        rows = wait_for_rows(spark, query, name, 300)
        batches_with_rows = [p for p in query.recentProgress if p["numInputRows"] > 0]
    finally:
        query.stop()
    assert sorted(r["id"] for r in rows) == list(range(300)), "each insert exactly once"
    assert len(batches_with_rows) > 3, f"{len(batches_with_rows)} micro-batches for ~80 KB at 8 KiB each"


def test_a_restarted_query_resumes_from_its_checkpoint_without_gaps_or_repeats(spark, cdc_cql, cdc_keyspace, tmp_path):
    cdc_cql.execute(f"CREATE TABLE {cdc_keyspace}.t (id int PRIMARY KEY, v int) WITH cdc = true")
    insert = cdc_cql.prepare(f"INSERT INTO {cdc_keyspace}.t (id, v) VALUES (?, ?)")
    out, checkpoint = str(tmp_path / "out"), str(tmp_path / "checkpoint")

    def run_until(expected: int, write=None) -> None:
        query = (
            spark.readStream.format("pycassandra")
            .options(**stream_options(cdc_keyspace))
            .load()
            .select("id", "v", "_cdc_change_id")
            .writeStream.format("parquet")
            .option("path", out)
            .option("checkpointLocation", checkpoint)
            .start()
        )
        try:
            if write is not None:
                wait_for_first_batch(query)
                write()
            deadline = time.monotonic() + DEADLINE_SECONDS
            while time.monotonic() < deadline:
                query.processAllAvailable()
                if sink_count(spark, out) >= expected:
                    break
                time.sleep(0.5)
        finally:
            query.stop()

    def write(ids) -> None:
        for i in ids:
            cdc_cql.execute(insert, (i, i))

    run_until(50, lambda: write(range(50)))
    # Written while no query runs: the checkpoint, not `latest`, decides.
    write(range(50, 120))
    run_until(120)
    ids = [r["id"] for r in spark.read.parquet(out).collect()]
    assert sorted(ids) == list(range(120)), "every change once across the restart"


def test_a_table_without_cdc_and_misplaced_options_are_refused_with_what_to_do(spark, cdc_cql, cdc_keyspace):
    cdc_cql.execute(f"CREATE TABLE {cdc_keyspace}.t (id int PRIMARY KEY, v int)")
    with pytest.raises(Exception, match="WITH cdc = true"):
        spark.readStream.format("pycassandra").options(**stream_options(cdc_keyspace)).load()
    from pycassandra import CassandraDataSource

    with pytest.raises(
        ConfigError, match=r"options cdc_raw_directory, starting_position apply to change streams \(readStream\) only"
    ):
        CassandraDataSource(stream_options(cdc_keyspace)).reader(None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="'starting_position'"):
        CassandraDataSource(stream_options(cdc_keyspace, starting_position="now")).streamReader(None)  # type: ignore


def fails_with(query, pattern: str) -> str:
    """Processes until the query fails; its error, which must match ``pattern``."""
    import re

    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        try:
            query.processAllAvailable()
        except Exception as error:  # Spark's StreamingQueryException: its class differs per version
            assert re.search(pattern, str(error)), str(error)[:3000]
            return str(error)
        assert time.monotonic() < deadline, f"the query did not fail with {pattern!r}"
        time.sleep(0.5)


@pytest.mark.parametrize(
    "change, pattern",
    [
        ("ALTER TABLE {t} ADD w text", r"column\(s\) w were added since the query started.*restart the query"),
        ("ALTER TABLE {t} WITH cdc = false", r"altered to cdc = false"),
        ("DROP TABLE {t}", r"the table was dropped"),
    ],
)
def test_a_table_changed_under_the_stream_ends_it_saying_what_to_do(spark, cdc_cql, cdc_keyspace, change, pattern):
    table = f"{cdc_keyspace}.t"
    cdc_cql.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v text) WITH cdc = true")
    query = start_memory_query(spark, stream_options(cdc_keyspace), f"drift_{uuid.uuid4().hex[:8]}")
    try:
        wait_for_first_batch(query)
        cdc_cql.execute(change.format(t=table))
        if "ADD" in change:
            cdc_cql.execute(f"INSERT INTO {table} (id, v) VALUES (1, 'after')")
        fails_with(query, pattern)
    finally:
        query.stop()


def test_a_table_created_again_under_its_name_ends_the_stream_at_the_next_plan(cdc_cql, cdc_keyspace):
    """Without Spark, so that the drop and the create both land between two
    plans (a running query may plan in between and find the table gone)."""
    from pycassandra import CassandraDataSource

    table = f"{cdc_keyspace}.t"
    cdc_cql.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v text) WITH cdc = true")
    source = CassandraDataSource(stream_options(cdc_keyspace))
    reader = source.streamReader(source.schema())
    start = reader.initialOffset()
    reader.latestOffset(start, None)
    cdc_cql.execute(f"DROP TABLE {table}")
    cdc_cql.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v text) WITH cdc = true")
    with pytest.raises(Exception, match=r"dropped and created again \(new id [0-9a-f-]+\)"):
        reader.latestOffset(start, None)


def test_a_dropped_column_is_null_from_then_on_and_an_added_one_can_be_ignored(spark, cdc_cql, cdc_keyspace):
    table = f"{cdc_keyspace}.t"
    cdc_cql.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v text, gone text) WITH cdc = true")
    name = f"ignored_{uuid.uuid4().hex[:8]}"
    query = start_memory_query(spark, stream_options(cdc_keyspace, cdc_schema_changes="ignore"), name)
    try:
        wait_for_first_batch(query)
        cdc_cql.execute(f"INSERT INTO {table} (id, v, gone) VALUES (1, 'a', 'x')")
        wait_for_rows(spark, query, name, 1)
        cdc_cql.execute(f"ALTER TABLE {table} DROP gone")
        cdc_cql.execute(f"ALTER TABLE {table} ADD w text")
        cdc_cql.execute(f"INSERT INTO {table} (id, v, w) VALUES (2, 'b', 'new')")
        rows = wait_for_rows(spark, query, name, 2)
    finally:
        query.stop()
    assert [(r["id"], r["v"], r["gone"]) for r in order(rows)] == [(1, "a", "x"), (2, "b", None)]
    assert "w" not in rows[0].asDict()
