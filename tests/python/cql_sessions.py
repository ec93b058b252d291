"""What every test's own cassandra-driver client needs, on any node: a session,
and a keyspace the test owns (named pyc_test_*, which scripts/test checks
none of is left behind)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest


@contextmanager
def cql_session(host: str, port: int, start_command: str) -> Iterator:
    """A cassandra-driver session on ``host:port``; the test fails naming ``start_command`` if none answers."""
    from cassandra.cluster import Cluster, NoHostAvailable

    cluster = Cluster([host], port=port, protocol_version=5)
    try:
        session = cluster.connect()
    except NoHostAvailable as error:
        pytest.fail(f"no Cassandra node answers at {host}:{port} ({error}); run {start_command}")
    try:
        yield session
    finally:
        cluster.shutdown()


@contextmanager
def owned_keyspace(session) -> Iterator[str]:
    """A keyspace for one test, dropped afterwards."""
    name = f"pyc_test_{uuid.uuid4().hex}"
    session.execute(f"CREATE KEYSPACE {name} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
    try:
        yield name
    finally:
        session.execute(f"DROP KEYSPACE IF EXISTS {name}")


def wait_for_ring(hosts: Sequence[str], port: int, deadline_seconds: float) -> None:
    """Returns once each node has every other in its ring (``system.peers_v2``
    with tokens) and its driver session sees all of them up. A joining node's
    start returns when it answers CQL, before the others know it: a keyspace
    made then warns of fewer nodes than its replication factor (seen here:
    the seed lists the third node about 0.5 s later)."""
    from cassandra.cluster import Cluster

    deadline = time.monotonic() + deadline_seconds
    for host in hosts:
        cluster = Cluster([host], port=port, protocol_version=5)
        try:
            session = cluster.connect()
            while True:
                peers = {
                    str(row.peer) for row in session.execute("SELECT peer, tokens FROM system.peers_v2") if row.tokens
                }
                up = {str(node.address) for node in cluster.metadata.all_hosts() if node.is_up}
                if peers >= set(hosts) - {host} and up >= set(hosts):
                    break
                assert time.monotonic() < deadline, (
                    f"{host} has peers {sorted(peers)}, up {sorted(up)}: not all of {hosts}"
                )
                time.sleep(0.2)
        finally:
            cluster.shutdown()
