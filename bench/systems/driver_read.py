"""Scans the table with cassandra-driver alone: one paged SELECT (5,000 rows a
page) of every column, or of `total` alone (`--read pruned`), rows as Python objects."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import ScanCpu, arguments, report


def main() -> None:
    args = arguments(__doc__)
    from cassandra.cluster import Cluster
    from cassandra.query import SimpleStatement

    cluster = Cluster([args.host], port=args.port, protocol_version=5)
    session = cluster.connect()
    columns = "total" if args.read == "pruned" else "*"
    statement = SimpleStatement(f"SELECT {columns} FROM {args.keyspace}.{args.table}", fetch_size=5000)
    cpu = ScanCpu()
    cpu.start()
    started = time.perf_counter()
    rows = checksum = 0
    for row in session.execute(statement, timeout=600):
        rows += 1
        checksum += row.total
    seconds = time.perf_counter() - started
    report(rows, checksum, seconds, cpu.stop())
    cluster.shutdown()


if __name__ == "__main__":
    main()
