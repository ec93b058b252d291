"""The PySpark source through Spark Connect: `SparkSession.builder.remote("local[2]")`.

A local Connect session cannot live in the process of the classic session of
conftest.py (see connect_probe.py), so one subprocess runs every scenario
against a keyspace made here, and each test checks one scenario's outcome and
what landed in the table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

# pyspark[connect] needs grpcio (requirements/*.txt): without it these tests fail, never skip.
import grpc  # noqa: F401
import pytest
from conftest import NODE_HOST, NODE_PORT

PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "connect_probe.py")


@pytest.fixture(scope="module")
def connect_run(cql, tmp_path_factory):
    keyspace = f"pyc_connect_{uuid.uuid4().hex}"
    cql.execute(f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
    cql.execute(f"CREATE TABLE {keyspace}.users (id int PRIMARY KEY, v int)")
    cql.execute(f"CREATE TABLE {keyspace}.events (id uuid PRIMARY KEY, n int)")
    workdir = tmp_path_factory.mktemp("connect")
    results_path = workdir / "results.json"
    env = dict(os.environ)
    # PySpark's own switch for a local Connect server on an ephemeral port, found
    # by the client through the in-process session: runs of this suite never clash on 15002.
    env["SPARK_TESTING"] = "1"
    env.pop("SPARK_REMOTE", None)
    run = subprocess.run(
        [sys.executable, PROBE, str(results_path), NODE_HOST, str(NODE_PORT), keyspace, str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if not results_path.exists():
        pytest.fail(
            f"the Connect probe wrote no results (exit {run.returncode}):\n{run.stdout[-4000:]}\n{run.stderr[-8000:]}"
        )
    results = json.loads(results_path.read_text())
    yield results, keyspace
    cql.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")


def outcome(results, name):
    result = results.get(name)
    assert result is not None, f"scenario {name} did not run: {sorted(results)}"
    assert result["ok"], result["detail"]
    return result["detail"]


def test_the_session_is_a_connect_session(connect_run):
    results, _ = connect_run
    assert outcome(results, "session") == "pyspark.sql.connect.session"


def test_a_batch_write_through_connect_lands_every_row(connect_run, cql):
    results, keyspace = connect_run
    outcome(results, "batch_write")
    rows = {(r.id, r.v) for r in cql.execute(f"SELECT id, v FROM {keyspace}.users")}
    assert rows == {(i, i * 10) for i in range(20)}


def test_a_read_through_connect_pushes_its_filter_to_the_node(connect_run):
    results, _ = connect_run
    detail = json.loads(outcome(results, "read_pushdown"))
    assert detail["filter option"] == [15, 16, 17, 18, 19]


def test_a_stream_through_connect_lands_every_row(connect_run, cql):
    results, keyspace = connect_run
    outcome(results, "stream_write")
    assert cql.execute(f"SELECT count(*) FROM {keyspace}.events").one()[0] == 200


def test_pycassandras_error_reaches_the_connect_client(connect_run):
    results, _ = connect_run
    messages = json.loads(outcome(results, "errors"))
    assert "row 0, column 'id' (uuid): Invalid UUID" in messages["bad value"], messages["bad value"]
    assert "unknown option 'wher'; did you mean 'where'?" in messages["unknown option"], messages["unknown option"]


def test_the_source_is_found_without_register(connect_run):
    results, _ = connect_run
    outcome(results, "auto_registration")


def test_a_lookup_through_connect_joins_by_key(connect_run):
    results, _ = connect_run
    assert json.loads(outcome(results, "lookup")) == [["a", 30], ["b", 40], ["miss", None]]
