"""The write section of the benchmark: the seeded data set of
systems/dataset.py written into one local node by every system, in turn, in
one run; the table truncated before each run and checked after it (count and
sum of `total`); medians and spread of the repeats, client and node CPU per
million rows, client peak RSS, ratios against the ceiling and the peers; a
Markdown report and a PNG chart in bench/results/."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "systems"))
import dataset  # noqa: E402
import measure  # noqa: E402
from read_bench import machine, node_pid  # noqa: E402

VENV = os.path.join(ROOT, ".venv", "bin", "python")
VENV_SCC = os.path.join(HERE, ".venv-scc", "bin", "python")
# The Rust loader; the test smoke run points this at a debug build.
LOADER = os.environ.get("PYCASSANDRA_BENCH_LOADER", os.path.join(ROOT, "target", "release", "examples", "write_loader"))
SPARK_WRITE = os.path.join(HERE, "systems", "write_spark.py")
# name: (what it is, how it runs: "loader" or the Python that runs write_spark.py)
SYSTEMS = {
    "ceiling": ("scylla driver alone: prepared INSERT, best concurrency of the sweep (Rust)", "loader"),
    "typed": ("CassandraWriter<T>, #[derive(CassandraRow)] (Rust)", "loader"),
    "arrow": ("CassandraWriter, Arrow batches (Rust)", "loader"),
    "pycassandra": ("pycassandra, PySpark 4.0.1, default options", VENV),
    "pycassandra_tuned": ("pycassandra, PySpark 4.0.1, batch_grouping=replica_set, batch_size=256", VENV),
    "plan": ("the original plan's pure-Python source (bench/peers), PySpark 4.0.1", VENV),
    "scc": ("Spark Cassandra Connector 3.5.1, PySpark 3.5, defaults", VENV_SCC),
    "scc_tuned": (
        "Spark Cassandra Connector 3.5.1, PySpark 3.5, tuned (concurrent.writes=64, batch.grouping.key=replica_set, batch.size.bytes=8192)",
        VENV_SCC,
    ),
    "spark_floor": (
        "PySpark 4.0.1 into an Arrow sink that only counts: Spark's own cost, no Cassandra (table not checked)",
        VENV,
    ),
}
PYSPARK_SYSTEMS = ("pycassandra", "pycassandra_tuned")
PEERS = ("plan", "scc", "scc_tuned")


class Node:
    """The node under test, through cassandra-driver: tables, truncation, checks."""

    def __init__(self, host: str, keyspace: str) -> None:
        from cassandra.cluster import Cluster

        self.cluster = Cluster([host], protocol_version=5)
        self.session = self.cluster.connect()
        self.session.default_timeout = 120
        self.keyspace = keyspace
        self.session.execute(
            f"CREATE KEYSPACE IF NOT EXISTS {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
        )

    def prepare(self, table: str, layout: str) -> str:
        self.session.execute(dataset.create_table_cql(self.keyspace, table, layout))
        return dataset.table_name(table, layout)

    def truncate(self, table: str) -> None:
        self.session.execute(f"TRUNCATE {self.keyspace}.{table}", timeout=300)

    def count_and_sum(self, table: str) -> tuple:
        """count(*) and sum(total) over 64 token ranges, queried concurrently."""
        from cassandra.concurrent import execute_concurrent_with_args

        statement = self.session.prepare(
            f"SELECT count(*), sum(total) FROM {self.keyspace}.{table} WHERE token(id) > ? AND token(id) <= ?"
        )
        step = 2**64 // 64
        bounds = [-(2**63) + k * step for k in range(64)] + [2**63 - 1]
        ranges = list(zip(bounds, bounds[1:]))
        results = execute_concurrent_with_args(
            self.session, statement, ranges, concurrency=8, raise_on_first_error=True
        )
        rows = total = 0
        for result in results:
            count, summed = result.result_or_exc.one()
            rows, total = rows + count, total + (summed or 0)
        return rows, total


def command(system: str, table: str, layout: str, rows: int, concurrency: int, host: str) -> list:
    target = ["--table", table, "--layout", layout, "--rows", str(rows), "--host", host]
    if SYSTEMS[system][1] == "loader":
        return [LOADER, "--system", system, "--concurrency", str(concurrency), *target]
    return [SYSTEMS[system][1], SPARK_WRITE, "--system", system, *target]


def timed_run(node: Node, pid: int, system: str, table: str, layout: str, rows: int, concurrency: int, host: str):
    """Truncates, writes, checks the table holds exactly the rows written."""
    name = node.prepare(table, layout)
    node.truncate(name)
    run = measure.run(command(system, table, layout, rows, concurrency, host), pid)
    written = json.loads(run.stdout.strip().splitlines()[-1])
    # A short-lived loader can exit between two samples; it reports its own CPU too.
    run.client_cpu = max(run.client_cpu, written.get("cpu", 0.0))
    if system == "spark_floor":
        return written["seconds"], run
    stored = node.count_and_sum(name)
    expected = (rows, dataset.expected_checksum(rows))
    if stored != expected or (written["rows"], written["checksum"]) != expected:
        raise SystemExit(f"{system} on {name}: the table holds {stored} (rows, sum of total), expected {expected}")
    return written["seconds"], run


def failure_reason(error: RuntimeError) -> str:
    """The last exception line of a failed run's stderr, for the report."""
    lines = [line.strip() for line in str(error).splitlines() if re.search(r"(Exception|Error)\b", line)]
    return (lines[-1] if lines else str(error).splitlines()[0])[:200]


