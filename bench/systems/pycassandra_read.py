"""Scans the table with spark.read.format("pycassandra") (PySpark 4, local[2]);
`--read pruned` gives the source a schema of the one column `total`, since a
Python data source receives no column pruning from Spark."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import arguments, options, scan_and_report, spark


def main() -> None:
    args = arguments(__doc__)
    session = spark("bench-pycassandra-read")
    reader = session.read.format("pycassandra")
    if args.read == "pruned":
        reader = reader.schema("total bigint")
    df = reader.options(
        host=args.host, port=str(args.port), keyspace=args.keyspace, table=args.table, **options(args)
    ).load()
    scan_and_report(df, args.read)
    session.stop()


if __name__ == "__main__":
    main()
