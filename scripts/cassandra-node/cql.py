"""Runs one CQL statement and prints the rows (scripts/cassandra query)."""

from __future__ import annotations

import argparse
import ssl
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("statement")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9042)
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--ca-cert")
    parser.add_argument("--client-cert")
    parser.add_argument("--client-key")
    args = parser.parse_args()

    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import Cluster

    options = {"port": args.port, "protocol_version": 5}
    if args.username:
        options["auth_provider"] = PlainTextAuthProvider(args.username, args.password or "")
    if args.ca_cert:
        context = ssl.create_default_context(cafile=args.ca_cert)
        if args.client_cert:
            context.load_cert_chain(args.client_cert, args.client_key)
        options["ssl_context"] = context
    cluster = Cluster([args.host], **options)
    try:
        session = cluster.connect()
        for row in session.execute(args.statement):
            print(" | ".join(str(value) for value in row))
    finally:
        cluster.shutdown()


if __name__ == "__main__":
    sys.exit(main())
