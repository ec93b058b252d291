"""Scans the table with spark.read.format("pycassandra") (PySpark 4, local[2])."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import arguments, report, spark  # noqa: E402


def main() -> None:
    args = arguments(__doc__)
    session = spark("bench-pycassandra-read")
    df = session.read.format("pycassandra").options(host=args.host, port=str(args.port), keyspace=args.keyspace, table=args.table).load()
    started = time.perf_counter()
    row = df.selectExpr("count(*) AS n", "sum(total) AS s").first()
    report(row["n"], row["s"], time.perf_counter() - started)
    session.stop()


if __name__ == "__main__":
    main()
