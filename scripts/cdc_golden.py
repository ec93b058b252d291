"""Regenerate tests/golden/cdc/mutations.txt: commit-log entries written by the
real cdc node for every statement shape the decoder must read.

    scripts/cassandra start --profile cdc
    .venv/bin/python scripts/cdc_golden.py            # writes tests/golden/cdc/mutations.txt
    PYCASSANDRA_BLESS=1 cargo test -p pycassandra --lib cdc::golden   # then review the diff of mutations.expected

    .venv/bin/python scripts/cdc_golden.py --lz4      # writes tests/golden/cdc/lz4/

With --lz4 it starts the non-resident `cdc-lz4` node (the cdc profile plus
`commitlog_compression: LZ4Compressor`), runs the same statements there,
writes their entries to tests/golden/cdc/lz4/mutations.txt and copies the
compressed segments that hold them, cut at their `_cdc.idx` offsets (logical,
uncompressed positions; the copy ends at the matching file offset), with
their idx files, into that directory; then it stops the node. The node
starts with an empty data directory, so the segments hold only its
start-up's system mutations and these statements.

It (re)creates the keyspace `cdc_golden` (the DDL below, which
pycassandra/src/cdc/golden_tests.rs describes by hand), runs each statement
one at a time with a fixed `USING TIMESTAMP`, and takes from the node's
`cdc_raw` the entries whose table id is one of the keyspace's, in file
order: one entry per statement (each is a single mutation). The file holds
the table ids and the DDL, then per statement its CQL and the entry body in
hex. Local deletion times (the node's clock) differ from run to run.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import time
import uuid
import zlib
from pathlib import Path

from cassandra.cluster import Cluster  # type: ignore[import-untyped]
from cdc_walk import lz4_block

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests/golden/cdc/mutations.txt"
LZ4_DIR = ROOT / "tests/golden/cdc/lz4"
LZ4_PROFILE = "cdc-lz4"
KS = "cdc_golden"

DDL = [
    f"CREATE KEYSPACE {KS} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}",
    f"CREATE TYPE {KS}.addr (street text, zip int)",
    f"CREATE TABLE {KS}.kv (pk int, ck text, v text, n bigint, PRIMARY KEY (pk, ck)) WITH cdc = true",
    f"CREATE TABLE {KS}.wide (a int, b text, c1 int, c2 text, s text static, v int, "
    "PRIMARY KEY ((a, b), c1, c2)) WITH CLUSTERING ORDER BY (c1 DESC, c2 ASC) AND cdc = true",
    f"CREATE TABLE {KS}.coll (pk int PRIMARY KEY, l list<text>, s set<int>, m map<text, int>, u addr, "
    "fl frozen<list<int>>, fu frozen<addr>, fm frozen<map<int, text>>, t tuple<int, text>, "
    "vec vector<float, 3>) WITH cdc = true",
    f"CREATE TABLE {KS}.types (pk int PRIMARY KEY, a ascii, bi bigint, bl blob, bo boolean, d date, "
    "de decimal, db double, du duration, f float, i inet, si smallint, tm time, ts timestamp, "
    "tu timeuuid, ti tinyint, u uuid, vi varint, vt text) WITH cdc = true",
    f"CREATE TABLE {KS}.many (pk int, ck int, "
    + ", ".join(f"c{i:02} int" for i in range(70))
    + ", PRIMARY KEY (pk, ck)) WITH cdc = true",
    f"CREATE TABLE {KS}.dropme (pk int PRIMARY KEY, gone text, kept text) WITH cdc = true",
]

STATEMENTS = [
    # kv: inserts, updates, cell/row/range/partition deletions, TTL, empty clustering
    f"INSERT INTO {KS}.kv (pk, ck, v, n) VALUES (1, 'a', 'hello', 42) USING TIMESTAMP 1000",
    f"UPDATE {KS}.kv USING TIMESTAMP 1001 SET v = 'world' WHERE pk = 1 AND ck = 'a'",
    f"DELETE n FROM {KS}.kv USING TIMESTAMP 1002 WHERE pk = 1 AND ck = 'a'",
    f"UPDATE {KS}.kv USING TIMESTAMP 1003 SET v = null WHERE pk = 1 AND ck = 'a'",
    f"DELETE FROM {KS}.kv USING TIMESTAMP 1004 WHERE pk = 1 AND ck = 'a'",
    f"DELETE FROM {KS}.kv USING TIMESTAMP 1005 WHERE pk = 2",
    f"DELETE FROM {KS}.kv USING TIMESTAMP 1006 WHERE pk = 1 AND ck > 'b' AND ck <= 'd'",
    f"DELETE FROM {KS}.kv USING TIMESTAMP 1007 WHERE pk = 1 AND ck >= 'x'",
    f"INSERT INTO {KS}.kv (pk, ck, v, n) VALUES (4, 'b', 'ttl', 7) USING TTL 3600 AND TIMESTAMP 1008",
    f"UPDATE {KS}.kv USING TTL 60 AND TIMESTAMP 1009 SET v = 't' WHERE pk = 4 AND ck = 'b'",
    f"INSERT INTO {KS}.kv (pk, ck) VALUES (3, '') USING TIMESTAMP 1010",
    f"BEGIN UNLOGGED BATCH USING TIMESTAMP 1011 "
    f"UPDATE {KS}.kv SET v = 'p' WHERE pk = 5 AND ck = 'p'; "
    f"UPDATE {KS}.kv SET n = 9 WHERE pk = 5 AND ck = 'q'; APPLY BATCH",
    # wide: composite partition key, DESC clustering, static column
    f"INSERT INTO {KS}.wide (a, b, c1, c2, s, v) VALUES (1, 'x', 10, 'y', 'st', 5) USING TIMESTAMP 2000",
    f"UPDATE {KS}.wide USING TIMESTAMP 2001 SET s = 'st2' WHERE a = 1 AND b = 'x'",
    f"DELETE FROM {KS}.wide USING TIMESTAMP 2002 WHERE a = 1 AND b = 'x' AND c1 = 10",
    f"DELETE FROM {KS}.wide USING TIMESTAMP 2003 WHERE a = 1 AND b = 'x' AND c1 > 5 AND c1 < 20",
    f"DELETE s FROM {KS}.wide USING TIMESTAMP 2004 WHERE a = 1 AND b = 'x'",
    f"DELETE FROM {KS}.wide USING TIMESTAMP 2005 WHERE a = 1 AND b = 'x' AND c1 = 3 AND c2 = 'z'",
    # coll: collections, UDTs (frozen and not), tuple, vector
    f"INSERT INTO {KS}.coll (pk, l, s, m, u, fl, fu, fm, t, vec) VALUES (1, ['a', 'b'], {{1, 2}}, "
    "{'k': 1}, {street: 'main', zip: 1}, [1, 2], {street: 'f', zip: 2}, {1: 'one'}, (1, 't'), "
    "[1.0, 2.0, 3.0]) USING TIMESTAMP 3000",
    f"UPDATE {KS}.coll USING TIMESTAMP 3001 SET l = l + ['c'], s = s + {{3}}, m['k2'] = 2 WHERE pk = 1",
    f"UPDATE {KS}.coll USING TIMESTAMP 3002 SET s = s - {{1}} WHERE pk = 1",
    f"DELETE m['k'] FROM {KS}.coll USING TIMESTAMP 3003 WHERE pk = 1",
    f"UPDATE {KS}.coll USING TIMESTAMP 3004 SET u.zip = 9 WHERE pk = 1",
    f"UPDATE {KS}.coll USING TIMESTAMP 3005 SET l[0] = 'z' WHERE pk = 1",
    f"DELETE l FROM {KS}.coll USING TIMESTAMP 3006 WHERE pk = 1",
    f"UPDATE {KS}.coll USING TIMESTAMP 3007 SET m = {{'new': 5}} WHERE pk = 1",
    f"UPDATE {KS}.coll USING TIMESTAMP 3008 SET fl = null, vec = [4.0, 5.0, 6.0] WHERE pk = 1",
    f"UPDATE {KS}.coll USING TTL 100 AND TIMESTAMP 3009 SET s = s + {{9}} WHERE pk = 1",
    f"INSERT INTO {KS}.coll (pk, s, fm) VALUES (8, {{1}}, {{}}) USING TTL 200 AND TIMESTAMP 3010",
    # types: every scalar type, and a row of its key alone
    f"INSERT INTO {KS}.types (pk, a, bi, bl, bo, d, de, db, du, f, i, si, tm, ts, tu, ti, u, vi, vt) "
    "VALUES (1, 'asc', -5, 0xcafe, true, '2026-12-01', 12.345, 2.5, 1h2m3s, 1.5, '10.0.0.1', 7, "
    "'12:34:56.789', '2026-12-01T10:00:00Z', 50554d6e-29bb-11e5-b345-feff819cdc9f, -3, "
    "123e4567-e89b-12d3-a456-426614174000, 123456789012345678901234567890, 'é') USING TIMESTAMP 4000",
    f"INSERT INTO {KS}.types (pk) VALUES (2) USING TIMESTAMP 4001",
    # many: more than 64 columns, so the column subset is a count and indices
    f"UPDATE {KS}.many USING TIMESTAMP 5000 SET c00 = 0, c33 = 33, c69 = 69 WHERE pk = 1 AND ck = 0",
    # two rows of one partition: few columns, then all but two
    f"BEGIN UNLOGGED BATCH USING TIMESTAMP 5001 UPDATE {KS}.many SET c01 = 1, c02 = 2 WHERE pk = 2 AND ck = 1; "
    f"UPDATE {KS}.many SET {', '.join(f'c{i:02} = {i}' for i in range(70) if i not in (1, 5, 40))} WHERE pk = 2 AND ck = 2; "
    "APPLY BATCH",
    # a logged batch across two tables on the same key: one mutation, two updates
    f"BEGIN BATCH USING TIMESTAMP 6000 INSERT INTO {KS}.kv (pk, ck, v) VALUES (7, 'k', 'b1'); "
    f"INSERT INTO {KS}.coll (pk, s) VALUES (7, {{70}}); APPLY BATCH",
    # dropme: a column dropped after this write (the ALTER follows the list)
    f"INSERT INTO {KS}.dropme (pk, gone, kept) VALUES (1, 'old', 'k') USING TIMESTAMP 7000",
    # one collection overwritten, another appended to: the row has complex
    # deletions, so the appended one carries a LIVE deletion time
    f"UPDATE {KS}.coll USING TIMESTAMP 8000 SET l = ['x'], s = s + {{5}} WHERE pk = 1",
]

AFTER = [f"ALTER TABLE {KS}.dropme DROP gone"]


def scripts_cassandra(*args: str) -> str:
    return subprocess.run([str(ROOT / "scripts/cassandra"), *args], check=True, capture_output=True, text=True).stdout


def node_env(profile: str) -> dict[str, str]:
    env = scripts_cassandra("env", "--profile", profile)
    return dict(line.split("=", 1) for line in env.splitlines() if "=" in line)


def cdc_raw(profile: str) -> Path:
    return Path(node_env(profile)["PYCASSANDRA_NODE_DIR"]) / "cdc_raw"


def sections(path: Path) -> tuple[int, list[tuple[int, int, bytes]]]:
    """The segment's header length and its sections, every CRC checked (as
    scripts/cdc_walk.py): (logical end, file end, uncompressed bytes) each."""
    data = path.read_bytes()
    version, sid, plen = struct.unpack_from(">iqH", data, 0)
    params = json.loads(data[14 : 14 + plen])
    compressor = params.get("compressionClass")
    assert compressor in (None, "LZ4Compressor", "org.apache.cassandra.io.compress.LZ4Compressor"), f"{path}: {params}"
    pos = logical = 14 + plen + 4
    found = []
    while pos + 8 <= len(data):
        nxt, crc = struct.unpack_from(">iI", data, pos)
        if nxt == 0 and crc == 0:
            break
        assert crc == zlib.crc32(struct.pack(">iii", sid & 0xFFFFFFFF, sid >> 32, pos)), f"{path}@{pos}: marker"
        if compressor:
            (size,) = struct.unpack_from(">i", data, pos + 8)
            plain = lz4_block(data[pos + 16 : nxt], size)
            logical += 8 + size
        else:
            plain = data[pos + 8 : nxt]
            logical = nxt
        found.append((logical, nxt, plain))
        pos = nxt
    return 14 + plen + 4, found


def walk(path: Path, limit: int) -> list[bytes]:
    """Entry bodies up to `limit` (a logical position), every CRC checked."""
    bodies = []
    for end, _, plain in sections(path)[1]:
        if end > limit:
            break
        p = 0
        while p + 4 <= len(plain):
            (size,) = struct.unpack_from(">i", plain, p)
            if size == 0:
                break
            body = plain[p + 8 : p + 8 + size]
            crc_b = zlib.crc32(body, zlib.crc32(struct.pack(">i", size)))
            assert struct.unpack_from(">I", plain, p + 8 + size)[0] == crc_b, f"{path}@{end}: entry CRC"
            bodies.append(body)
            p += 12 + size
    return bodies


def file_end(path: Path, limit: int) -> int:
    """The file offset where the section ending at logical position `limit` ends."""
    header_len, found = sections(path)
    ends = {end: at for end, at, _ in found} | {header_len: header_len}
    return ends[limit]


def idx_offset(log: Path) -> int | None:
    idx = log.with_name(log.stem + "_cdc.idx")
    text = idx.read_text() if idx.exists() else ""
    return int(text.split("\n")[0]) if text else None


def segment_id(log: Path) -> int:
    return int(log.stem.split("-")[2])


def is_ours(body: bytes, ids: set[bytes]) -> bool:
    count_len = 1 if body[0] < 0x80 else 2
    return body[count_len : count_len + 16] in ids


def read_ours(directory: Path, ids: set[bytes], since: int) -> list[bytes]:
    ours = []
    for log in sorted(directory.glob("CommitLog-*.log"), key=segment_id):
        offset = idx_offset(log)
        if segment_id(log) < since or offset is None:
            continue
        ours += [body for body in walk(log, offset) if is_ours(body, ids)]
    return ours


def copy_lz4_segments(directory: Path, ids: set[bytes]) -> list[str]:
    """Copies of the segments holding entries of `ids`, cut at their idx offsets."""
    copied = []
    for log in sorted(directory.glob("CommitLog-*.log"), key=segment_id):
        offset = idx_offset(log)
        if offset is None or not any(is_ours(body, ids) for body in walk(log, offset)):
            continue
        (LZ4_DIR / log.name).write_bytes(log.read_bytes()[: file_end(log, offset)])
        (LZ4_DIR / f"{log.stem}_cdc.idx").write_text(str(offset))
        copied.append(log.name)
    return copied


def generate(host: str, directory: Path, out: Path, source: str) -> tuple[set[bytes], list[bytes]]:
    session = Cluster([host], port=9042).connect()
    session.execute(f"DROP KEYSPACE IF EXISTS {KS}")
    # Only segments from now on: older ones may hold an earlier run's keyspace.
    segments = sorted(segment_id(p) for p in directory.glob("CommitLog-*.log"))
    since = segments[-2] if len(segments) >= 2 else 0
    for cql in DDL:
        session.execute(cql)
    statements = STATEMENTS
    for cql in statements:
        session.execute(cql)
    for cql in AFTER:
        session.execute(cql)
    rows = session.execute(f"SELECT table_name, id FROM system_schema.tables WHERE keyspace_name = '{KS}'")
    ids = {row.table_name: row.id for row in rows}
    session.cluster.shutdown()
    wanted = {table_id.bytes for table_id in ids.values()}
    deadline = time.time() + 20
    while True:
        ours = read_ours(directory, wanted, since)
        if len(ours) >= len(statements) or time.time() > deadline:
            break
        time.sleep(0.2)
    if len(ours) != len(statements):
        sys.exit(f"{len(ours)} entries of {KS} in {directory}, {len(statements)} statements")
    lines = [
        f"# Entries written by Cassandra 5.0.8 ({source}) for scripts/cdc_golden.py's",
        "# statements, in order: one entry per statement. Regenerate with that script.",
    ]
    for name, table_id in sorted(ids.items()):
        lines.append(f"table {name} {uuid.UUID(str(table_id))}")
    # The DDL too, so that tests/src/cdc.rs can replay the statements on a node.
    lines += [f"ddl {cql}" for cql in DDL[1:]] + [f"after {cql}" for cql in AFTER]
    for cql, body in zip(statements, ours):
        lines.append(f"cql {cql}")
        lines.append(f"body {body.hex()}")
    out.write_text("\n".join(lines) + "\n")
    print(f"{out}: {len(ours)} entries")
    return wanted, ours


def main() -> None:
    if sys.argv[1:] == ["--lz4"]:
        # A node of its own, started empty and stopped after: not resident.
        scripts_cassandra("reset", "--profile", LZ4_PROFILE)
        scripts_cassandra("start", "--profile", LZ4_PROFILE)
        try:
            host = node_env(LZ4_PROFILE)["PYCASSANDRA_HOST"]
            directory = cdc_raw(LZ4_PROFILE)
            if LZ4_DIR.exists():
                shutil.rmtree(LZ4_DIR)
            LZ4_DIR.mkdir(parents=True)
            wanted, _ = generate(
                host, directory, LZ4_DIR / "mutations.txt", f"scripts/cassandra's {LZ4_PROFILE} profile"
            )
            copied = copy_lz4_segments(directory, wanted)
            print(f"{LZ4_DIR}: {', '.join(copied)}")
        finally:
            scripts_cassandra("stop", "--profile", LZ4_PROFILE)
        return
    if sys.argv[1:]:
        sys.exit(f"usage: {sys.argv[0]} [--lz4]")
    host = os.environ.get("PYCASSANDRA_CDC_HOST", "127.0.0.16")
    generate(host, cdc_raw("cdc"), OUT, "scripts/cassandra's cdc profile")


if __name__ == "__main__":
    main()
