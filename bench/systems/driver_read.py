"""Scans the table with cassandra-driver alone: one paged SELECT (5,000 rows a page), rows as Python objects."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import arguments, report


def main() -> None:
    args = arguments(__doc__)
    from cassandra.cluster import Cluster
    from cassandra.query import SimpleStatement

    cluster = Cluster([args.host], port=args.port, protocol_version=5)
    session = cluster.connect()
    statement = SimpleStatement(f"SELECT id, name, amount, total FROM {args.keyspace}.{args.table}", fetch_size=5000)
    started = time.perf_counter()
    rows = checksum = 0
    for row in session.execute(statement, timeout=600):
        rows += 1
        checksum += row.total
    report(rows, checksum, time.perf_counter() - started)
    cluster.shutdown()


if __name__ == "__main__":
    main()
