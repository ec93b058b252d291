"""A change stream SIGKILLed while a micro-batch's tasks run, then resumed from
its checkpoint: every change arrives exactly once in a parquet sink (Spark's
exactly-once file sink), with and without cdc_delete_consumed. The killed
query runs in a process of its own (change_stream_job.py); its tasks wait on
a file this test never creates, so the kill lands inside the micro-batch by
construction, not by timing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from change_stream_job import start_query
from change_stream_probe import RecordingChangeSource
from test_change_stream import DEADLINE_SECONDS, cdc_cql, cdc_keyspace, stream_options  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))


def wait_until(condition, what: str, process=None, log=None) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(
                f"the stream's process ended (rc {process.returncode}) before {what}: {log.read_text()[-3000:]}"
            )
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE_SECONDS} s"
        time.sleep(0.2)


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for its parent counts)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def batch_ids(directory: str) -> set:
    return {int(name) for name in os.listdir(directory) if name.isdigit()} if os.path.isdir(directory) else set()


@pytest.mark.parametrize("delete_consumed", [False, True], ids=["kept", "deleted_after_commit"])
def test_a_query_killed_during_a_micro_batch_resumes_with_each_change_exactly_once(
    spark,
    cdc_cql,  # noqa: F811 (a fixture)
    cdc_keyspace,  # noqa: F811 (a fixture)
    tmp_path,
    delete_consumed,
):
    spark.dataSource.register(RecordingChangeSource)
    cdc_cql.execute(f"CREATE TABLE {cdc_keyspace}.t (id int PRIMARY KEY, v text) WITH cdc = true")
    insert = cdc_cql.prepare(f"INSERT INTO {cdc_keyspace}.t (id, v) VALUES (?, ?)")
    out, checkpoint, calls = str(tmp_path / "out"), str(tmp_path / "checkpoint"), tmp_path / "calls"
    calls.mkdir()
    extra = {"calls_dir": str(calls), "cdc_delete_consumed": "true"} if delete_consumed else {"calls_dir": str(calls)}
    options = stream_options(cdc_keyspace, **extra)
    # Rows of 3 KB: the second run's backlog spans more than one 1 MiB segment,
    # so its commits have closed segments to delete.
    value = "x" * 3000

    def run_here_until(expected: int) -> None:
        query = start_query(spark, options, out, checkpoint)

        def sink_has_all() -> bool:
            query.processAllAvailable()
            return spark.read.parquet(out).count() >= expected

        try:
            wait_until(sink_has_all, f"{expected} rows in the sink")
        finally:
            query.stop()

    for i in range(50):
        cdc_cql.execute(insert, (i, value))
    run_here_until(50)
    committed = batch_ids(os.path.join(checkpoint, "commits"))

    for i in range(50, 500):
        cdc_cql.execute(insert, (i, value))
    gate = tmp_path / "gate"
    reading = tmp_path / "gate.reading"
    options_path = tmp_path / "options.json"
    options_path.write_text(json.dumps({**options, "hold_reads_on": str(gate)}))
    log = tmp_path / "job.log"
    with open(log, "w") as output:
        job = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "change_stream_job.py"), str(options_path), out, checkpoint],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until(reading.exists, "task reading", job, log)
        planned = batch_ids(os.path.join(checkpoint, "offsets")) - committed
        assert planned and not (batch_ids(os.path.join(checkpoint, "commits")) - committed), "mid-batch"
        # Where the held batch starts: the end of the last committed one. Its
        # segment is still there, with or without cdc_delete_consumed.
        with open(os.path.join(checkpoint, "offsets", str(max(committed)))) as f:
            start = json.loads(f.read().splitlines()[-1])
        logs = [name for name in os.listdir(options["cdc_raw_directory"]) if name.endswith(".log")]
        assert any(name.endswith(f"-{start['segment']}.log") for name in logs), (start, "deleted before it was read")
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        job.wait()
    held = [int(pid) for pid in reading.read_text().split()]
    for pid in held:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    wait_until(lambda: all(gone(pid) for pid in held), "end of the held tasks")
    # The killed batch wrote nothing the sink committed.
    assert spark.read.parquet(out).count() == 50

    run_here_until(500)
    rows = spark.read.parquet(out).collect()
    assert sorted(r["id"] for r in rows) == list(range(500)), "each change exactly once"
    provenance = [(r["_cdc_segment"], r["_cdc_position"], r["_cdc_batch_seq_no"]) for r in rows]
    assert len(set(provenance)) == 500, "no change repeated by segment and position"
    # The killed batch was run again, from its logged offsets.
    assert planned <= batch_ids(os.path.join(checkpoint, "commits"))
