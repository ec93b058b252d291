"""Joins the keys with the narrow table by pycassandra.lookup (point reads, PySpark 4, local[2])."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import arguments, report, spark
from lookup_keys import join_and_report, keys


def main() -> None:
    args = arguments(__doc__)
    import pycassandra

    session = spark("bench-lookup-pycassandra")
    wanted = keys(session, args.rows, args.keys)
    joined = pycassandra.lookup(
        wanted,
        keyspace=args.keyspace,
        table=args.table,
        on="id",
        columns=["total"],
        host=args.host,
        port=str(args.port),
    )
    join_and_report(joined, report)
    session.stop()


if __name__ == "__main__":
    main()
