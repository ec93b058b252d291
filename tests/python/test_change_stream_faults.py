"""Change streams on a node of their own: profile ``cdc-faults`` (127.0.0.17, as
``cdc`` but ``cdc_total_space`` 4 MiB and system tables fsynced), which is not
resident: this module resets, starts and stops it, and nothing else uses it,
so its tests may SIGKILL it and delete from its ``cdc_raw``.

- the node SIGKILLed and restarted mid-stream: no change lost or repeated;
- back-pressure: a full ``cdc_raw`` refuses writes to CDC tables until a
  stream with ``cdc_delete_consumed`` commits, and then takes them again;
- a query killed mid-batch with ``cdc_delete_consumed`` (test_change_stream_kill.py);
- what those rest on, without Spark: a worker's later tasks decode a table
  dropped since with the schema an earlier task reloaded, and a query from
  ``latest`` starts where it planned its first batch.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from contextlib import contextmanager

import pytest
from cassandra import WriteFailure
from change_stream_job import start_query
from cql_sessions import cql_session, owned_keyspace
from test_change_stream import (
    DEADLINE_SECONDS,
    ROOT,
    cdc_raw_directory,
    offset_of,
    sink_count,
    start_memory_query,
    wait_for_first_batch,
    wait_for_rows,
)
from test_change_stream_kill import gone, resumes_exactly_once

from pycassandra import CassandraDataSource, _native
from pycassandra._changes import CassandraChangeStreamReader

PROFILE = "cdc-faults"
HOST = "127.0.0.17"
SCRIPT = os.path.join(ROOT, "scripts", "cassandra")


def node(command: str) -> None:
    result = subprocess.run([SCRIPT, command, "--profile", PROFILE], capture_output=True, text=True)
    assert result.returncode == 0, f"scripts/cassandra {command} --profile {PROFILE}: {result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def faults_node():
    # A fresh node: an earlier run may have left its cdc_raw full.
    node("reset")
    node("start")
    try:
        yield cdc_raw_directory(PROFILE)
    finally:
        node("stop")


@contextmanager
def session():
    with cql_session(HOST, 9042, f"scripts/cassandra start --profile {PROFILE}") as cql:
        yield cql


@pytest.fixture(autouse=True)
def consume_after(faults_node):
    """This module is the node's only consumer: what a test left in cdc_raw
    would count against the next one's 4 MiB."""
    yield
    for log, _ in closed_segments(faults_node):
        for path in (log, log.replace(".log", "_cdc.idx")):
            os.remove(os.path.join(faults_node, path))


@pytest.fixture
def faults_cql(faults_node):
    with session() as cql:
        yield cql


@pytest.fixture
def faults_keyspace(faults_cql):
    with owned_keyspace(faults_cql) as name:
        yield name


def options(keyspace: str, **extra: str) -> dict:
    return {
        "host": HOST,
        "keyspace": keyspace,
        "table": "t",
        "cdc_raw_directory": cdc_raw_directory(PROFILE),
        "starting_position": "latest",
        **extra,
    }


def segments_with_idx(directory: str) -> dict:
    """log name -> its idx text, for the segments that hold CDC data."""
    found = {}
    for name in sorted(os.listdir(directory)):
        idx = os.path.join(directory, name.replace(".log", "_cdc.idx"))
        if name.endswith(".log") and os.path.exists(idx):
            with open(idx) as f:
                found[name] = f.read()
    return found


def closed_segments(directory: str) -> list:
    """(log, idx text) of the segments Cassandra has closed (`COMPLETED`)."""
    return [(name, text) for name, text in segments_with_idx(directory).items() if text.endswith("COMPLETED")]


def segment_id(name: str) -> int:
    return int(name.rsplit("-", 1)[1].split(".")[0].split("_")[0])


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE_SECONDS} s"
        time.sleep(0.2)


