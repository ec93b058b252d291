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
    return parser.parse_args()


def report(rows: int, checksum: int, seconds: float) -> None:
    """The rows seen and the sum of the bigint column `total` (checked by the
    harness), and the seconds the scan itself took (client start-up excluded)."""
    print(json.dumps({"rows": int(rows), "checksum": int(checksum), "seconds": seconds}))


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


def scan_and_report(df) -> None:
    """Counts the rows and sums `total` in one Spark job, timed, and reports them."""
    import time

    started = time.perf_counter()
    row = df.selectExpr("count(*) AS n", "sum(total) AS s").first()
    report(row["n"], row["s"], time.perf_counter() - started)
