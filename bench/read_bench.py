"""The read section of the benchmark: one seeded table scanned by pycassandra
(PySpark 4), the Spark Cassandra Connector 3.5.1 (PySpark 3.5) and
cassandra-driver alone, in one run against one node; medians and spread of
the repeats, client and node CPU per million rows, client peak RSS, ratios.
Every run must return every row and the same checksum."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
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


def node_pid(profile: str) -> int:
    cache = os.environ.get("PYCASSANDRA_CACHE", os.path.expanduser("~/.cache/pycassandra"))
    with open(os.path.join(cache, "nodes", profile, "cassandra.pid"), encoding="ascii") as f:
        return int(f.read().strip())


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GiB, Linux {platform.release()}, Python {platform.python_version()}, {java}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--systems", default="pycassandra,scc,driver")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--profile", default="default", help="scripts/cassandra profile of the node (for its CPU)")
    parser.add_argument(
        "--results", default=os.path.join(HERE, "results"), help="directory for the Markdown report ('' for none)"
    )
    args = parser.parse_args()
    systems = [s for s in args.systems.split(",") if s]
    target = ["--host", args.host, "--keyspace", "pyc_bench", "--table", "narrow"]
    pid = node_pid(args.profile)

    load = measure.run(
        [SYSTEMS["pycassandra"][1], os.path.join(HERE, "systems", "load_narrow.py"), *target, "--rows", str(args.rows)],
        pid,
    )
    loaded = json.loads(load.stdout.strip().splitlines()[-1])
    expected = {"rows": loaded["rows"], "checksum": loaded["checksum"]}
    print(f"loaded {expected['rows']} rows in {loaded['seconds']:.1f} s", flush=True)

    results: dict = {name: [] for name in systems}
    for repeat in range(args.repeats):
        for name in systems:
            _, python, script = SYSTEMS[name]
            run = measure.run([python, os.path.join(HERE, "systems", script), *target], pid)
            seen = json.loads(run.stdout.strip().splitlines()[-1])
            if {"rows": seen["rows"], "checksum": seen["checksum"]} != expected:
                raise SystemExit(f"{name} read {seen}, expected {expected}")
            results[name].append((seen["seconds"], run))
            print(
                f"repeat {repeat + 1}: {name}: {args.rows / seen['seconds']:,.0f} rows/s ({seen['seconds']:.1f} s scan, {run.seconds:.1f} s with start-up)",
                flush=True,
            )

    per_million = 1e6 / args.rows
    lines = [
        f"# Read benchmark, {dt.date.today()}: {args.rows:,} rows (uuid, text, int, bigint; one row per partition)",
        "",
        f"Machine: {machine()}. One Cassandra 5.0.8 node ({args.host}, 1 GiB heap) on the same machine.",
        f"Each system ran {args.repeats} times, in turn; every run returned all {args.rows:,} rows and the same sum.",
        "Rows/s time the scan itself (Spark session start excluded; shown separately); CPU and RSS cover the",
        "whole client process tree (Spark JVM and Python workers, or the Python process) for the whole run.",
        "",
        "| system | median rows/s | min–max rows/s | median s with start-up | client CPU s / M rows | node CPU s / M rows | client peak RSS MiB |",
        "|---|---|---|---|---|---|---|",
    ]
    medians = {}
    for name in systems:
        runs = [run for _, run in results[name]]
        rates = [args.rows / seconds for seconds, _ in results[name]]
        medians[name] = statistics.median(rates)
        lines.append(
            f"| {SYSTEMS[name][0]} | {medians[name]:,.0f} | {min(rates):,.0f}–{max(rates):,.0f} | "
            f"{statistics.median(r.seconds for r in runs):.1f} | "
            f"{statistics.median(r.client_cpu for r in runs) * per_million:.1f} | "
            f"{statistics.median(r.node_cpu for r in runs) * per_million:.1f} | "
            f"{max(r.peak_rss for r in runs) / 2**20:,.0f} |"
        )
    if "pycassandra" in medians:
        lines.append("")
        for name in systems:
            if name != "pycassandra":
                lines.append(f"- pycassandra / {name}: {medians['pycassandra'] / medians[name]:.2f}× rows/s")
    report = "\n".join(lines) + "\n"
    print("\n" + report)
    if args.results:
        os.makedirs(args.results, exist_ok=True)
        path = os.path.join(args.results, f"{dt.date.today()}-read-{args.rows}.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(report)
        print(f"written to {path}")


if __name__ == "__main__":
    main()
