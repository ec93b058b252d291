"""Creates the read benchmark's tables (the data set of dataset.py: `narrow_single`,
`wide_single`, `narrow_clustered`, ...) and writes N seeded rows into each through
pycassandra, all in one Spark session; prints one JSON line per table."""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import dataset
from common import spark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9042)
    parser.add_argument("--keyspace", default="pyc_bench")
    parser.add_argument("--tables", required=True, help="comma-separated <table>_<layout> names of dataset.py")
    parser.add_argument("--rows", type=int, required=True)
    args = parser.parse_args()
    from cassandra.cluster import Cluster

    cluster = Cluster([args.host], port=args.port, protocol_version=5)
    cql = cluster.connect()
    cql.default_timeout = 120
    cql.execute(
        f"CREATE KEYSPACE IF NOT EXISTS {args.keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    session = spark("bench-read-load")
    for name in args.tables.split(","):
        table, layout = name.rsplit("_", 1)
        cql.execute(f"DROP TABLE IF EXISTS {args.keyspace}.{name}")
        cql.execute(dataset.create_table_cql(args.keyspace, table, layout))
        started = time.perf_counter()
        grouping = "partition" if layout == "clustered" else "replica_set"
        dataset.frame(session, table, layout, args.rows).write.format("pycassandra").mode("append").options(
            host=args.host, port=str(args.port), keyspace=args.keyspace, table=name, batch_grouping=grouping
        ).save()
        seconds = time.perf_counter() - started
        print(json.dumps({"table": name, "rows": args.rows, "seconds": seconds}), flush=True)
    session.stop()
    cluster.shutdown()


if __name__ == "__main__":
    main()
