"""Run one CQL statement against a single node and print the rows, one per line.

Used by `scripts/cassandra query`; needs cassandra-driver (the project's .venv).
Exit status: 0 on success, 1 on any error (printed on stderr).
"""

from __future__ import annotations

import argparse
import logging
import ssl
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("statement", help="one CQL statement")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9042)
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--ca-cert", help="PEM CA file: enables TLS and verifies the node against it")
    parser.add_argument("--client-cert", help="PEM client certificate (mutual TLS)")
    parser.add_argument("--client-key", help="PEM client key (mutual TLS)")
    parser.add_argument(
        "--no-check-hostname",
        action="store_true",
        help="with TLS, accept a certificate that does not name --host (still checks the CA)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="request timeout in seconds")
    parser.add_argument("--header", action="store_true", help="print the column names first")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)

    from cassandra.auth import PlainTextAuthProvider
    from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile
    from cassandra.policies import WhiteListRoundRobinPolicy

    profile = ExecutionProfile(
        load_balancing_policy=WhiteListRoundRobinPolicy([args.host]),
        request_timeout=args.timeout,
    )
    options: dict = {
        "port": args.port,
        "protocol_version": 5,
        "execution_profiles": {EXEC_PROFILE_DEFAULT: profile},
        "connect_timeout": args.timeout,
    }
    if args.username is not None:
        options["auth_provider"] = PlainTextAuthProvider(args.username, args.password or "")
    if args.ca_cert or args.client_cert:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=args.ca_cert)
        context.check_hostname = not args.no_check_hostname
        if args.client_cert:
            context.load_cert_chain(args.client_cert, args.client_key)
        options["ssl_context"] = context
        # The driver hands server_hostname to wrap_socket, so the node's name is verified.
        options["ssl_options"] = {"server_hostname": args.host}

    cluster = Cluster([args.host], **options)
    try:
        session = cluster.connect()
        result = session.execute(args.statement)
        if args.header and result.column_names:
            print(" | ".join(result.column_names))
        for row in result:
            print(" | ".join("null" if value is None else str(value) for value in row))
    except Exception as error:  # one line for the shell, not a traceback
        print(f"cql.py: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        cluster.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
