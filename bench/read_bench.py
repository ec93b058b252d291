"""The read section of the benchmark: seeded tables scanned by pycassandra
(PySpark 4), the Spark Cassandra Connector 3.5.1 (PySpark 3.5) and
cassandra-driver alone, in one run against one node. Four cases: the narrow
table, the wide table, the narrow table at 100 rows per partition (every
column of every row read), and the narrow table pruned to one column.
Medians and spread of the repeats, client and node CPU per million rows,
client peak RSS, ratios. Every run must return every row and the same checksum."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "systems"))
import dataset  # noqa: E402
import measure  # noqa: E402

SYSTEMS = {
    "pycassandra": (
        "PySpark 4.0.1 + pycassandra, local[2]",
        os.path.join(ROOT, ".venv", "bin", "python"),
        "pycassandra_read.py",
    ),
    "scc": (
        "PySpark 3.5 + Spark Cassandra Connector 3.5.1, local[2], defaults",
        os.path.join(HERE, ".venv-scc", "bin", "python"),
        "scc_read.py",
    ),
    "driver": (
        "cassandra-driver alone, one paged SELECT",
        os.path.join(ROOT, ".venv", "bin", "python"),
        "driver_read.py",
    ),
}
# name: (table of dataset.py, what is read, what the report says)
CASES = {
    "narrow": ("narrow_single", "all", "narrow table (uuid, int, text, bigint), one row per partition, every column"),
    "wide": (
        "wide_single",
        "all",
        "wide table (20 columns, collections included), one row per partition, every column",
    ),
    "clustered": ("narrow_clustered", "all", "narrow table, 100 rows per partition, every column"),
    "pruned": (
        "narrow_single",
        "pruned",
        "narrow table, one row per partition, `total` only (pycassandra: a schema of one column; SCC: its own pruning; driver: SELECT total)",
    ),
}


def node_pid(profile: str) -> int:
    cache = os.environ.get("PYCASSANDRA_CACHE", os.path.expanduser("~/.cache/pycassandra"))
    with open(os.path.join(cache, "nodes", profile, "cassandra.pid"), encoding="ascii") as f:
        return int(f.read().strip())


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GiB, Linux {platform.release()}, Python {platform.python_version()}, {java}"


def names(text: str, known: dict, option: str) -> list:
    chosen = [name for name in text.split(",") if name]
    unknown = [name for name in chosen if name not in known]
    if unknown:
        raise SystemExit(f"{option}: unknown {unknown}; known: {', '.join(known)}")
    return chosen


def report(args, systems: list, cases: list, results: dict) -> str:
    per_million = 1e6 / args.rows
    lines = [
        f"# Read benchmark, {dt.date.today()}: {args.rows:,} rows per table",
        "",
        f"Machine: {machine()}. One Cassandra 5.0.8 node ({args.host}, 1 GiB heap) on the same machine.",
        f"Each system ran {args.repeats} times per case, in turn; every run returned all {args.rows:,} rows and the same sum.",
        "Rows/s time the scan itself (Spark session start excluded; shown separately); CPU and RSS cover the",
        "whole client process tree (Spark JVM and Python workers, or the Python process) for the whole run;",
        "the scan columns cover the timed job alone (the node's figure includes whatever else it served then).",
    ]
    if args.pycassandra_option:
        lines.append(f"pycassandra options: {', '.join(args.pycassandra_option)}.")
    for case in cases:
        lines += [
            "",
            f"## {case}: {CASES[case][2]}",
            "",
            "| system | median rows/s | min–max rows/s | median s with start-up | client CPU s / M rows | node CPU s / M rows | scan: client CPU s / M rows | scan: node CPU s / M rows | client peak RSS MiB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        medians = {}
        for name in systems:
            runs = [run for _, run, _ in results[case][name]]
            scans = [scan for _, _, scan in results[case][name]]
            rates = [args.rows / seconds for seconds, _, _ in results[case][name]]
            medians[name] = statistics.median(rates)
            lines.append(
                f"| {SYSTEMS[name][0]} | {medians[name]:,.0f} | {min(rates):,.0f}–{max(rates):,.0f} | "
                f"{statistics.median(r.seconds for r in runs):.1f} | "
                f"{statistics.median(r.client_cpu for r in runs) * per_million:.1f} | "
                f"{statistics.median(r.node_cpu for r in runs) * per_million:.1f} | "
                f"{statistics.median(c['scan_client_cpu'] for c in scans) * per_million:.1f} | "
                f"{statistics.median(c['scan_node_cpu'] for c in scans) * per_million:.1f} | "
                f"{max(r.peak_rss for r in runs) / 2**20:,.0f} |"
            )
        if "pycassandra" in medians:
            lines.append("")
            for name in systems:
                if name != "pycassandra":
                    lines.append(f"- pycassandra / {name}: {medians['pycassandra'] / medians[name]:.2f}× rows/s")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in each table")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--systems", default="pycassandra,scc,driver")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--keyspace", default="pyc_bench_read", help="its own: the write bench uses pyc_bench")
    parser.add_argument("--profile", default="default", help="scripts/cassandra profile of the node (for its CPU)")
    parser.add_argument(
        "--no-load", action="store_true", help="read the tables a previous run loaded with the same --rows"
    )
    parser.add_argument(
        "--pycassandra-option", action="append", default=[], help="key=value for pycassandra's reads (repeatable)"
    )
    parser.add_argument(
        "--results", default=os.path.join(HERE, "results"), help="directory for the Markdown report ('' for none)"
    )
    parser.add_argument("--label", default="", help="added to the report's file name")
    args = parser.parse_args()
    systems = names(args.systems, SYSTEMS, "--systems")
    cases = names(args.cases, CASES, "--cases")
    pid = node_pid(args.profile)
    connection = ["--host", args.host, "--keyspace", args.keyspace]

    tables = sorted({CASES[case][0] for case in cases})
    if not args.no_load:
        python = SYSTEMS["pycassandra"][1]
        load = os.path.join(HERE, "systems", "load_read_tables.py")
        loaded = measure.run([python, load, *connection, "--tables", ",".join(tables), "--rows", str(args.rows)], pid)
        for line in loaded.stdout.strip().splitlines():
            table = json.loads(line)
            print(f"loaded {table['rows']:,} rows into {table['table']} in {table['seconds']:.1f} s", flush=True)
    expected = {"rows": args.rows, "checksum": dataset.expected_checksum(args.rows)}

    results: dict = {case: {name: [] for name in systems} for case in cases}
    for case in cases:
        table, read, _ = CASES[case]
        for repeat in range(args.repeats):
            for name in systems:
                _, python, script = SYSTEMS[name]
                command = [python, os.path.join(HERE, "systems", script), *connection, "--table", table, "--read", read]
                if name == "pycassandra":
                    command += [f"--option={option}" for option in args.pycassandra_option]
                run = measure.run(command, pid, env={**os.environ, "PYCASSANDRA_BENCH_NODE_PID": str(pid)})
                seen = json.loads(run.stdout.strip().splitlines()[-1])
                if {"rows": seen["rows"], "checksum": seen["checksum"]} != expected:
                    raise SystemExit(f"{case}: {name} read {seen}, expected {expected}")
                results[case][name].append((seen["seconds"], run, seen))
                print(
                    f"{case} repeat {repeat + 1}: {name}: {args.rows / seen['seconds']:,.0f} rows/s "
                    f"({seen['seconds']:.1f} s scan, {run.seconds:.1f} s with start-up, "
                    f"client CPU {run.client_cpu:.1f} s, node CPU {run.node_cpu:.1f} s; during the scan "
                    f"{seen['scan_client_cpu']:.1f} s (JVM {seen['scan_jvm_cpu']:.1f}, Python "
                    f"{seen['scan_python_cpu']:.1f}) and {seen['scan_node_cpu']:.1f} s)",
                    flush=True,
                )

    text = report(args, systems, cases, results)
    print("\n" + text)
    if args.results:
        os.makedirs(args.results, exist_ok=True)
        label = f"-{args.label}" if args.label else ""
        path = os.path.join(args.results, f"{dt.date.today()}-read-{args.rows}{label}.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"written to {path}")


if __name__ == "__main__":
    main()
