"""What every system script shares: arguments, and the one line of JSON it prints."""

from __future__ import annotations

import argparse
import json


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9042)
    parser.add_argument("--keyspace", default="pyc_bench")
    parser.add_argument("--table", default="narrow")
    parser.add_argument(
        "--rows", type=int, default=0, help="rows to write (write scripts); rows in the table (lookups)"
    )
    parser.add_argument("--keys", type=int, default=0, help="keys to look up (lookup scripts)")
    parser.add_argument(
        "--join", choices=["direct", "scan"], default="direct", help="the connector's join (lookup_scc)"
    )
    parser.add_argument(
        "--read",
        choices=["all", "pruned"],
        default="all",
        help="read scripts: every column of every row (all) or only `total` (pruned: a schema of one column)",
    )
    parser.add_argument("--option", action="append", default=[], help="read scripts: key=value for the source")
    return parser.parse_args()


def options(args: argparse.Namespace) -> dict:
    """The --option key=value pairs."""
    return dict(pair.split("=", 1) for pair in args.option)


def report(rows: int, checksum: int, seconds: float, scan_cpu: dict | None = None) -> None:
    """The rows seen and the sum of the bigint column `total` (checked by the
    harness), the seconds the scan itself took (client start-up excluded)
    and, when measured, the CPU seconds of the client and the node during it."""
    print(json.dumps({"rows": int(rows), "checksum": int(checksum), "seconds": seconds, **(scan_cpu or {})}))


class ScanCpu:
    """CPU seconds spent between start() and stop() by this process's tree
    (Spark's JVM and its Python workers included) and by the node whose pid
    the harness passes in PYCASSANDRA_BENCH_NODE_PID: the scan without the
    JVM's start, which a run of 200,000 rows does not amortise. The tree is
    sampled every 0.1 s in between, as measure.run does, so a process that
    starts and exits during the scan (PySpark's planning worker) counts too."""

    def __init__(self) -> None:
        import os
        import sys
        import threading

        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        import measure

        self._measure = measure
        self._node = int(os.environ.get("PYCASSANDRA_BENCH_NODE_PID", "0"))
        self._tree = measure.ProcessTree(os.getpid())
        self._java: dict = {}
        self._stopped = threading.Event()
        self._sampler = threading.Thread(target=self._follow, daemon=True)

    def _sample(self) -> None:
        self._tree.sample()
        for pid in self._tree.cpu:
            if pid not in self._java:
                self._java[pid] = _is_java(pid)

    def _follow(self) -> None:
        import time

        while not self._stopped.wait(0.1):
            self._sample()
        # Reading /proc costs ~3 ms a sample, in this process: not the scan's.
        self._sampler_cpu = time.thread_time()

    def _totals(self) -> tuple:
        jvm = sum(cpu for pid, cpu in self._tree.cpu.items() if self._java.get(pid))
        node = self._measure.cpu_seconds(self._node) if self._node else 0.0
        return sum(self._tree.cpu.values()), jvm, node

    def start(self) -> None:
        self._sample()
        self._before = self._totals()
        self._sampler.start()

    def stop(self) -> dict:
        self._stopped.set()
        self._sampler.join()
        self._sample()
        client, jvm, node = (after - before for after, before in zip(self._totals(), self._before))
        client -= self._sampler_cpu
        # The rest of the tree is Python: this script and Spark's Python workers (pycassandra's Rust inside).
        return {"scan_client_cpu": client, "scan_jvm_cpu": jvm, "scan_python_cpu": client - jvm, "scan_node_cpu": node}


def _is_java(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/comm", encoding="ascii", errors="replace") as f:
            return f.read().strip() == "java"
    except OSError:
        return False


def spark(app: str, extra: dict | None = None):
    import os
    import sys

    from pyspark.sql import SparkSession

    # Spark's Python workers must run this interpreter (it has pyarrow and the wheel).
    os.environ["PYSPARK_PYTHON"] = sys.executable

    builder = (
        SparkSession.builder.appName(app)
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.memory", "2g")
    )
    for key, value in (extra or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def every_column(df) -> str:
    """An aggregate that needs every column of every row: Spark prunes the
    columns an aggregate does not use, and the connector then reads only
    those, so count(*) and sum(total) alone would read one column. Spark
    cannot hash maps, so a map is hashed as its keys and values."""
    from pyspark.sql.types import MapType

    parts = [
        f"map_keys(`{f.name}`), map_values(`{f.name}`)" if isinstance(f.dataType, MapType) else f"`{f.name}`"
        for f in df.schema.fields
    ]
    return f"sum(hash({', '.join(parts)})) AS every_column"


def scan_and_report(df, read: str) -> None:
    """Counts the rows and sums `total` in one Spark job, timed, and reports
    them; with `read` "all" the job also hashes every column (not checked:
    the two systems type some columns differently)."""
    import time

    aggregates = ["count(*) AS n", "sum(total) AS s"] + ([every_column(df)] if read == "all" else [])
    cpu = ScanCpu()
    cpu.start()
    started = time.perf_counter()
    row = df.selectExpr(*aggregates).first()
    seconds = time.perf_counter() - started
    report(row["n"], row["s"], seconds, cpu.stop())