def attempted_run(node: Node, pid: int, system: str, combo: tuple, args, concurrency: int, failures: list):
    """A run, tried again once if it fails (a write timeout on the shared 2-core node is
    not a verdict on the system); the failed attempt goes into the report."""
    table, layout = combo
    try:
        return timed_run(node, pid, system, table, layout, args.rows, concurrency, args.host)
    except RuntimeError as error:
        failures.append((system, failure_reason(error)))
        print(f"{table}/{layout}: {system} failed, trying once more: {failures[-1][1]}", flush=True)
    return timed_run(node, pid, system, table, layout, args.rows, concurrency, args.host)


def sweep(node: Node, pid: int, table: str, layout: str, rows: int, levels: list, host: str) -> tuple:
    rates = {}
    for level in levels:
        seconds, _ = timed_run(node, pid, "ceiling", table, layout, rows, level, host)
        rates[level] = rows / seconds
        print(f"  sweep {table}/{layout}: concurrency {level}: {rates[level]:,.0f} rows/s", flush=True)
    return max(rates, key=rates.get), rates


def report(args, systems: list, combos: list, results: dict, sweeps: dict, failures: dict) -> str:
    per_million = 1e6 / args.rows
    lines = [
        f"# Write benchmark, {dt.date.today()}: {args.rows:,} rows per run",
        "",
        f"Machine: {machine()}. One Cassandra 5.0 node ({args.host}, 1 GiB heap) on the same machine,",
        "sharing its 2 cores with the client. Each system wrote the same seeded data set (bench/systems/dataset.py)",
        f"{args.repeats} times, in turn, into a freshly truncated table; after every run the table held exactly",
        "the rows written (count and sum of `total` checked on the node). Rows/s time the write itself (Spark start-up",
        "excluded); client CPU covers the whole client process tree (Spark JVM and Python workers, or the Rust",
        "loader) for the whole run, start-up included; node CPU is the Cassandra process's during the run.",
        "",
    ]
    for system in systems:
        lines.append(f"- `{system}`: {SYSTEMS[system][0]}")
    for combo in combos:
        table, layout = combo
        best, rates = sweeps[combo]
        lines += [
            "",
            f"## {table} table ({len(dataset.COLUMNS[table])} columns), {'one row per partition' if layout == 'single' else f'{dataset.ROWS_PER_PARTITION} rows per partition'}",
            "",
            "Ceiling sweep (requests in flight → rows/s, "
            + f"{min(args.rows, args.sweep_rows):,} rows): "
            + ", ".join(f"{level} → {rate:,.0f}" for level, rate in rates.items())
            + f"; best {best}.",
            "",
            "| system | median rows/s | min–max rows/s | × ceiling | client CPU s / M rows | client CPU µs / row | node CPU s / M rows | client peak RSS MiB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        medians = {s: statistics.median(args.rows / sec for sec, _ in results[combo][s]) for s in systems}
        for system in systems:
            runs = results[combo][system]
            rates_seen = [args.rows / sec for sec, _ in runs]
            client = statistics.median(run.client_cpu for _, run in runs) * per_million
            lines.append(
                f"| {system} | {medians[system]:,.0f} | {min(rates_seen):,.0f}–{max(rates_seen):,.0f} | "
                + (f"{medians[system] / medians['ceiling']:.2f} | " if "ceiling" in medians else "– | ")
                + f"{client:.1f} | {client:.2f} | "
                f"{statistics.median(run.node_cpu for _, run in runs) * per_million:.1f} | "
                f"{max(run.peak_rss for _, run in runs) / 2**20:,.0f} |"
            )
        if "spark_floor" in medians:
            floor = statistics.median(run.client_cpu for _, run in results[combo]["spark_floor"]) * per_million
            over = [
                f"{s}: {statistics.median(run.client_cpu for _, run in results[combo][s]) * per_million - floor:.1f} µs"
                for s in systems
                if s not in ("spark_floor",) and SYSTEMS[s][1] != "loader"
            ]
            lines += [
                "",
                "Client CPU per row above Spark's own (spark_floor, JVM start-up included there too): "
                + "; ".join(over)
                + ".",
            ]
        ratios = [
            f"{ours} / {peer}: {medians[ours] / medians[peer]:.2f}×"
            for ours in PYSPARK_SYSTEMS
            if ours in medians
            for peer in PEERS
            if peer in medians
        ]
        if ratios:
            lines += ["", "Rows/s ratios: " + "; ".join(ratios) + "."]
        if failures[combo]:
            lines += ["", "Failed attempts, each run again (the repeats above are the runs that succeeded):"]
            lines += [f"- `{system}`: {reason}" for system, reason in failures[combo]]
    return "\n".join(lines) + "\n"


def chart(path: str, systems: list, combos: list, results: dict, rows: int) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart (scripts/bench installs it)", file=sys.stderr)
        return False
    figure, axes = plt.subplots(2, 1, figsize=(max(8, 1.6 * len(systems) * len(combos) / 2), 8))
    width = 0.8 / len(systems)
    for index, system in enumerate(systems):
        xs = [c + index * width for c in range(len(combos))]
        rates = [statistics.median(rows / sec for sec, _ in results[combo][system]) for combo in combos]
        cpu = [statistics.median(run.client_cpu for _, run in results[combo][system]) * 1e6 / rows for combo in combos]
        axes[0].bar(xs, rates, width, label=system)
        axes[1].bar(xs, cpu, width, label=system)
    for axis, title in zip(axes, ("rows/s (median)", "client CPU µs per row (median)")):
        axis.set_xticks([c + 0.4 - width / 2 for c in range(len(combos))])
        axis.set_xticklabels([f"{table}/{layout}" for table, layout in combos])
        axis.set_title(title)
    axes[0].legend(fontsize="small", ncol=4)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return True


def write_results(args, systems: list, combos: list, results: dict, text: str) -> None:
    if not args.results:
        return
    os.makedirs(args.results, exist_ok=True)
    stem = os.path.join(args.results, f"{dt.date.today()}-write-{args.rows}{'-' + args.label if args.label else ''}")
    if chart(stem + ".png", systems, combos, results, args.rows):
        text += f"\n![rows/s and client CPU per row]({os.path.basename(stem)}.png)\n"
    with open(stem + ".md", "w", encoding="utf-8") as f:
        f.write(text)
    print(f"written to {stem}.md", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--tables", default=",".join(dataset.TABLES))
    parser.add_argument("--layouts", default=",".join(dataset.LAYOUTS))
    parser.add_argument("--sweep", default="32,128,512", help="requests in flight tried for the ceiling")
    parser.add_argument("--sweep-rows", type=int, default=200_000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--keyspace", default="pyc_bench")
    parser.add_argument("--profile", default="default", help="scripts/cassandra profile of the node (for its CPU)")
    parser.add_argument(
        "--results", default=os.path.join(HERE, "results"), help="directory for the report and chart ('' for none)"
    )
    parser.add_argument("--label", default="", help="added to the report's file name")
    args = parser.parse_args()
    systems = [s for s in args.systems.split(",") if s]
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise SystemExit(f"--systems: unknown {unknown}; known: {', '.join(SYSTEMS)}")
    combos = [
        (table, layout) for table in args.tables.split(",") if table for layout in args.layouts.split(",") if layout
    ]
    pid = node_pid(args.profile)
    node = Node(args.host, args.keyspace)

    results: dict = {combo: {s: [] for s in systems} for combo in combos}
    failures: dict = {combo: [] for combo in combos}
    sweeps = {}
    done = []
    for combo in combos:
        table, layout = combo
        levels = [int(level) for level in args.sweep.split(",")]
        sweeps[combo] = sweep(node, pid, table, layout, min(args.rows, args.sweep_rows), levels, args.host)
        for repeat in range(args.repeats):
            for system in systems:
                seconds, run = attempted_run(node, pid, system, combo, args, sweeps[combo][0], failures[combo])
                results[combo][system].append((seconds, run))
                print(
                    f"{table}/{layout} repeat {repeat + 1}: {system}: {args.rows / seconds:,.0f} rows/s "
                    f"({seconds:.1f} s write, {run.seconds:.1f} s with start-up, client CPU {run.client_cpu:.1f} s)",
                    flush=True,
                )
        done.append(combo)
        # Written after every table and layout, so a late failure keeps what was measured.
        text = report(args, systems, done, results, sweeps, failures)
        write_results(args, systems, done, results, text)
    print("\n" + text)
    node.cluster.shutdown()


if __name__ == "__main__":
    main()
