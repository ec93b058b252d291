"""Node CPU per row of a table scan against the page size: the scan the
reader makes (token ranges, `SELECT <columns> WHERE token(k) > ? AND token(k)
<= ?`) run with cassandra-driver at each page size in turn, rounds
interleaved so that the node's other load spreads over every size alike.
The client is plain Python here: what the node spends per page does not
depend on who decodes it."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measure  # noqa: E402
from read_bench import node_pid  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "systems"))
import dataset  # noqa: E402

RING = 2**64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--keyspace", default="pyc_bench_read")
    parser.add_argument("--table", default="narrow_single", help="a table read_bench.py loaded")
    parser.add_argument(
        "--rows",
        type=int,
        required=True,
        help="the rows read_bench.py loaded into it (its --rows); every pass must read them all",
    )
    parser.add_argument("--key", default="id", help="the partition key column")
    parser.add_argument("--page-sizes", default="1000,5000,10000,20000")
    parser.add_argument("--splits", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="default")
    args = parser.parse_args()
    from cassandra.cluster import Cluster
    from cassandra.query import SimpleStatement

    pid = node_pid(args.profile)
    cluster = Cluster([args.host], protocol_version=5)
    session = cluster.connect()
    cql = f"SELECT * FROM {args.keyspace}.{args.table} WHERE token({args.key}) > %s AND token({args.key}) <= %s"
    bounds = [-(2**63) + i * (RING // args.splits) for i in range(args.splits)] + [2**63 - 1]
    sizes = [int(size) for size in args.page_sizes.split(",")]
    node_cpu: dict = {size: [] for size in sizes}
    for round_ in range(args.rounds):
        for size in sizes:
            before, started, rows, checksum = measure.cpu_seconds(pid), time.perf_counter(), 0, 0
            for start, end in zip(bounds, bounds[1:]):
                statement = SimpleStatement(cql, fetch_size=size)
                for row in session.execute(statement, (start, end), timeout=600):
                    rows += 1
                    checksum += row.total
            cpu, seconds = measure.cpu_seconds(pid) - before, time.perf_counter() - started
            # A pass that missed or repeated rows would measure another scan: as read_bench.py, refuse it.
            if (rows, checksum) != (args.rows, dataset.expected_checksum(args.rows)):
                raise SystemExit(
                    f"{size} rows a page read {rows:,} rows with sum(total) {checksum}, expected {args.rows:,} "
                    f"and {dataset.expected_checksum(args.rows)}: is --rows what read_bench.py loaded?"
                )
            node_cpu[size].append(cpu * 1e6 / rows)
            print(
                f"round {round_ + 1}: {size} rows a page: {rows} rows in {seconds:.1f} s, node {cpu:.2f} CPU s",
                flush=True,
            )
    print("\n| rows per page | node CPU s / M rows, median | min–max |\n|---|---|---|")
    for size in sizes:
        values = node_cpu[size]
        print(f"| {size:,} | {statistics.median(values):.1f} | {min(values):.1f}–{max(values):.1f} |")
    cluster.shutdown()


if __name__ == "__main__":
    main()
