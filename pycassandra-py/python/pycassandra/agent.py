"""The change agent: runs beside one Cassandra node and serves its ``cdc_raw``
to change streams that cannot see the node's disk (``cdc_agents``).

    PYCASSANDRA_AGENT_TOKEN=... python -m pycassandra.agent \\
        --cdc-raw /var/lib/cassandra/cdc_raw --state-dir /var/lib/pycassandra-agent \\
        --listen 10.0.0.5:8765 --tls-cert agent.pem --tls-key agent.key --host 10.0.0.5

It serves segment bytes up to their durable offset, plans micro-batches,
records each consumer's committed offset (in ``--state-dir``, kept across its
restarts) and deletes a segment once every registered consumer has committed
past it. The bearer token comes from ``PYCASSANDRA_AGENT_TOKEN`` or
``--token-file``, never from the command line (which ``ps`` shows).
docs/change-agent.md has the HTTP interface and the operator's tasks.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import List, Optional

from pycassandra import _native

TOKEN_VARIABLE = "PYCASSANDRA_AGENT_TOKEN"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pycassandra.agent", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cdc-raw", required=True, help="the node's cdc_raw directory")
    parser.add_argument("--state-dir", required=True, help="where the consumers' committed offsets are kept")
    parser.add_argument("--listen", required=True, help="HOST:PORT to serve on")
    parser.add_argument("--tls-cert", help="PEM certificate chain (HTTPS); without it only a loopback HOST is allowed")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    parser.add_argument("--token-file", help=f"file holding the bearer token (else ${TOKEN_VARIABLE})")
    parser.add_argument("--host-id", help="the node's host id (else read from the node over CQL)")
    parser.add_argument("--host", default="127.0.0.1", help="the node's CQL address, to read its host id")
    parser.add_argument("--port", default="9042", help="the node's CQL port")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a connection option for the host-id query (username, ssl_ca_cert, ...); repeatable",
    )
    parser.add_argument("--cdc-total-space", type=int, help="the node's cdc_total_space in bytes, reported as usage")
    return parser


def _token(args: argparse.Namespace) -> str:
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            token = f.read().strip()
    else:
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise SystemExit(f"pycassandra agent: no token: set {TOKEN_VARIABLE} or pass --token-file")
    return token


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    # The native module's events reach the "pycassandra" logger; an agent is a process of its own.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if bool(args.tls_cert) != bool(args.tls_key):
        raise SystemExit("pycassandra agent: --tls-cert and --tls-key go together")
    token = _token(args)
    host_id = args.host_id
    if not host_id:
        options = {"host": args.host, "port": args.port}
        for pair in args.option:
            key, _, value = pair.partition("=")
            options[key.strip()] = value
        host_id = _native.ChangeAgent.node_host_id(options)
    agent = _native.ChangeAgent(
        cdc_raw=args.cdc_raw,
        state_dir=args.state_dir,
        listen=args.listen,
        token=token,
        host_id=host_id,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        cdc_total_space=args.cdc_total_space,
    )
    print(f"pycassandra agent: serving {args.cdc_raw} of node {host_id} on {agent.url}", flush=True)
    agent.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
