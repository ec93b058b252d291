"""Connections and micro-batch latency of a trivial streaming write.

A stream of `--rows-per-batch` rows per micro-batch (Spark's
`rate-micro-batch` source, trigger `processingTime` 0) runs `--batches`
micro-batches into a one-column table. While it runs, a thread polls the
node's `system_views.clients` and records every client connection it sees
that is not this script's own (cassandra-driver) connection. Spark's driver
builds a stream writer for every micro-batch's planning and again for every
commit, so a connection made there shows up once per micro-batch; the
executors' workers keep theirs for the whole query.

Prints: micro-batches run, distinct pycassandra connections seen, the most
open at once, and the median / p90 micro-batch duration (`triggerExecution`).

usage: .venv/bin/python bench/stream_sessions.py [--batches 50] [--rows-per-batch 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid

from cassandra.cluster import Cluster

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "systems"))
from common import spark as session

HOST = os.environ.get("PYCASSANDRA_HOST", "127.0.0.1")
PORT = int(os.environ.get("PYCASSANDRA_PORT", "9042"))
OWN_DRIVER = "DataStax Python Driver"


class ConnectionWatch(threading.Thread):
    """Polls system_views.clients; remembers every connection of another driver."""

    def __init__(self, session, interval: float) -> None:
        super().__init__(daemon=True)
        self.session, self.interval = session, interval
        self.seen: set = set()
        self.most_at_once = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            now = {
                (row.address, row.port)
                for row in self.session.execute("SELECT address, port, driver_name FROM system_views.clients")
                if not (row.driver_name or "").startswith(OWN_DRIVER)
            }
            self.seen |= now
            self.most_at_once = max(self.most_at_once, len(now))
            self.stopping.wait(self.interval)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--rows-per-batch", type=int, default=100)
    parser.add_argument("--poll-seconds", type=float, default=0.02)
    args = parser.parse_args()

    cluster = Cluster([HOST], port=PORT, protocol_version=5)
    cql = cluster.connect()
    keyspace = f"pyc_bench_{uuid.uuid4().hex[:12]}"
    cql.execute(f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
    cql.execute(f"CREATE TABLE {keyspace}.ticks (value bigint PRIMARY KEY, at timestamp)")

    spark = session("stream-sessions", {"spark.sql.shuffle.partitions": "2"})
    watch = ConnectionWatch(cql, args.poll_seconds)
    watch.start()
    checkpoint = tempfile.mkdtemp(prefix="pyc-stream-sessions-")
    query = (
        spark.readStream.format("rate-micro-batch")
        .option("rowsPerBatch", args.rows_per_batch)
        .load()
        .selectExpr("value", "timestamp AS at")
        .writeStream.format("pycassandra")
        .options(host=HOST, port=str(PORT), keyspace=keyspace, table="ticks")
        .option("checkpointLocation", checkpoint)
        .trigger(processingTime="0 seconds")
        .start()
    )
    durations: dict = {}
    try:
        while len(durations) < args.batches:
            if not query.isActive:
                raise SystemExit(f"the query stopped: {query.exception()}")
            for progress in query.recentProgress:
                if progress["numInputRows"] > 0:
                    durations[progress["batchId"]] = progress["durationMs"]["triggerExecution"]
            time.sleep(0.2)
    finally:
        query.stop()
        watch.stopping.set()
        watch.join()
    rows = cql.execute(f"SELECT count(*) FROM {keyspace}.ticks").one()[0]
    cql.execute(f"DROP KEYSPACE {keyspace}")
    cluster.shutdown()
    spark.stop()

    times = sorted(durations.values())[: args.batches]
    print(f"micro-batches with rows: {len(times)} ({args.rows_per_batch} rows each; {rows} rows in the table)")
    print(f"distinct pycassandra connections seen on the node: {len(watch.seen)}")
    print(f"most pycassandra connections open at once: {watch.most_at_once}")
    print(
        f"micro-batch duration (triggerExecution): median {statistics.median(times):.0f} ms, "
        f"p90 {times[int(len(times) * 0.9) - 1]:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
