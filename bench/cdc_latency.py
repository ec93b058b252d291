"""End-to-end latency of a change stream: from a write being sent to
the moment its event reaches a Spark micro-batch (``foreachBatch`` on the
driver), at a steady write rate, against the node's ``commitlog_sync``.

One writer thread inserts one row at a time at ``--rate`` rows/s into a CDC
table and notes when it sent each insert (an event can be read before its
write is acknowledged: group sync rewrites the idx, then answers); beside it, either a change stream
(``spark.readStream.format("pycassandra")`` with the default trigger, which
plans the next batch as soon as the last ends) or, with ``--system reader``,
the change job alone polling ``cdc_raw`` every millisecond (no Spark: the
floor that ``commitlog_sync`` and the idx rewrite set) notes when each event
arrives. Both clocks are this process's ``time.monotonic``. Prints p50, p95
and max per system, and the node's commitlog_sync settings read from its
cassandra.yaml.

usage: .venv/bin/python bench/cdc_latency.py [--profile cdc] [--rate 50] [--seconds 20] [--warmup 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def node_env(profile: str) -> dict:
    out = subprocess.run(
        [os.path.join(ROOT, "scripts", "cassandra"), "env", "--profile", profile],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def sync_settings(node_dir: str) -> str:
    with open(os.path.join(node_dir, "conf", "cassandra.yaml")) as f:
        keys = [line.split("#")[0].strip() for line in f if line.startswith("commitlog_sync")]
    return ", ".join(keys)


def percentile(values: list, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Writer(threading.Thread):
    """Inserts ids 0.. at a steady rate; ``sent[id]`` is when the insert was sent."""

    def __init__(self, session, table: str, rate: float, seconds: float):
        super().__init__(daemon=True)
        self.insert = session.prepare(f"INSERT INTO {table} (id, v) VALUES (?, ?)")
        self.session, self.interval, self.count = session, 1.0 / rate, int(rate * seconds)
        self.sent: dict = {}

    def run(self) -> None:
        began = time.monotonic()
        for i in range(self.count):
            pause = began + i * self.interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self.sent[i] = time.monotonic()
            self.session.execute(self.insert, (i, "x" * 100))


def run_reader(options: dict, writer: Writer) -> dict:
    """Arrival times with the change job polling cdc_raw (no Spark)."""
    from pycassandra import _native

    job = _native.ChangeJob(options)
    position = job.initial_offset()
    target = job.schema()
    arrived: dict = {}
    writer.start()
    deadline = time.monotonic() + writer.count * writer.interval + 30
    while len(arrived) < writer.count and time.monotonic() < deadline:
        end = job.latest_offset(position)
        if end > position:
            now = None
            for start, stop in job.pieces(position, end):
                for row in job.read(start, stop, target).column("id").to_pylist():
                    now = now or time.monotonic()
                    arrived[row] = now
            position = end
        else:
            time.sleep(0.001)
    return arrived


def run_spark(options: dict, writer: Writer) -> dict:
    """Arrival times in foreachBatch of a change stream with the default trigger."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("pycassandra-cdc-latency")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    arrived: dict = {}

    def record(batch, _batch_id) -> None:
        ids = [row["id"] for row in batch.select("id").collect()]
        now = time.monotonic()
        for i in ids:
            arrived[i] = now

    query = spark.readStream.format("pycassandra").options(**options).load().writeStream.foreachBatch(record).start()
    try:
        while not any(p["sources"][0]["endOffset"] for p in query.recentProgress):
            time.sleep(0.1)
        writer.start()
        deadline = time.monotonic() + writer.count * writer.interval + 60
        while len(arrived) < writer.count and time.monotonic() < deadline:
            time.sleep(0.1)
        batches = [p for p in query.recentProgress if p["numInputRows"] > 0]
        durations = [p["durationMs"].get("triggerExecution", 0) for p in batches]
        if durations:
            print(f"spark: {len(batches)} micro-batches with rows, median trigger {statistics.median(durations)} ms")
    finally:
        query.stop()
        spark.stop()
    return arrived


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="cdc", help="a node with cdc_enabled (scripts/cassandra)")
    parser.add_argument("--rate", type=float, default=50.0, help="writes per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--systems", default="reader,spark", help="reader (no Spark), spark")
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds of writes not counted (Python workers start, JIT)"
    )
    args = parser.parse_args()
    from cassandra.cluster import Cluster

    env = node_env(args.profile)
    host, node_dir = env["PYCASSANDRA_HOST"], env["PYCASSANDRA_NODE_DIR"]
    print(
        f"node {args.profile} ({host}): {sync_settings(node_dir)}; {args.rate:g} writes/s for {args.seconds:g} s, "
        f"the first {args.warmup:g} s not counted"
    )
    cluster = Cluster([host], port=int(env["PYCASSANDRA_PORT"]), protocol_version=5)
    session = cluster.connect()
    keyspace = f"pyc_bench_cdc_{uuid.uuid4().hex[:8]}"
    session.execute(
        f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    results = []
    try:
        for system in args.systems.split(","):
            table = f"{keyspace}.t_{system}"
            session.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v text) WITH cdc = true")
            options = {
                "host": host,
                "port": env["PYCASSANDRA_PORT"],
                "keyspace": keyspace,
                "table": f"t_{system}",
                "cdc_raw_directory": os.path.join(node_dir, "cdc_raw"),
                "starting_position": "latest",
            }
            writer = Writer(session, table, args.rate, args.seconds)
            arrived = run_reader(options, writer) if system == "reader" else run_spark(options, writer)
            writer.join()
            counted = [i for i in writer.sent if i >= args.warmup * args.rate]
            latencies = [(arrived[i] - writer.sent[i]) * 1000 for i in counted if i in arrived]
            missing = len(counted) - len(latencies)
            if not latencies:
                raise SystemExit(f"{system}: no event arrived")
            results.append((system, latencies, missing))
    finally:
        session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
        cluster.shutdown()
    print("\n| system | events | p50 ms | p95 ms | max ms | missing |\n|---|---|---|---|---|---|")
    for system, latencies, missing in results:
        print(
            f"| {system} | {len(latencies)} | {percentile(latencies, 0.5):.0f} | {percentile(latencies, 0.95):.0f} "
            f"| {max(latencies):.0f} | {missing} |"
        )


if __name__ == "__main__":
    main()
