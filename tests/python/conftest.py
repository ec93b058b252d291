"""Fixtures for the PySpark tests: a real local SparkSession and a real node.

The node is named by PYCASSANDRA_HOST / PYCASSANDRA_PORT (default
127.0.0.1:9042). When it does not answer, the fixtures fail: never skip.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile

import pytest
from cql_sessions import cql_session, owned_keyspace
from spark_sessions import local_spark

# Read by pycassandra at import: forward the core's INFO events to this logger.
logging.getLogger("pycassandra").setLevel(logging.INFO)

NODE_HOST = os.environ.get("PYCASSANDRA_HOST", "127.0.0.1")
NODE_PORT = int(os.environ.get("PYCASSANDRA_PORT", "9042"))

# Spark's Python workers must run this interpreter, which has pyarrow and pycassandra.
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
# Spark's Python workers append their pycassandra log lines here (see pycassandra/_logging.py).
os.environ["PYCASSANDRA_LOG_FILE"] = os.path.join(tempfile.mkdtemp(prefix="pycassandra-logs-"), "workers.log")
# Spark's workers import probe sources defined beside the tests.
_here = os.path.dirname(os.path.abspath(__file__))
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_here, os.environ.get("PYTHONPATH")) if p)


@pytest.fixture(scope="session")
def spark():
    session = local_spark("pycassandra-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def cql():
    """A cassandra-driver session: an independent client to check what landed."""
    with cql_session(NODE_HOST, NODE_PORT, "scripts/cassandra start") as session:
        yield session


@pytest.fixture
def keyspace(cql):
    """A keyspace owned by one test, dropped afterwards."""
    with owned_keyspace(cql) as name:
        yield name


@pytest.fixture
def node_options(keyspace):
    """The options every write needs, for the test's keyspace."""
    return {"host": NODE_HOST, "port": str(NODE_PORT), "keyspace": keyspace}
