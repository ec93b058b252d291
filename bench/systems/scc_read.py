"""Scans the table with the Spark Cassandra Connector 3.5.1 on PySpark 3.5
(local[2]), default settings; `--read pruned` selects `total` only, which the
connector prunes to itself."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import arguments, options, scan_and_report, spark

SCC = "com.datastax.spark:spark-cassandra-connector_2.12:3.5.1"


def main() -> None:
    args = arguments(__doc__)
    session = spark(
        "bench-scc-read",
        {
            "spark.jars.packages": SCC,
            "spark.cassandra.connection.host": args.host,
            "spark.cassandra.connection.port": str(args.port),
            **options(args),
        },
    )
    df = session.read.format("org.apache.spark.sql.cassandra").options(keyspace=args.keyspace, table=args.table).load()
    if args.read == "pruned":
        df = df.select("total")
    scan_and_report(df, args.read)
    session.stop()


if __name__ == "__main__":
    main()
