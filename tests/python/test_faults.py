"""A node restarted under a running streaming query: the query fails (or
retries), and once restarted from its checkpoint the table equals the
source, row for row. The node is scripts/cassandra's `faults` profile
(127.0.0.15), which only the fault tests stop."""

from __future__ import annotations

import json
import os
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAULTS_HOST = "127.0.0.15"
ROWS_PER_FILE = 500
FILES = 10


def node(command: str) -> None:
    subprocess.run(
        [os.path.join(ROOT, "scripts", "cassandra"), command, "--profile", "faults"], check=True, capture_output=True
    )


def write_file(directory, index: int) -> None:
    rows = range(index * ROWS_PER_FILE, (index + 1) * ROWS_PER_FILE)
    # Written aside and renamed, so the stream never sees half a file.
    tmp = directory.parent / f".part-{index:03}.json"
    tmp.write_text("\n".join(json.dumps({"id": i, "payload": f"payload-{i}"}) for i in rows))
    os.replace(tmp, directory / f"part-{index:03}.json")


def count_and_sum(session, keyspace: str):
    row = session.execute(f"SELECT count(*), sum(id) FROM {keyspace}.events", timeout=60).one()
    return row[0], row[1] or 0


def test_a_node_restart_under_a_stream_loses_nothing_after_a_restart_from_checkpoint(spark, tmp_path):
    from cassandra.cluster import Cluster

    node("start")
    cluster = Cluster([FAULTS_HOST], protocol_version=5)
    session = cluster.connect()
    keyspace = f"pyc_faults_{os.getpid()}_{int(time.time())}"
    session.execute(
        f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    session.execute(f"CREATE TABLE {keyspace}.events (id bigint PRIMARY KEY, payload text)")
    source, checkpoint = tmp_path / "in", tmp_path / "checkpoint"
    source.mkdir()

    def start(**trigger):
        return (
            spark.readStream.schema("id LONG, payload STRING")
            .option("maxFilesPerTrigger", 1)
            .json(str(source))
            .writeStream.format("pycassandra")
            .options(host=FAULTS_HOST, keyspace=keyspace, table="events", max_retries="1", request_timeout_ms="2000")
            .option("checkpointLocation", str(checkpoint))
            .trigger(**trigger)
            .start()
        )

    for index in range(3):
        write_file(source, index)
    query = start(processingTime="500 milliseconds")
    deadline = time.time() + 120
    while count_and_sum(session, keyspace)[0] < 2 * ROWS_PER_FILE:
        assert time.time() < deadline and query.isActive, f"the stream did not start writing: {query.exception()}"
        time.sleep(0.5)

    cluster.shutdown()
    node("stop")
    for index in range(3, 6):
        write_file(source, index)
    time.sleep(3)
    node("start")
    for index in range(6, FILES):
        write_file(source, index)

    # The query either failed on the stopped node or retried through it; give it time to do either.
    deadline = time.time() + 60
    cluster = Cluster([FAULTS_HOST], protocol_version=5)
    session = cluster.connect()
    while query.isActive and count_and_sum(session, keyspace)[0] < FILES * ROWS_PER_FILE and time.time() < deadline:
        time.sleep(1)
    failed = query.exception()
    query.stop()
    if failed is not None:
        assert "127.0.0.15" in str(failed) or "events" in str(failed), f"an unclear failure: {str(failed)[-2000:]}"

    restarted = start(availableNow=True)
    restarted.awaitTermination(180)
    assert restarted.exception() is None, str(restarted.exception())[-2000:]
    total = FILES * ROWS_PER_FILE
    assert count_and_sum(session, keyspace) == (total, total * (total - 1) // 2), "the table equals the source"
    session.execute(f"DROP KEYSPACE {keyspace}")
    cluster.shutdown()
