"""Change streams in cluster mode, on the three-node cdc cluster (profiles
``cdc-cluster1..3``, RF=3) with a change agent beside each node (HTTPS, a
certificate of a CA made here, a bearer token).

1. Decoding throughput, without Spark: the same byte range of one node's
   log read by the change job from its ``cdc_raw`` (local mode, the peer)
   and through its agent (plan, fetch the piece's bytes over HTTPS, decode:
   what a cluster task does); events/s of each and their ratio, per repeat.
2. A steady write load with a Spark stream (``cdc_agents``, foreachBatch):
   ``--rate`` writes/s for ``--seconds``; every 5 s the agents' ``cdc_raw``
   usage and the stream consumer's lag; at the end the events received
   (each write three times), the lag from a write being sent to its first
   copy reaching foreachBatch (p50, p95, max), and the most each ``cdc_raw``
   held (bounded while the consumer commits and the agents delete).

usage: .venv/bin/python bench/cdc_agent_bench.py [--rows 60000] [--repeats 3] [--rate 200] [--seconds 600]
The nodes are started if they are not running, and stopped only with --stop.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPT = os.path.join(ROOT, "scripts", "cassandra")
PROFILES = ("cdc-cluster1", "cdc-cluster2", "cdc-cluster3")
HOSTS = ("127.0.0.21", "127.0.0.22", "127.0.0.23")
CQL_PORT, AGENT_PORT = 9044, 8766
TOKEN = uuid.uuid4().hex
SAMPLE_SECONDS = 5


def node_dir(profile: str) -> str:
    out = subprocess.run([SCRIPT, "env", "--profile", profile], check=True, capture_output=True, text=True).stdout
    return next(line.split("=", 1)[1] for line in out.splitlines() if line.startswith("PYCASSANDRA_NODE_DIR="))


def certificates(directory: str) -> tuple:
    """A CA, and an agent certificate for the three addresses signed by it."""
    paths = [os.path.join(directory, n) for n in ("ca.key", "ca.pem", "agent.key", "agent.csr", "agent.pem")]
    ca_key, ca, key, csr, cert = paths
    san = os.path.join(directory, "san.cnf")
    with open(san, "w") as f:
        f.write("subjectAltName=" + ",".join(f"IP:{h}" for h in HOSTS) + "\n")
    for command in (
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "1", "-subj", "/CN=ca"],
        ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=agent"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "1", "-out", cert,
         "-extfile", san],
    ):  # fmt: skip
        subprocess.run(["openssl", *command], check=True, capture_output=True)
    return ca, cert, key


def start_agents(directory: str, cert: str, key: str) -> list:
    processes = []
    for index, (profile, host) in enumerate(zip(PROFILES, HOSTS)):
        command = [sys.executable, "-m", "pycassandra.agent", "--cdc-raw", os.path.join(node_dir(profile), "cdc_raw"),
                   "--state-dir", os.path.join(directory, f"state{index}"), "--listen", f"{host}:{AGENT_PORT}",
                   "--tls-cert", cert, "--tls-key", key, "--host", host, "--port", str(CQL_PORT)]  # fmt: skip
        log = open(os.path.join(directory, f"agent{index}.log"), "w")
        env = {**os.environ, "PYCASSANDRA_AGENT_TOKEN": TOKEN}
        processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env))
    return processes


def wait_for(clients: list) -> None:
    from pycassandra.exceptions import ChangeAgentUnreachableError

    deadline = time.monotonic() + 120
    for client in clients:
        while True:
            try:
                client.node()
                break
            except ChangeAgentUnreachableError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def write_rows(session, table: str, rows: int, payload: int) -> None:
    from cassandra.concurrent import execute_concurrent_with_args

    insert = session.prepare(f"INSERT INTO {table} (id, v) VALUES (?, ?)")
    execute_concurrent_with_args(session, insert, [(i, "x" * payload) for i in range(rows)], concurrency=64)


def throughput(options: dict, client, ca: str, rows: int, session, table: str, repeats: int) -> list:
    """Per repeat: (events, direct seconds, agent seconds) over one written range of node 1's log."""
    from pycassandra import _native

    local = _native.ChangeJob({**options, "cdc_raw_directory": os.path.join(node_dir(PROFILES[0]), "cdc_raw")})
    agent_options = {"cdc_agents": client.url, "cdc_agent_token": TOKEN, "cdc_agent_ca": ca, "cdc_consumer": "bench"}
    cluster = _native.ChangeJob({**options, **agent_options})
    target = local.schema()
    host = client.node()["host_id"]
    results = []
    for _ in range(repeats):
        start = client.latest()
        write_rows(session, table, rows, 100)
        time.sleep(0.5)
        end = client.latest()
        pieces = client.pieces(start, end)
        began = time.perf_counter()
        direct = sum(local.read(a, b, target).num_rows for a, b in pieces)
        direct_seconds = time.perf_counter() - began
        began = time.perf_counter()
        via_agent = 0
        for a, b in client.pieces(start, end):
            name, data, limit = client.segment(a[0], b)
            via_agent += cluster.read_piece(host, name, data, limit, a, b, target).num_rows
        agent_seconds = time.perf_counter() - began
        assert direct == via_agent, f"the two paths read {direct} and {via_agent} events"
        results.append((direct, direct_seconds, agent_seconds))
    return results


