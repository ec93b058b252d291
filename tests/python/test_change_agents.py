"""Change streams in cluster mode: the three-node cluster of profiles
``cdc-cluster1..3`` (127.0.0.21-23, CQL 9044, cdc on every node; not resident:
this module resets, starts and stops them, and nothing else uses them), a
change agent beside each node (``python -m pycassandra.agent``, HTTPS with a
certificate of a CA this module makes, and a bearer token), and streams that
read every node through them (``cdc_agents``), in a real SparkSession.
scripts/test runs this module once, with the newest PySpark (it takes about
5 minutes).

- each write at RF=3 arrives three times, once from each node, with one
  ``_cdc_change_id``; ``pycassandra.cdc.dedup`` keeps one;
- a node stopped during writes: the stream goes on; the node's copies arrive
  after it returns (hints), and the union of the replicas equals the table;
- an agent stopped: its node's offset waits; restarted on its state, it knows
  the stream's commit, and the stream resumes there;
- consumers' commits make the agents delete segments; a second consumer holds
  them until it commits or is evicted;
- with `cdc_agent_port`, the agents are found beside every node of the ring;
- the token: a wrong one and plain HTTP are refused, and it shows in no log,
  error or plan.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Dict, List

import pytest
from cql_sessions import cql_session, wait_for_ring
from test_change_stream import DEADLINE_SECONDS, ROOT, cdc_raw_directory, wait_for_first_batch

from pycassandra._agent_client import AgentClient
from pycassandra.cdc import dedup
from pycassandra.exceptions import ChangeAgentError, ChangeAgentUnreachableError

PROFILES = ("cdc-cluster1", "cdc-cluster2", "cdc-cluster3")
HOSTS = ("127.0.0.21", "127.0.0.22", "127.0.0.23")
CQL_PORT = 9044
AGENT_PORT = 8765
SCRIPT = os.path.join(ROOT, "scripts", "cassandra")
TOKEN = f"agent-token-{uuid.uuid4().hex}"


def node(command: str, profile: str) -> None:
    result = subprocess.run([SCRIPT, command, "--profile", profile], capture_output=True, text=True)
    assert result.returncode == 0, f"scripts/cassandra {command} --profile {profile}: {result.stdout}{result.stderr}"


def openssl(*args: str) -> None:
    result = subprocess.run(["openssl", *args], capture_output=True, text=True)
    assert result.returncode == 0, f"openssl {' '.join(args)}: {result.stderr}"


@dataclass
class Certificates:
    ca: str
    cert: str
    key: str


def make_certificates(directory) -> Certificates:
    """A CA of this module's own and one agent certificate for the three addresses."""
    ca_key, ca, key, csr, cert = (
        str(directory / n) for n in ("ca.key", "ca.pem", "agent.key", "agent.csr", "agent.pem")
    )
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
            "-subj", "/CN=pycassandra agent test CA")  # fmt: skip
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=agent")
    extensions = directory / "san.cnf"
    extensions.write_text("subjectAltName=" + ",".join(f"IP:{host}" for host in HOSTS) + "\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
            "-out", cert, "-extfile", str(extensions))  # fmt: skip
    return Certificates(ca, cert, key)


class Agent:
    """One agent process beside one node; its output goes to a log file."""

    def __init__(self, index: int, certificates: Certificates, state_dir: str, log_path: str):
        self.index, self.host = index, HOSTS[index]
        self.url = f"https://{self.host}:{AGENT_PORT}"
        self.certificates, self.state_dir, self.log_path = certificates, state_dir, log_path
        self.process = None

    def start(self) -> None:
        log = open(self.log_path, "a")
        command = [sys.executable, "-m", "pycassandra.agent", "--cdc-raw", cdc_raw_directory(PROFILES[self.index]),
                   "--state-dir", self.state_dir, "--listen", f"{self.host}:{AGENT_PORT}",
                   "--tls-cert", self.certificates.cert, "--tls-key", self.certificates.key,
                   "--host", self.host, "--port", str(CQL_PORT)]  # fmt: skip
        environment = {**os.environ, "PYCASSANDRA_AGENT_TOKEN": TOKEN, "RUST_LOG": "info"}
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            try:
                self.client().node()
                return
            except ChangeAgentUnreachableError:
                assert self.process.poll() is None, f"agent {self.index + 1} exited: {self.log()[-2000:]}"
                assert time.monotonic() < deadline, f"agent {self.index + 1} did not answer: {self.log()[-2000:]}"
                time.sleep(0.2)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(how)
            self.process.wait(timeout=30)
        self.process = None

    def client(self) -> AgentClient:
        return AgentClient(self.url, TOKEN, self.certificates.ca)

    def log(self) -> str:
        with open(self.log_path) as log:
            return log.read()


