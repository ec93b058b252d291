"""Joins the keys with the narrow table by a plain Spark join after a full pycassandra scan (PySpark 4, local[2])."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import arguments, report, spark
from lookup_keys import join_and_report, keys


def main() -> None:
    args = arguments(__doc__)
    session = spark("bench-lookup-pycassandra-scan")
    table = (
        session.read.format("pycassandra")
        .options(host=args.host, port=str(args.port), keyspace=args.keyspace, table=args.table)
        .schema("id string, total bigint")
        .load()
    )
    join_and_report(lambda count: keys(session, args.rows, count).join(table, "id"), args.keys, report)
    session.stop()


if __name__ == "__main__":
    main()
