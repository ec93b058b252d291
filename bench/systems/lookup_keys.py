"""The lookup benchmark's keys: a seeded set of ids of the narrow table
(load_narrow.py's uuids), `--keys` of them, a tenth not in the table."""

from __future__ import annotations

# The uuid load_narrow.py gives row number `n` (an SQL expression over column `n`).
UUID_OF_N = (
    "CONCAT_WS('-', SUBSTR(SHA2(CAST(n AS STRING), 256), 1, 8), SUBSTR(SHA2(CAST(n AS STRING), 256), 9, 4), "
    "'4' || SUBSTR(SHA2(CAST(n AS STRING), 256), 14, 3), '8' || SUBSTR(SHA2(CAST(n AS STRING), 256), 18, 3), "
    "SUBSTR(SHA2(CAST(n AS STRING), 256), 21, 12))"
)
# 7919 is prime and divides no power of ten: k * 7919 mod rows is distinct for k < rows.
STRIDE = 7919


def keys(session, rows: int, count: int):
    """DataFrame `id` (string uuid), `n`: 90 % of `count` present rows, 10 % beyond the table."""
    present = count - count // 10
    return (
        session.range(count)
        .selectExpr(f"CASE WHEN id < {present} THEN (id * {STRIDE}) % {rows} ELSE {rows} + id END AS n")
        .selectExpr(f"{UUID_OF_N} AS id", "n")
    )


def expected(rows: int, count: int) -> dict:
    """What an inner join returns: the present keys, and the sum of their `total` (7 n)."""
    present = count - count // 10
    return {"rows": present, "checksum": sum(7 * ((k * STRIDE) % rows) for k in range(present))}


WARM_UP_KEYS = 2_000


def join_and_report(join_keys, count: int, report) -> None:
    """Times the join of `count` keys, after an untimed join of a few: a
    fresh JVM's first job (JIT, and for Python sources the workers' start)
    would otherwise dominate, and it is paid once per session, not per join."""
    import time

    join_keys(WARM_UP_KEYS).selectExpr("count(*)").first()
    joined = join_keys(count)
    started = time.perf_counter()
    row = joined.selectExpr("count(*) AS n", "sum(total) AS s").first()
    report(row["n"], row["s"] or 0, time.perf_counter() - started)