@pytest.fixture(scope="module")
def cluster():
    for profile in PROFILES:
        node("reset", profile)
    try:
        # In order: cdc-cluster1 is the seed the others join.
        for profile in PROFILES:
            node("start", profile)
        wait_for_ring(HOSTS, CQL_PORT, DEADLINE_SECONDS)
        yield
    finally:
        for profile in PROFILES:
            node("stop", profile)


@pytest.fixture(scope="module")
def agents(cluster, tmp_path_factory) -> List[Agent]:
    directory = tmp_path_factory.mktemp("agents")
    certificates = make_certificates(directory)
    started = [Agent(i, certificates, str(directory / f"state{i + 1}"), str(directory / f"agent{i + 1}.log"))
               for i in range(3)]  # fmt: skip
    try:
        for agent in started:
            agent.start()
        yield started
    finally:
        for agent in started:
            agent.stop()


@pytest.fixture(autouse=True)
def evict_consumers(request):
    """This module is the agents' only user: a test's streams stop, their
    consumers stay registered (a stopped stream may resume) and would hold
    the next test's segments; each test evicts what it registered."""
    yield
    if "agents" not in request.fixturenames:
        return
    for agent in request.getfixturevalue("agents"):
        for consumer in agent.client().consumers():
            agent.client().evict(consumer["id"])


@pytest.fixture(scope="module")
def cql(cluster):
    with cql_session(HOSTS[0], CQL_PORT, "scripts/cassandra start --profile cdc-cluster1") as session:
        yield session


@pytest.fixture
def keyspace(cql):
    name = f"pyc_test_{uuid.uuid4().hex}"
    cql.execute(f"CREATE KEYSPACE {name} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 3}}")
    cql.execute(f"CREATE TABLE {name}.t (id int PRIMARY KEY, v text) WITH cdc = true")
    try:
        yield name
    finally:
        cql.execute(f"DROP KEYSPACE IF EXISTS {name}")


def cluster_options(keyspace: str, agents: List[Agent], consumer: str, **extra: str) -> dict:
    options = {
        "host": HOSTS[0],
        "port": str(CQL_PORT),
        "keyspace": keyspace,
        "table": "t",
        "cdc_agents": ",".join(agent.url for agent in agents),
        "cdc_agent_token": TOKEN,
        "cdc_agent_ca": agents[0].certificates.ca,
        "cdc_consumer": consumer,
        "starting_position": "latest",
    }
    options.update(extra)
    return options


@contextmanager
def memory_query(spark, options: dict, name: str, deduplicated: bool = False):
    events = spark.readStream.format("pycassandra").options(**options).load()
    if deduplicated:
        events = dedup(events, "10 minutes")
    query = events.writeStream.format("memory").queryName(name).start()
    try:
        wait_for_first_batch(query)
        yield query
    finally:
        query.stop()


