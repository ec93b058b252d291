"""Joins the keys with the narrow table through the Spark Cassandra Connector 3.5.1
(PySpark 3.5, local[2]): `--join direct` forces its DirectJoin (CassandraSparkExtensions),
`--join scan` is a plain Spark join after a full scan of the table."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import arguments, report, spark
from lookup_keys import join_and_report, keys

SCC = "com.datastax.spark:spark-cassandra-connector_2.12:3.5.1"


def main() -> None:
    args = arguments(__doc__)
    direct = args.join == "direct"
    session = spark(
        "bench-lookup-scc",
        {
            "spark.jars.packages": SCC,
            "spark.cassandra.connection.host": args.host,
            "spark.cassandra.connection.port": str(args.port),
            "spark.sql.extensions": "com.datastax.spark.connector.CassandraSparkExtensions",
        },
    )
    # A table option of the connector (on | off | auto), not a session setting.
    table = session.read.format("org.apache.spark.sql.cassandra").options(
        keyspace=args.keyspace, table=args.table, directJoinSetting="on" if direct else "off"
    )

    def join_keys(count: int):
        joined = keys(session, args.rows, count).join(table.load().select("id", "total"), "id")
        plan = joined._jdf.queryExecution().executedPlan().toString()
        if direct != ("Cassandra Direct Join" in plan or "DirectJoin" in plan):
            raise SystemExit(f"expected {'a' if direct else 'no'} direct join, got plan:\n{plan}")
        return joined

    join_and_report(join_keys, args.keys, report)
    session.stop()


if __name__ == "__main__":
    main()
