"""Events of the Rust core reach Python's logging, and never carry the password."""

from __future__ import annotations

import logging

import pyarrow as pa

from pycassandra import _native


def test_rust_events_reach_python_logging(cql, keyspace, node_options, caplog):
    cql.execute(f"CREATE TABLE {keyspace}.kv (k int PRIMARY KEY)")
    with caplog.at_level(logging.INFO, logger="pycassandra"):
        _native.WriteJob({**node_options, "table": "kv", "confirm_truncate": "true"}, pa.schema([])).truncate()
    messages = [record.getMessage() for record in caplog.records if record.name == "pycassandra"]
    assert any("table truncated" in m and f"{keyspace}.kv" in m for m in messages), messages
