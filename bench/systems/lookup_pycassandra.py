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

    def join_keys(count: int):
        wanted = keys(session, args.rows, count)
        options = {"host": args.host, "port": str(args.port)}
        return pycassandra.lookup(
            wanted, keyspace=args.keyspace, table=args.table, on="id", columns=["total"], **options
        )

    join_and_report(join_keys, args.keys, report)
    session.stop()


if __name__ == "__main__":
    main()
