"""Scans the table with spark.read.format("pycassandra") (PySpark 4, local[2])."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import arguments, scan_and_report, spark


def main() -> None:
    args = arguments(__doc__)
    session = spark("bench-pycassandra-read")
    df = (
        session.read.format("pycassandra")
        .options(host=args.host, port=str(args.port), keyspace=args.keyspace, table=args.table)
        .load()
    )
    scan_and_report(df)
    session.stop()


if __name__ == "__main__":
    main()
