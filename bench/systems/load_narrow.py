"""Creates pyc_bench.narrow (uuid, text, int, bigint; one row per partition) and
writes the seeded data set into it through pycassandra."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import arguments, report, spark


def main() -> None:
    args = arguments(__doc__)
    from cassandra.cluster import Cluster

    cluster = Cluster([args.host], port=args.port, protocol_version=5)
    cql = cluster.connect()
    cql.execute(
        f"CREATE KEYSPACE IF NOT EXISTS {args.keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    cql.execute(f"DROP TABLE IF EXISTS {args.keyspace}.{args.table}")
    cql.execute(f"CREATE TABLE {args.keyspace}.{args.table} (id uuid PRIMARY KEY, name text, amount int, total bigint)")
    session = spark("bench-load")
    # Seeded: the same ids and values on every run (uuid from a hash of the row number).
    df = session.range(args.rows).selectExpr(
        "CONCAT_WS('-', SUBSTR(SHA2(CAST(id AS STRING), 256), 1, 8), SUBSTR(SHA2(CAST(id AS STRING), 256), 9, 4), "
        "'4' || SUBSTR(SHA2(CAST(id AS STRING), 256), 14, 3), '8' || SUBSTR(SHA2(CAST(id AS STRING), 256), 18, 3), "
        "SUBSTR(SHA2(CAST(id AS STRING), 256), 21, 12)) AS id",
        "CONCAT('name-', CAST(id AS STRING)) AS name",
        "CAST(id % 1000 AS INT) AS amount",
        "id * 7 AS total",
    )
    started = time.perf_counter()
    df.write.format("pycassandra").mode("append").options(
        host=args.host, port=str(args.port), keyspace=args.keyspace, table=args.table, batch_grouping="replica_set"
    ).save()
    seconds = time.perf_counter() - started
    row = df.selectExpr("count(*) AS n", "sum(total) AS s").first()
    report(row["n"], row["s"], seconds)
    session.stop()
    cluster.shutdown()


if __name__ == "__main__":
    main()