def test_a_query_killed_during_a_micro_batch_deleting_what_it_committed_resumes_exactly_once(
    spark, faults_cql, faults_keyspace, tmp_path
):
    stream = options(faults_keyspace, cdc_delete_consumed="true")
    resumes_exactly_once(spark, faults_cql, faults_keyspace, stream, tmp_path)


def test_a_node_killed_and_restarted_mid_stream_loses_and_repeats_no_change(spark, faults_node, tmp_path):
    keyspace = f"pyc_test_{uuid.uuid4().hex}"
    with session() as cql:
        cql.execute(
            f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
        )
        cql.execute(f"CREATE TABLE {keyspace}.t (id int PRIMARY KEY, v int) WITH cdc = true")
        insert = cql.prepare(f"INSERT INTO {keyspace}.t (id, v) VALUES (?, ?)")
        out, checkpoint = str(tmp_path / "out"), str(tmp_path / "checkpoint")

        def start():
            return start_query(spark, options(keyspace), out, checkpoint, source="pycassandra")

        def in_sink() -> int:
            return sink_count(spark, out)

        def sink_has(expected: int) -> bool:
            query.processAllAvailable()
            return in_sink() >= expected

        query = start()
        wait_for_first_batch(query)
        for i in range(50):
            cql.execute(insert, (i, i))
        wait_until(lambda: sink_has(50), "50 rows in the sink")
        # Acknowledged under group sync, so durable: then the node dies.
        for i in range(50, 100):
            cql.execute(insert, (i, i))
        pid = int(open(os.path.join(os.path.dirname(faults_node), "cassandra.pid")).read())
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: gone(pid), "end of the killed node")
    # The segments the node had open (with CDC data), as it left them.
    open_at_kill = {name: text for name, text in segments_with_idx(faults_node).items() if "COMPLETED" not in text}
    assert open_at_kill, "the killed node had no open segment with CDC data"

    # Its files stay: the stream reads on while the node is down. A task in
    # a Python worker that has not read the schema yet fails the query
    # instead (it must connect): then it resumes from its checkpoint below.
    def read_or_failed() -> bool:
        if query.exception() is not None:
            return True
        query.processAllAvailable()
        return in_sink() >= 100

    try:
        wait_until(read_or_failed, "100 rows in the sink or a failed query while the node is down")
    except Exception:
        if query.exception() is None:
            raise
    failure = query.exception()
    if failure is not None:
        assert "127.0.0.17" in str(failure), f"the failure should name the node it could not reach: {failure}"
    else:
        assert in_sink() == 100
    node("start")
    # Replay closed the segments the dead node had open: `<file length>\nCOMPLETED`.
    after = segments_with_idx(faults_node)
    for name, text in open_at_kill.items():
        size = os.path.getsize(os.path.join(faults_node, name))
        assert after.get(name) == f"{size}\nCOMPLETED", (name, text, after.get(name))

    if failure is not None:
        query = start()
    try:
        with session() as cql:
            insert = cql.prepare(f"INSERT INTO {keyspace}.t (id, v) VALUES (?, ?)")
            for i in range(100, 150):
                cql.execute(insert, (i, i))
            wait_until(lambda: sink_has(150), "150 rows in the sink")
            cql.execute(f"DROP KEYSPACE {keyspace}")
    finally:
        query.stop()
    rows = spark.read.parquet(out).collect()
    assert sorted(r["id"] for r in rows) == list(range(150)), "each change exactly once across the node's restart"
    provenance = {(r["_cdc_segment"], r["_cdc_position"], r["_cdc_batch_seq_no"]) for r in rows}
    assert len(provenance) == 150, "no change repeated by segment and position"
    assert len({r["_cdc_segment"] for r in rows}) >= 2, "the writes after the restart are in a segment of their own"


