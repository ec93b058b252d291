"""What every test's own cassandra-driver client needs, on any node: a session,
and a keyspace the test owns (named pyc_test_*, which scripts/test checks
none of is left behind)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
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
