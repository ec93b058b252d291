"""The original plan's option contract, on the real source (no mocks)."""

from __future__ import annotations

import pytest
from pyspark.sql.types import StringType, StructField, StructType

from pycassandra import CassandraDataSource, ConfigError, SchemaMismatchError

SCHEMA = StructType([StructField("id", StringType())])


@pytest.mark.parametrize("missing", ["host", "keyspace", "table"])
def test_a_missing_required_option_raises_value_error_naming_it(missing):
    options = {"host": "127.0.0.1", "keyspace": "test_ks", "table": "test_table"}
    del options[missing]
    with pytest.raises(ValueError, match=missing):
        CassandraDataSource(options).writer(SCHEMA, None)


def test_the_name_is_pycassandra():
    assert CassandraDataSource.name() == "pycassandra"


def test_the_seed_import_path_still_works():
    from cassandra_data_source import CassandraDataSource as SeedName

    assert SeedName is CassandraDataSource


def test_option_errors_come_before_any_connection():
    # Port 1 has no node: a connection attempt would fail differently.
    options = {"host": "127.0.0.1", "port": "1", "keyspace": "k", "table": "t", "batch_size": "many"}
    with pytest.raises(ConfigError, match="'batch_size' has invalid value 'many'"):
        CassandraDataSource(options).writer(SCHEMA, False)


def test_the_default_port_reaches_the_node(cql, keyspace):
    # No "port" option: the writer must find the node on 9042, then check the key.
    cql.execute(f"CREATE TABLE {keyspace}.t (id uuid PRIMARY KEY, other text)")
    no_key = StructType([StructField("other", StringType())])
    with pytest.raises(SchemaMismatchError, match="missing primary key columns: id"):
        CassandraDataSource({"host": "127.0.0.1", "keyspace": keyspace, "table": "t"}).writer(no_key, False)


def test_the_password_is_not_in_repr():
    options = {"host": "h", "keyspace": "k", "table": "t", "username": "u", "password": "hunter2-secret"}
    assert "hunter2-secret" not in repr(CassandraDataSource(options))


def test_the_class_docstring_names_exactly_the_options_of_the_readme_table():
    """The README's table is checked against the parser (tests/src/docs.rs); this keeps the docstring with it."""
    import os
    import re

    readme = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "README.md")
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("## Options") : text.index("## Types")]
    in_readme = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    options_part = CassandraDataSource.__doc__.split("Options", 1)[1].split("Examples", 1)[0]
    in_docstring = set(re.findall(r"``([a-z_]+)``", options_part))
    assert in_docstring == in_readme