def test_a_workers_next_task_decodes_a_table_dropped_since_with_the_schema_its_last_task_reloaded(
    faults_cql, faults_keyspace
):
    for table in ("t", "gone"):
        faults_cql.execute(f"CREATE TABLE {faults_keyspace}.{table} (id int PRIMARY KEY, v int) WITH cdc = true")
    stream = options(faults_keyspace)
    query = str(uuid.uuid4())
    # Two tasks of one query in one worker: the job is unpickled for each.
    first = _native.ChangeJob(stream, query)
    start = first.initial_offset()
    faults_cql.execute(f"INSERT INTO {faults_keyspace}.gone (id, v) VALUES (1, 1)")
    faults_cql.execute(f"DROP TABLE {faults_keyspace}.gone")
    faults_cql.execute(f"CREATE TABLE {faults_keyspace}.later (id int PRIMARY KEY, v int) WITH cdc = true")
    faults_cql.execute(f"INSERT INTO {faults_keyspace}.later (id, v) VALUES (1, 1)")
    faults_cql.execute(f"INSERT INTO {faults_keyspace}.t (id, v) VALUES (7, 7)")
    end = first.latest_offset(start)
    target = first.schema()
    pieces = first.pieces(start, end)

    def events(job) -> list:
        return [row["id"] for a, b in pieces for row in job.read(a, b, target).to_pylist()]

    reloads = _native.change_schema_reloads()
    # `later` is unknown to the schema the first task read: it reads it again.
    assert events(first) == [7]
    assert _native.change_schema_reloads() == reloads + 1
    second = _native.ChangeJob(stream, query)
    assert events(second) == [7]
    assert _native.change_schema_reloads() == reloads + 1, "the next task read the schema again for `gone`"


def test_a_query_from_latest_starts_where_it_planned_its_first_batch(faults_cql, faults_keyspace):
    faults_cql.execute(f"CREATE TABLE {faults_keyspace}.t (id int PRIMARY KEY, v int) WITH cdc = true")
    insert = faults_cql.prepare(f"INSERT INTO {faults_keyspace}.t (id, v) VALUES (?, ?)")
    stream = options(faults_keyspace)
    schema = CassandraDataSource(stream).schema()

    def offset(json: dict) -> tuple:
        return (json["segment"], json["position"])

    def write(values: tuple) -> None:
        # The test before deleted segments from cdc_raw, but Cassandra may still
        # count them until a refusal makes it measure again (a clean-clone run
        # of 2026-12-02 had the first write here refused): retry until taken.
        def taken() -> bool:
            try:
                faults_cql.execute(insert, values)
            except WriteFailure:
                return False
            return True

        wait_until(taken, f"the write of {values} accepted")

    def durable_past(json: dict) -> bool:
        # A new reader's first latestOffset is everything durable in cdc_raw.
        return offset(CassandraChangeStreamReader(stream, schema).latestOffset()) > offset(json)

    # PySpark 4.0/4.1: the first batch's end, then where it starts (docs/spark-lifecycle.md).
    reader = CassandraChangeStreamReader(stream, schema)
    end = reader.latestOffset()
    write((1, 1))
    start = reader.initialOffset()
    assert offset(start) <= offset(end), "a first batch that ends before it starts"
    assert reader.initialOffset() == start
    # 4.2+: the start, the end from it, then the start again when the batch runs.
    reader = CassandraChangeStreamReader(stream, schema)
    start = reader.initialOffset()
    write((2, 2))
    # Acknowledged is not yet in cdc_raw: the idx moves at the commit log's next
    # sync (commitlog_sync group, 10 ms). Asking before then found no change
    # (a run of 2026-12-02), which says nothing about the offsets under test.
    wait_until(lambda: durable_past(start), "the write of (2, 2) in cdc_raw")
    end = reader.latestOffset(start, None)
    write((3, 3))
    assert offset(end) > offset(start)
    assert reader.initialOffset() == start, "the batch would start past changes it planned to read"


