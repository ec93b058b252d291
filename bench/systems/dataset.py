"""The write benchmark's data set: every value a function of the row number i,
so each system (Spark 4, Spark 3.5, the Rust loader in bench/write_loader.rs)
makes the same rows without reading a file. Two tables, two layouts:

- narrow: id uuid, seq int, name text, total bigint
- wide:   the narrow columns and 16 more of mixed types, collections included
- layout single:    PRIMARY KEY (id), id from i: one row per partition
- layout clustered: PRIMARY KEY ((id), seq), id from i div 100, seq = i mod 100

`total` is i * 7: the harness checks count(*) and sum(total) after each run."""

from __future__ import annotations

ROWS_PER_PARTITION = 100
TABLES = ("narrow", "wide")
LAYOUTS = ("single", "clustered")

# Spark SQL over spark.range(rows) (column `id` is i); the Rust loader mirrors each line.
_UUID = "CONCAT('00000000-0000-4000-{variant}-', LPAD(LOWER(HEX({part})), 12, '0'))"
NARROW = [
    ("id", "uuid", None),  # expression depends on the layout
    ("seq", "int", "CAST(id % 100 AS INT)"),
    ("name", "text", "CONCAT('name-', CAST(id AS STRING))"),
    ("total", "bigint", "id * 7"),
]
WIDE = NARROW + [
    ("amount", "int", "CAST(id % 1000 AS INT)"),
    ("small", "smallint", "CAST(id % 30000 AS SMALLINT)"),
    ("tiny", "tinyint", "CAST(id % 100 AS TINYINT)"),
    ("ratio", "float", "CAST(id % 1000 AS FLOAT) / CAST(8 AS FLOAT)"),
    ("score", "double", "CAST(id AS DOUBLE) / 4"),
    ("active", "boolean", "id % 2 = 0"),
    ("price", "decimal", "CAST(CAST(id % 100000 AS DECIMAL(12, 2)) / 100 AS DECIMAL(12, 2))"),
    ("created", "timestamp", "TIMESTAMP_MILLIS(1700000000000 + id)"),
    ("day", "date", "DATE_ADD(DATE'2020-01-01', CAST(id % 3650 AS INT))"),
    ("parent", "uuid", _UUID.format(variant="9000", part="id")),
    ("payload", "blob", "UNHEX(LPAD(LOWER(HEX(id)), 16, '0'))"),
    ("code", "ascii", "CONCAT('c', CAST(id % 1000 AS STRING))"),
    ("tags", "list<text>", "ARRAY(CONCAT('t', CAST(id % 10 AS STRING)), CONCAT('u', CAST(id % 7 AS STRING)))"),
    ("attrs", "map<text, int>", "MAP('a', CAST(id % 5 AS INT), 'b', CAST(id % 11 AS INT))"),
    ("flags", "set<int>", "ARRAY(CAST(id % 3 AS INT), CAST(id % 4 + 10 AS INT))"),
    ("note", "text", "'a fixed note of forty characters length!'"),
]
COLUMNS = {"narrow": NARROW, "wide": WIDE}


def table_name(table: str, layout: str) -> str:
    return f"{table}_{layout}"


def create_table_cql(keyspace: str, table: str, layout: str) -> str:
    columns = ", ".join(f"{name} {cql}" for name, cql, _ in COLUMNS[table])
    key = "PRIMARY KEY (id)" if layout == "single" else "PRIMARY KEY ((id), seq)"
    return f"CREATE TABLE IF NOT EXISTS {keyspace}.{table_name(table, layout)} ({columns}, {key})"


def expected_checksum(rows: int) -> int:
    return 7 * rows * (rows - 1) // 2


def frame(session, table: str, layout: str, rows: int):
    """The DataFrame of the data set, on any PySpark (3.5 or 4.x)."""
    part = "id" if layout == "single" else f"id DIV {ROWS_PER_PARTITION}"
    expressions = []
    for name, _, expression in COLUMNS[table]:
        if name == "id":
            expression = _UUID.format(variant="8000", part=part)
        expressions.append(f"{expression} AS {name}")
    return session.range(rows).selectExpr(*expressions)