def events_until(spark, query, table: str, done, what: str):
    """Processes until ``done(rows)`` holds; the rows."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        query.processAllAvailable()
        rows = spark.sql(f"SELECT * FROM {table}").collect()
        if done(rows):
            return rows
        assert time.monotonic() < deadline, f"{what}: not within {DEADLINE_SECONDS} s ({len(rows)} events)"
        time.sleep(0.5)


def write(cql, keyspace: str, ids, consistency: str = "QUORUM") -> None:
    from cassandra import ConsistencyLevel

    insert = cql.prepare(f"INSERT INTO {keyspace}.t (id, v) VALUES (?, ?)")
    insert.consistency_level = getattr(ConsistencyLevel, consistency)
    for i in ids:
        cql.execute(insert, (i, f"value-{i}"))


def copies_by_change(rows) -> Dict[bytes, set]:
    nodes: Dict[bytes, set] = {}
    for row in rows:
        nodes.setdefault(bytes(row["_cdc_change_id"]), set()).add(row["_cdc_node"])
    return nodes


def host_ids(agents: List[Agent]) -> set:
    return {agent.client().node()["host_id"] for agent in agents}


def test_each_write_arrives_once_per_replica_with_one_change_id_and_once_after_dedup(spark, cql, agents, keyspace):
    written = range(200)
    with (
        memory_query(spark, cluster_options(keyspace, agents, "copies"), "agent_copies") as copies,
        memory_query(
            spark, cluster_options(keyspace, agents, "deduplicated"), "agent_dedup", deduplicated=True
        ) as deduplicated,
    ):
        write(cql, keyspace, written)
        rows = events_until(spark, copies, "agent_copies", lambda r: len(r) >= 3 * len(written), "three copies")
        one_each = events_until(spark, deduplicated, "agent_dedup", lambda r: len(r) >= len(written), "dedup")
        time.sleep(1)
        copies.processAllAvailable()
        deduplicated.processAllAvailable()
        rows = spark.sql("SELECT * FROM agent_copies").collect()
        one_each = spark.sql("SELECT * FROM agent_dedup").collect()
    assert len(rows) == 3 * len(written), "no copy more than one per replica"
    by_change = copies_by_change(rows)
    assert len(by_change) == len(written), "one change id per write, the same on the three replicas"
    nodes = host_ids(agents)
    assert all(found == nodes for found in by_change.values()), "each write once from each node"
    assert sorted((r["id"], r["v"]) for r in one_each) == [(i, f"value-{i}") for i in written]


def test_a_node_stopped_during_writes_sends_its_copies_after_it_returns(spark, cql, agents, keyspace):
    before, during = range(100), range(100, 200)
    with memory_query(spark, cluster_options(keyspace, agents, "node-down"), "agent_node_down") as query:
        write(cql, keyspace, before)
        events_until(spark, query, "agent_node_down", lambda r: len(r) >= 300, "copies before the stop")
        node("stop", PROFILES[2])
        try:
            write(cql, keyspace, during)
            # The stream goes on with the two live nodes (their agent answers; the stopped node's too).
            rows = events_until(spark, query, "agent_node_down", lambda r: len(r) >= 300 + 200, "two live copies")
            assert {r["id"] for r in rows} == set(before) | set(during)
        finally:
            node("start", PROFILES[2])
        # Hints bring the missed writes to the restarted node, whose log then has them too.
        rows = events_until(spark, query, "agent_node_down", lambda r: len(r) >= 600, "the returned node's copies")
    by_change = copies_by_change(rows)
    assert len(rows) == 600 and len(by_change) == 200, "every write three times, none more"
    stored = {(r.id, r.v) for r in cql.execute(f"SELECT id, v FROM {keyspace}.t")}
    assert {(r["id"], r["v"]) for r in rows} == stored, "the union of the replicas equals the table"


def test_an_agent_killed_keeps_the_commits_and_the_stream_resumes_where_it_was(spark, cql, agents, keyspace):
    restarted = agents[1]
    with memory_query(spark, cluster_options(keyspace, agents, "agent-restart"), "agent_restart") as query:
        write(cql, keyspace, range(50))
        events_until(spark, query, "agent_restart", lambda r: len(r) >= 150, "the first copies")
        # Its first commit on this agent comes with a later batch's planning: wait for it.
        deadline = time.monotonic() + DEADLINE_SECONDS
        while "agent-restart" not in {c["id"] for c in restarted.client().consumers()}:
            assert time.monotonic() < deadline, "the stream never committed on the agent to be killed"
            query.processAllAvailable()
            time.sleep(0.2)
        # SIGKILL: no shutdown path runs, so only what the agent made durable at each commit is left.
        restarted.stop(signal.SIGKILL)
        try:
            write(cql, keyspace, range(50, 100))
            # Its node's offset waits; the other two go on.
            rows = events_until(spark, query, "agent_restart", lambda r: len(r) >= 250, "two agents' copies")
            assert len(rows) == 250
            committed = {c["id"]: c["committed"] for c in agents[0].client().consumers()}
            assert "agent-restart" in committed
        finally:
            restarted.start()
        kept = {c["id"]: c["committed"] for c in restarted.client().consumers()}
        assert "agent-restart" in kept, f"the agent's state survived its kill: {kept}"
        rows = events_until(spark, query, "agent_restart", lambda r: len(r) >= 300, "the restarted agent's copies")
    assert len(rows) == 300 and all(len(n) == 3 for n in copies_by_change(rows).values())


def test_a_node_first_seen_at_a_restart_starts_where_starting_position_says(spark, cql, agents, keyspace, tmp_path):
    """Restarted from its checkpoint with a third agent listed (as a node added
    to the ring is found with ``cdc_agent_port``): the two known nodes resume
    from their checkpointed offsets, the new one has none and starts at
    ``starting_position`` (latest)."""
    from test_change_stream import sink_count

    out, checkpoint = str(tmp_path / "out"), str(tmp_path / "checkpoint")

    def run(listed: List[Agent], expected: int, what: str, writes=None) -> None:
        events = spark.readStream.format("pycassandra").options(**cluster_options(keyspace, listed, "first-seen"))
        query = (
            events.load()
            .select("id", "_cdc_node")
            .writeStream.format("parquet")
            .option("path", out)
            .option("checkpointLocation", checkpoint)
            .start()
        )
        try:
            wait_for_first_batch(query)
            if writes is not None:
                write(cql, keyspace, writes, consistency="ALL")
            deadline = time.monotonic() + DEADLINE_SECONDS
            while (count := sink_count(spark, out)) < expected:
                assert time.monotonic() < deadline, f"{what}: not within {DEADLINE_SECONDS} s ({count} events)"
                query.processAllAvailable()
                time.sleep(0.5)
        finally:
            query.stop()

    first, third = agents[:2], agents[2]
    run(first, 2 * 50, "two nodes' copies", writes=range(50))
    # At ALL under group sync, so in every node's log before the restart plans.
    write(cql, keyspace, range(50, 80), consistency="ALL")
    run(agents, 2 * 80 + 3 * 20, "the known nodes' backlog and three copies after", writes=range(80, 100))
    rows = spark.read.parquet(out).collect()
    by_node: Dict[str, List[int]] = {}
    for row in rows:
        by_node.setdefault(row["_cdc_node"], []).append(row["id"])
    new_node = third.client().node()["host_id"]
    assert sorted(by_node[new_node]) == list(range(80, 100)), "the new node from latest: only what came after"
    for agent in first:
        known = agent.client().node()["host_id"]
        assert sorted(by_node[known]) == list(range(100)), "each known node resumed without a gap or a repeat"


def test_commits_delete_segments_once_every_consumer_is_past_them(spark, cql, agents, keyspace):
    client = agents[0].client()
    # Another consumer, registered where the node's log is now: it holds every later segment.
    holder = f"holder-{uuid.uuid4().hex[:8]}"
    client.commit(holder, client.latest())
    with memory_query(spark, cluster_options(keyspace, agents, "deleting"), "agent_deleting") as query:
        # 3 MB of rows: three 1 MiB segments and more on each node.
        insert = cql.prepare(f"INSERT INTO {keyspace}.t (id, v) VALUES (?, ?)")
        for i in range(1500):
            cql.execute(insert, (i, "x" * 2000))
        events_until(spark, query, "agent_deleting", lambda r: len(r) >= 4500, "every copy")
        time.sleep(0.5)
        query.processAllAvailable()  # one more batch: its start commits the last one's end
        lag = {c["id"]: c for c in client.consumers()}
        assert lag[holder]["lag_segments"] >= 3, f"the holder has not consumed: {lag}"
        segments_held = client.node()["segments"]
        evicted = client.evict(holder)
        assert evicted["deleted"], f"evicting the holder frees the segments the stream has consumed: {evicted}"
        assert client.node()["segments"] < segments_held
        assert holder not in {c["id"] for c in client.consumers()}
    with pytest.raises(ChangeAgentError, match="HTTP 404"):
        client.evict(holder)


def test_a_wrong_token_and_plain_http_are_refused_and_the_token_shows_nowhere(spark, agents, keyspace):
    agent = agents[0]
    wrong = AgentClient(agent.url, "not-the-token", agent.certificates.ca)
    with pytest.raises(ChangeAgentError, match="HTTP 401"):
        wrong.node()
    plain = urllib.request.Request(
        f"http://{agent.host}:{AGENT_PORT}/v1/node", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    # The TLS port answers plain HTTP with a TLS alert, not an HTTP response.
    with pytest.raises((urllib.error.URLError, OSError, http.client.HTTPException)):
        urllib.request.urlopen(plain, timeout=10).read()
    # A certificate from another CA is not trusted either.
    untrusted = ssl.create_default_context()
    with pytest.raises((urllib.error.URLError, ssl.SSLError)):
        urllib.request.urlopen(urllib.request.Request(agent.url + "/v1/node"), context=untrusted, timeout=10)

    options = cluster_options(keyspace, agents, "secrets")
    plan = spark.readStream.format("pycassandra").options(**options).load()
    explained = plan._jdf.queryExecution().toString()
    assert TOKEN not in explained
    # A wrong token fails the query with the agent's refusal, not the token.
    bad = cluster_options(keyspace, agents, "secrets", cdc_agent_token="wrong-" + TOKEN[:8])
    query = spark.readStream.format("pycassandra").options(**bad).load().writeStream.format("memory")
    query = query.queryName("agent_bad_token").start()
    try:
        with pytest.raises(Exception) as failure:
            query.processAllAvailable()
    finally:
        query.stop()
    assert "401" in str(failure.value) and TOKEN not in str(failure.value)
    for each in agents:
        assert TOKEN not in each.log(), "the agent logs no token"
    # conftest sets the file before pycassandra is imported, and its handler creates it.
    with open(os.environ["PYCASSANDRA_LOG_FILE"]) as workers:
        assert TOKEN not in workers.read(), "no pycassandra log line of driver or workers holds the token"
    # Plain HTTP off loopback is refused at the agent's start.
    result = subprocess.run(
        [sys.executable, "-m", "pycassandra.agent", "--cdc-raw", cdc_raw_directory(PROFILES[0]), "--state-dir",
         os.path.dirname(agent.state_dir), "--listen", "0.0.0.0:0", "--host-id", str(uuid.uuid4())],
        env={**os.environ, "PYCASSANDRA_AGENT_TOKEN": TOKEN}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0 and "--tls-cert" in result.stderr and TOKEN not in result.stderr + result.stdout


def test_with_a_port_the_agents_are_found_beside_every_node_of_the_ring(agents):
    from pycassandra import _native

    job = _native.ChangeJob(
        {
            "host": HOSTS[0],
            "port": str(CQL_PORT),
            "keyspace": "system",
            "table": "local",
            "cdc_agent_port": str(AGENT_PORT),
            "cdc_agent_token": TOKEN,
            "cdc_consumer": "found",
        }
    )
    found = dict(job.agent_urls())
    served = {agent.client().node()["host_id"]: agent.url for agent in agents}
    assert found == served, "each node's host id with the agent on its own address"


def test_cluster_options_are_checked_before_anything_connects(spark):
    from pycassandra import _native
    from pycassandra.exceptions import ConfigError

    base = {"host": HOSTS[0], "keyspace": "ks", "table": "t", "cdc_agent_token": TOKEN, "cdc_consumer": "c"}
    cases = {
        "cdc_agents": {**base, "cdc_agents": "http://10.1.2.3:8765"},
        "cdc_raw_directory": {**base, "cdc_agents": "https://10.1.2.3:8765", "cdc_raw_directory": "/x"},
        "cdc_consumer": {**base, "cdc_agents": "https://10.1.2.3:8765", "cdc_consumer": "two words"},
        "cdc_delete_consumed": {**base, "cdc_agent_port": "8765", "cdc_delete_consumed": "true"},
    }
    for option, options in cases.items():
        with pytest.raises(ConfigError, match=option) as failure:
            _native.ChangeJob(options)
        assert TOKEN not in str(failure.value)
    missing = {k: v for k, v in base.items() if k != "cdc_agent_token"}
    with pytest.raises(ConfigError, match="cdc_agent_token"):
        _native.ChangeJob({**missing, "cdc_agents": "https://10.1.2.3:8765"})
    job = _native.ChangeJob({**base, "cdc_agents": "https://10.1.2.3:8765"})
    assert TOKEN not in repr(job) and "10.1.2.3" in repr(job)
    assert json.loads(json.dumps(job.agent_settings()))["urls"] == ["https://10.1.2.3:8765"]