# On PySpark 4.0/4.1 the stream takes the whole full cdc_raw in its first batch
# (no start to budget from), and Spark commits that batch only when it plans a
# next one with new changes, which the full cdc_raw refuses: the reader frees
# what the batches before a planned one consumed (latestOffset) so that this
# test does not wait for a commit that cannot come. 4.2+ reads the backlog in
# max_bytes_per_trigger steps.
def test_a_full_cdc_raw_refuses_writes_until_a_stream_deletes_what_it_committed(
    spark, faults_node, faults_cql, faults_keyspace
):
    log = os.path.join(os.path.dirname(faults_node), "logs", "system.log")
    log_start = os.path.getsize(log)
    faults_cql.execute(f"CREATE TABLE {faults_keyspace}.t (id int PRIMARY KEY, v text) WITH cdc = true")
    faults_cql.execute(f"CREATE TABLE {faults_keyspace}.plain (id int PRIMARY KEY, v text)")
    insert = faults_cql.prepare(f"INSERT INTO {faults_keyspace}.t (id, v) VALUES (?, ?)")
    value = "x" * 4000
    refused = None
    written = 0
    # Four times cdc_total_space at most: the node must refuse well before.
    while refused is None and written < 4000:
        try:
            faults_cql.execute(insert, (written, value))
            written += 1
        except WriteFailure as error:
            # Cassandra decides with its last count of cdc_raw, which may
            # predate the segments the test before deleted, and counts again
            # after a refusal (at most every 250 ms; a run of 2026-12-02 had
            # its next write accepted): full is a refusal that outlasts a count.
            time.sleep(1)
            try:
                faults_cql.execute(insert, (written, value))
                written += 1
            except WriteFailure:
                refused = error
    assert refused is not None, "16 MB of CDC writes into a 4 MiB cdc_raw were all accepted"
    assert 0 < written * len(value) < 4 * 1024 * 1024, f"refused after {written} rows of 4 kB"
    # The coordinator is the replica: it reports its own CDCWriteException as
    # a write failure (0x1500) of reason UNKNOWN, not as CDC_WRITE_FAILURE (0x1600).
    assert refused.error_code_map == {HOST: 0}, refused
    assert "received 0 responses and 1 failures: UNKNOWN" in str(refused), refused
    with open(log) as f:
        f.seek(log_start)
        said = f.read()
    assert (
        f"Rejecting mutation to keyspace {faults_keyspace}. Free up space in {faults_node} by processing CDC logs"
        in said
    ), said[-3000:]
    # Tables without CDC keep writing; ours still refuses.
    faults_cql.execute(f"INSERT INTO {faults_keyspace}.plain (id, v) VALUES (1, 'x')")
    with pytest.raises(WriteFailure):
        faults_cql.execute(insert, (written, value))

    name = f"backpressure_{uuid.uuid4().hex}"
    stream = options(
        faults_keyspace, starting_position="earliest", cdc_delete_consumed="true", max_bytes_per_trigger="262144"
    )
    before = {log for log, _ in closed_segments(faults_node)}
    query = start_memory_query(spark, stream, name)
    try:
        rows = wait_for_rows(spark, query, name, written)
        # Cassandra measures cdc_raw again when a write is refused (at most
        # every 250 ms), so writes are retried until one goes through.
        accepted = []

        def write_accepted() -> bool:
            try:
                faults_cql.execute(insert, (written, value))
            except WriteFailure:
                return False
            accepted.append(written)
            return True

        wait_until(write_accepted, "CDC write accepted after the stream deleted what it committed")
        rows = wait_for_rows(spark, query, name, written + 1)
        with_rows = [p for p in query.recentProgress if p["numInputRows"] > 0]
        committed = offset_of(with_rows[-1]["sources"][0]["startOffset"])
    finally:
        query.stop()
    assert sorted(r["id"] for r in rows) == list(range(written + 1)), "every accepted write once, none refused"
    consumed = {log for log in before if segment_id(log) < committed["segment"]}
    assert consumed, f"the writes should have closed segments before {committed}"
    assert not consumed & set(os.listdir(faults_node)), "consumed segments are still in cdc_raw"
