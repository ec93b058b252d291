"""The lookup section of the benchmark: `--keys` keys (a tenth missing)
joined with the narrow table of `--rows` rows, in one run against one node,
by pycassandra.lookup (point reads), the Spark Cassandra Connector 3.5.1's
DirectJoin, and a plain Spark join after a full scan with each. Every run
must return the present keys and the same sum; medians and spread of the
repeats, keys/s, client and node CPU, client peak RSS, ratios.

usage: .venv/bin/python bench/lookup_bench.py [--rows 1000000] [--keys 100000] [--repeats 3]
       [--systems pycassandra,scc_direct,pycassandra_scan,scc_scan] [--no-load]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "systems"))
import measure
from lookup_keys import expected as expected_join
from read_bench import machine, node_pid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYC = os.path.join(ROOT, ".venv", "bin", "python")
SCC = os.path.join(HERE, ".venv-scc", "bin", "python")
SYSTEMS = {
    "pycassandra": ("pycassandra.lookup, PySpark 4.0.1, local[2]", PYC, ["lookup_pycassandra.py"]),
    "scc_direct": ("SCC 3.5.1 DirectJoin, PySpark 3.5, local[2]", SCC, ["lookup_scc.py", "--join", "direct"]),
    "pycassandra_scan": ("full pycassandra scan + Spark join, PySpark 4.0.1", PYC, ["lookup_pycassandra_scan.py"]),
    "scc_scan": ("full SCC scan + Spark join, PySpark 3.5", SCC, ["lookup_scc.py", "--join", "scan"]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--profile", default="default", help="scripts/cassandra profile of the node (for its CPU)")
    parser.add_argument("--no-load", action="store_true", help="reuse pyc_bench.narrow as loaded by an earlier run")
    parser.add_argument(
        "--results", default=os.path.join(HERE, "results"), help="directory for the report ('' for none)"
    )
    args = parser.parse_args()
    systems = [s for s in args.systems.split(",") if s]
    target = ["--host", args.host, "--keyspace", "pyc_bench", "--table", "narrow", "--rows", str(args.rows)]
    pid = node_pid(args.profile)
    if not args.no_load:
        load = measure.run([PYC, os.path.join(HERE, "systems", "load_narrow.py"), *target], pid)
        print(f"loaded: {load.stdout.strip().splitlines()[-1]}", flush=True)
    expected = expected_join(args.rows, args.keys)

    results: dict = {name: [] for name in systems}
    for repeat in range(args.repeats):
        for name in systems:
            _, python, script = SYSTEMS[name]
            command = [python, os.path.join(HERE, "systems", script[0]), *script[1:], *target, "--keys", str(args.keys)]
            run = measure.run(command, pid)
            seen = json.loads(run.stdout.strip().splitlines()[-1])
            if {"rows": seen["rows"], "checksum": seen["checksum"]} != expected:
                raise SystemExit(f"{name} joined {seen}, expected {expected}")
            results[name].append((seen["seconds"], run))
            print(
                f"repeat {repeat + 1}: {name}: {args.keys / seen['seconds']:,.0f} keys/s ({seen['seconds']:.1f} s)",
                flush=True,
            )

    per_million = 1e6 / args.keys
    lines = [
        f"# Lookup benchmark, {dt.date.today()}: {args.keys:,} keys ({args.keys // 10:,} missing) "
        f"joined with {args.rows:,} rows (uuid key; one row per partition)",
        "",
        f"Machine: {machine()}. One Cassandra 5.0.8 node ({args.host}, 1 GiB heap) on the same machine.",
        f"Each system ran {args.repeats} times, in turn; every run returned the {expected['rows']:,} present keys",
        "and the same sum. Keys/s time the join job itself (Spark session start excluded); CPU and RSS cover",
        "the whole client process tree for the whole run, and the node's CPU over the same time.",
        "",
        "| system | median keys/s | min–max keys/s | client CPU s / M keys | node CPU s / M keys | client peak RSS MiB |",
        "|---|---|---|---|---|---|",
    ]
    medians = {}
    for name in systems:
        runs = [run for _, run in results[name]]
        rates = [args.keys / seconds for seconds, _ in results[name]]
        medians[name] = statistics.median(rates)
        lines.append(
            f"| {SYSTEMS[name][0]} | {medians[name]:,.0f} | {min(rates):,.0f}–{max(rates):,.0f} | "
            f"{statistics.median(r.client_cpu for r in runs) * per_million:.1f} | "
            f"{statistics.median(r.node_cpu for r in runs) * per_million:.1f} | "
            f"{max(r.peak_rss for r in runs) / 2**20:,.0f} |"
        )
    if "pycassandra" in medians:
        lines.append("")
        lines.extend(
            f"- pycassandra.lookup / {name}: {medians['pycassandra'] / medians[name]:.2f}× keys/s"
            for name in systems
            if name != "pycassandra"
        )
    report = "\n".join(lines) + "\n"
    print("\n" + report)
    if args.results:
        os.makedirs(args.results, exist_ok=True)
        path = os.path.join(args.results, f"{dt.date.today()}-lookup-{args.keys}-of-{args.rows}.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write(report)
        print(f"written to {path}")


if __name__ == "__main__":
    main()