def steady_load(options: dict, clients: list, session, table: str, rate: float, seconds: float) -> dict:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]").appName("pycassandra-cdc-agents")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate()
    )  # fmt: skip
    spark.sparkContext.setLogLevel("WARN")
    arrived: dict = {}
    copies = [0]

    def record(batch, _batch_id) -> None:
        ids = [row["id"] for row in batch.select("id").collect()]
        now = time.monotonic()
        copies[0] += len(ids)
        for i in ids:
            arrived.setdefault(i, now)

    insert = session.prepare(f"INSERT INTO {table} (id, v) VALUES (?, ?)")
    sent: dict = {}
    wrote = [0.0]

    def writer() -> None:
        began, count = time.monotonic(), int(rate * seconds)
        for i in range(count):
            pause = began + i / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            sent[i] = time.monotonic()
            session.execute(insert, (i, "x" * 500))
        # Paced by count: a writer that falls behind its rate runs longer.
        wrote[0] = time.monotonic() - began

    query = spark.readStream.format("pycassandra").options(**options).load().writeStream.foreachBatch(record).start()
    samples = []
    try:
        while not any(p["sources"][0]["endOffset"] for p in query.recentProgress):
            time.sleep(0.1)
        thread = threading.Thread(target=writer, daemon=True)
        load_began = time.monotonic()
        thread.start()
        while thread.is_alive():
            time.sleep(SAMPLE_SECONDS)
            usage = [c.node()["usage_bytes"] for c in clients]
            lag = [max((x["lag_bytes"] for x in c.consumers() if x["id"] == options["cdc_consumer"]), default=0)
                   for c in clients]  # fmt: skip
            samples.append((usage, lag, time.monotonic() - load_began))
        deadline = time.monotonic() + 120
        while copies[0] < 3 * len(sent) and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        query.stop()
        spark.stop()
    latencies = sorted((arrived[i] - sent[i]) * 1000 for i in sent if i in arrived)
    return {"written": len(sent), "seconds": wrote[0], "copies": copies[0], "latencies": latencies, "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=60_000, help="rows per throughput repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rate", type=float, default=200.0, help="writes per second in the steady load")
    parser.add_argument("--seconds", type=float, default=600.0, help="length of the steady load")
    parser.add_argument("--stop", action="store_true", help="stop the three nodes at the end")
    args = parser.parse_args()
    from cassandra.cluster import Cluster

    from pycassandra._agent_client import AgentClient

    for profile in PROFILES:
        subprocess.run([SCRIPT, "start", "--profile", profile], check=True)
    directory = tempfile.mkdtemp(prefix="pycassandra-agent-bench-")
    ca, cert, key = certificates(directory)
    agents = start_agents(directory, cert, key)
    clients = [AgentClient(f"https://{h}:{AGENT_PORT}", TOKEN, ca) for h in HOSTS]
    cluster = Cluster([HOSTS[0]], port=CQL_PORT, protocol_version=5)
    session = cluster.connect()
    keyspace = f"pyc_bench_agents_{uuid.uuid4().hex[:8]}"
    try:
        wait_for(clients)
        session.execute(
            f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 3}}"
        )
        options = {"host": HOSTS[0], "port": str(CQL_PORT), "keyspace": keyspace, "starting_position": "latest"}
        for name in ("drain", "steady"):
            session.execute(f"CREATE TABLE {keyspace}.{name} (id int PRIMARY KEY, v text) WITH cdc = true")
        drain = throughput({**options, "table": "drain"}, clients[0], ca, args.rows, session,
                           f"{keyspace}.drain", args.repeats)  # fmt: skip
        stream = {**options, "table": "steady", "cdc_agents": ",".join(c.url for c in clients),
                  "cdc_agent_token": TOKEN, "cdc_agent_ca": ca, "cdc_consumer": "bench-steady"}  # fmt: skip
        steady = steady_load(stream, clients, session, f"{keyspace}.steady", args.rate, args.seconds)
    finally:
        session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
        cluster.shutdown()
        for process in agents:
            process.terminate()
            process.wait(timeout=30)
        if args.stop:
            for profile in PROFILES:
                subprocess.run([SCRIPT, "stop", "--profile", profile], check=False)

    print("\n## 1. decoding one node's log: direct from cdc_raw (peer) and through its agent over HTTPS\n")
    print("| repeat | events | direct events/s | agent events/s | agent / direct |\n|---|---|---|---|---|")
    for n, (events, direct, agent) in enumerate(drain, 1):
        print(f"| {n} | {events} | {events / direct:,.0f} | {events / agent:,.0f} | {direct / agent:.2f}x |")
    ratios = [d / a for _, d, a in drain]
    print(f"\nmedian agent / direct: {statistics.median(ratios):.2f}x")
    latencies, samples = steady["latencies"], steady["samples"]
    print(f"\n## 2. steady load: {args.rate:g} writes/s (500 B) for {args.seconds:g} s, RF=3, Spark stream on agents\n")
    written, took = steady["written"], max(steady["seconds"], 1e-9)
    print(f"written {written} in {took:.0f} s ({written / took:.0f}/s), copies received {steady['copies']} "
          f"(expected {3 * written}), writes seen {len(latencies)}")  # fmt: skip
    if latencies:
        p = lambda share: latencies[min(len(latencies) - 1, int(share * len(latencies)))]  # noqa: E731
        print(
            f"write to first copy in foreachBatch: p50 {p(0.5):.0f} ms, p95 {p(0.95):.0f} ms, max {latencies[-1]:.0f} ms"
        )
    if samples:
        most = [max(s[0][i] for s in samples) / 2**20 for i in range(3)]
        last = [samples[-1][0][i] / 2**20 for i in range(3)]
        lag = [max(s[1][i] for s in samples) / 2**20 for i in range(3)]
        print("cdc_raw MiB per node, most held: " + ", ".join(f"{m:.1f}" for m in most)
              + "; at the end: " + ", ".join(f"{m:.1f}" for m in last))  # fmt: skip
        print("consumer lag MiB per node, most: " + ", ".join(f"{m:.1f}" for m in lag))
        # Bounded means no growth over the run: the most held in each 2 minutes of it.
        for window in range(int(samples[-1][2] // 120) + 1):
            part = [s for s in samples if window * 120 <= s[2] < (window + 1) * 120]
            if part:
                held = ", ".join(f"{max(s[0][i] for s in part) / 2**20:.1f}" for i in range(3))
                print(f"  cdc_raw MiB most held, {window * 120}-{(window + 1) * 120} s: {held}")


if __name__ == "__main__":
    main()
