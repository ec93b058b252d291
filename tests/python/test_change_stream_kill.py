"""A change stream SIGKILLed while a micro-batch's tasks run, then resumed from
its checkpoint: every change arrives exactly once in a parquet sink (Spark's
exactly-once file sink). The killed query runs in a process of its own
(change_stream_job.py); its tasks wait on a file this test never creates, so
the kill lands inside the micro-batch by construction, not by timing.

Here without cdc_delete_consumed, on the shared cdc node; with it, on a node
of its own (test_change_stream_faults.py runs ``resumes_exactly_once``
there): a stream that deletes what it committed must be the only consumer of
its ``cdc_raw``, and on the shared node it would delete segments other
tests' streams have not read yet."""

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
from test_change_stream import (  # noqa: F401 (fixtures)
    DEADLINE_SECONDS,
    cdc_cql,
    cdc_keyspace,
    sink_count,
    stream_options,
    wait_for_first_batch,
)

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


def test_a_query_killed_during_a_micro_batch_resumes_with_each_change_exactly_once(
    spark,
    cdc_cql,  # noqa: F811 (a fixture)
    cdc_keyspace,  # noqa: F811 (a fixture)
    tmp_path,
):
    resumes_exactly_once(spark, cdc_cql, cdc_keyspace, stream_options(cdc_keyspace), tmp_path)


def resumes_exactly_once(spark, cql, keyspace: str, stream: dict, tmp_path) -> None:
    """The test: the stream ``stream`` of ``keyspace.t`` (from ``latest``),
    killed during a micro-batch and resumed, has every change once."""
    spark.dataSource.register(RecordingChangeSource)
    cql.execute(f"CREATE TABLE {keyspace}.t (id int PRIMARY KEY, v text) WITH cdc = true")
    insert = cql.prepare(f"INSERT INTO {keyspace}.t (id, v) VALUES (?, ?)")
    out, checkpoint, calls = str(tmp_path / "out"), str(tmp_path / "checkpoint"), tmp_path / "calls"
    calls.mkdir()
    options = {**stream, "calls_dir": str(calls)}
    # Rows of 3 KB: the second run's backlog spans more than one 1 MiB segment,
    # so its commits have closed segments to delete.
    value = "x" * 3000

    def write(ids) -> None:
        for i in ids:
            cql.execute(insert, (i, value))

    def run_here_until(expected: int, first_writes=None) -> None:
        query = start_query(spark, options, out, checkpoint)

        def sink_has_all() -> bool:
            query.processAllAvailable()
            return sink_count(spark, out) >= expected

        try:
            if first_writes is not None:
                # From `latest`: what is written once the first batch is planned.
                wait_for_first_batch(query)
                write(first_writes)
            wait_until(sink_has_all, f"{expected} rows in the sink")
        finally:
            query.stop()

    run_here_until(50, range(50))
    committed = batch_ids(os.path.join(checkpoint, "commits"))

    write(range(50, 500))
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
    assert sink_count(spark, out) == 50

    run_here_until(500)
    rows = spark.read.parquet(out).collect()
    assert sorted(r["id"] for r in rows) == list(range(500)), "each change exactly once"
    provenance = [(r["_cdc_segment"], r["_cdc_position"], r["_cdc_batch_seq_no"]) for r in rows]
    assert len(set(provenance)) == 500, "no change repeated by segment and position"
    # The killed batch was run again, from its logged offsets.
    assert planned <= batch_ids(os.path.join(checkpoint, "commits"))
