"""The demo job: a PySpark DataFrame written into Cassandra through pycassandra,
read back through pycassandra, checked, and a summary printed."""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("PYCASSANDRA_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PYCASSANDRA_PORT", "9042")))
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()

    from cassandra.cluster import Cluster
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F  # noqa: N812 (PySpark's usual alias)

    cluster = Cluster([args.host], port=args.port, protocol_version=5)
    cql = cluster.connect()
    cql.execute(
        "CREATE KEYSPACE IF NOT EXISTS pycassandra_demo WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"
    )
    cql.execute("DROP TABLE IF EXISTS pycassandra_demo.events")
    cql.execute("CREATE TABLE pycassandra_demo.events (id uuid PRIMARY KEY, kind text, amount int, total bigint)")

    spark = (
        SparkSession.builder.appName("pycassandra-demo")
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    df = (
        spark.range(args.rows)
        .select(
            F.expr("uuid()").alias("id"),
            F.concat(F.lit("kind-"), (F.col("id") % 10).cast("string")).alias("kind"),
            (F.col("id") % 1000).cast("int").alias("amount"),
            (F.col("id") * 7).alias("total"),
        )
        .cache()
    )
    df.count()

    started = time.perf_counter()
    (
        df.write.format("pycassandra")
        .mode("append")
        .option("host", args.host)
        .option("port", str(args.port))
        .option("keyspace", "pycassandra_demo")
        .option("table", "events")
        .save()
    )
    seconds = time.perf_counter() - started

    started = time.perf_counter()
    stored = (
        spark.read.format("pycassandra")
        .option("host", args.host)
        .option("port", str(args.port))
        .option("keyspace", "pycassandra_demo")
        .option("table", "events")
        .load()
    )
    summary = stored.agg(F.count("*").alias("n"), F.sum("total").alias("total")).first()
    read_seconds = time.perf_counter() - started
    count, stored_total = summary["n"], summary["total"]
    partitions = stored.rdd.getNumPartitions()
    sample = stored.orderBy("total").limit(3).collect()
    expected_total = df.agg(F.sum("total")).first()[0]
    # An independent client agrees on the count.
    direct_count = cql.execute("SELECT count(*) FROM pycassandra_demo.events", timeout=120).one()[0]

    print()
    print("pycassandra demo")
    print(f"  rows written by Spark : {args.rows}")
    print(f"  write time            : {seconds:.2f} s ({args.rows / seconds:,.0f} rows/s, local[2], one node)")
    print(
        f"  rows read back        : {count} through pycassandra in {read_seconds:.2f} s ({partitions} token-range partitions)"
    )
    print(f"  count by cassandra-driver: {direct_count}")
    print(f"  sum(total) matches    : {stored_total == expected_total} ({stored_total})")
    print("  sample rows:")
    for row in sample:
        print(f"    {row.id}  {row.kind:7}  amount={row.amount:<4} total={row.total}")
    spark.stop()
    cluster.shutdown()
    if count != args.rows or direct_count != args.rows or stored_total != expected_total:
        sys.exit("demo: the table does not hold what was written")


if __name__ == "__main__":
    main()
