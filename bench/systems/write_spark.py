"""Writes the data set (dataset.py) through one Spark system, local[2]:
pycassandra (PySpark 4), the original plan's pure-Python source
(bench/peers/plan_datasource.py, PySpark 4), the Spark Cassandra Connector
3.5.1 (PySpark 3.5), with default or tuned settings, or a sink that only counts
(spark_floor: what Spark itself costs before any source writes). Prints one JSON line:
the rows and checksum written and the seconds the write took."""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dataset  # noqa: E402
from common import report, spark  # noqa: E402

SCC = "com.datastax.spark:spark-cassandra-connector_2.12:3.5.1"
# What a user who read the connector's tuning guide would set for bulk loads.
SCC_TUNED = {
    "spark.cassandra.output.concurrent.writes": "64",
    "spark.cassandra.output.batch.grouping.key": "replica_set",
    "spark.cassandra.output.batch.size.bytes": "8192",
    "spark.cassandra.output.consistency.level": "ONE",
}
PYCASSANDRA_TUNED = {"batch_grouping": "replica_set", "batch_size": "256", "consistency": "ONE"}
SYSTEMS = ("pycassandra", "pycassandra_tuned", "plan", "scc", "scc_tuned", "spark_floor")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--system", choices=SYSTEMS, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9042)
    parser.add_argument("--keyspace", default="pyc_bench")
    parser.add_argument("--table", choices=dataset.TABLES, required=True)
    parser.add_argument("--layout", choices=dataset.LAYOUTS, required=True)
    parser.add_argument("--rows", type=int, required=True)
    args = parser.parse_args()
    table = dataset.table_name(args.table, args.layout)

    extra = {}
    if args.system.startswith("scc"):
        extra = {
            "spark.jars.packages": SCC,
            "spark.cassandra.connection.host": args.host,
            "spark.cassandra.connection.port": str(args.port),
        }
        if args.system == "scc_tuned":
            extra.update(SCC_TUNED)
    session = spark(f"bench-write-{args.system}", extra)
    df = dataset.frame(session, args.table, args.layout, args.rows)
    if args.system.startswith("scc"):
        writer = df.write.format("org.apache.spark.sql.cassandra").options(keyspace=args.keyspace, table=table)
    else:
        options = {"host": args.host, "port": str(args.port), "keyspace": args.keyspace, "table": table}
        if args.system == "plan":
            session.sparkContext.addPyFile(os.path.join(os.path.dirname(HERE), "peers", "plan_datasource.py"))
            from plan_datasource import PlanDataSource

            session.dataSource.register(PlanDataSource)
            writer = df.write.format("cassandra_plan").options(**options)
        elif args.system == "spark_floor":
            session.sparkContext.addPyFile(os.path.join(os.path.dirname(HERE), "peers", "count_sink.py"))
            from count_sink import CountSink

            session.dataSource.register(CountSink)
            writer = df.write.format("count_sink")
        else:
            if args.system == "pycassandra_tuned":
                options.update(PYCASSANDRA_TUNED)
            writer = df.write.format("pycassandra").options(**options)
    started = time.perf_counter()
    writer.mode("append").save()
    report(args.rows, dataset.expected_checksum(args.rows), time.perf_counter() - started)
    session.stop()


if __name__ == "__main__":
    main()
