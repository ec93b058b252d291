"""pycassandra's Spark scan of one loaded table with different source options,
interleaved repeat by repeat (A, B, A, B, ...) so that a shared machine's load
falls on each alike: median rows/s with spread, and the scan's client CPU (Spark
JVM, Python workers) and node CPU per million rows. Every run must return the
rows read_bench.py loaded, with their sum."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "systems"))
import dataset  # noqa: E402
import measure  # noqa: E402
from read_bench import node_pid  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True, help="the rows read_bench.py loaded (its --rows)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--table", default="narrow_single")
    parser.add_argument("--keyspace", default="pyc_bench_read")
    parser.add_argument("--profile", default="default")
    parser.add_argument("variants", nargs="+", help="'default' or key=value[,key=value] source options, each a variant")
    args = parser.parse_args()
    pid = node_pid(args.profile)
    expected = (args.rows, dataset.expected_checksum(args.rows))
    per_million = 1e6 / args.rows
    results: dict = {variant: [] for variant in args.variants}
    for repeat in range(args.repeats):
        for variant in args.variants:
            options = [] if variant == "default" else [f"--option={o}" for o in variant.split(",")]
            command = [
                os.path.join(ROOT, ".venv", "bin", "python"),
                os.path.join(HERE, "systems", "pycassandra_read.py"),
            ]
            command += ["--keyspace", args.keyspace, "--table", args.table, "--read", "all", *options]
            run = measure.run(command, pid, env={**os.environ, "PYCASSANDRA_BENCH_NODE_PID": str(pid)})
            seen = json.loads(run.stdout.strip().splitlines()[-1])
            if (seen["rows"], seen["checksum"]) != expected:
                raise SystemExit(f"{variant}: read {seen}, expected {expected}")
            results[variant].append(seen)
            print(
                f"repeat {repeat + 1}: {variant}: {args.rows / seen['seconds']:,.0f} rows/s, scan client "
                f"{seen['scan_client_cpu'] * per_million:.1f} (JVM {seen['scan_jvm_cpu'] * per_million:.1f}, Python "
                f"{seen['scan_python_cpu'] * per_million:.1f}), node {seen['scan_node_cpu'] * per_million:.1f} CPU s / M rows",
                flush=True,
            )
    print(
        "\n| options | median rows/s | min–max | scan: client CPU s / M rows | of it JVM | of it Python | scan: node |"
        "\n|---|---|---|---|---|---|---|"
    )
    for variant, runs in results.items():
        rates = [args.rows / run["seconds"] for run in runs]

        def median(key: str, runs: list = runs) -> float:
            return statistics.median(run[key] for run in runs) * per_million

        print(
            f"| {variant} | {statistics.median(rates):,.0f} | {min(rates):,.0f}–{max(rates):,.0f} | "
            f"{median('scan_client_cpu'):.1f} | {median('scan_jvm_cpu'):.1f} | {median('scan_python_cpu'):.1f} | "
            f"{median('scan_node_cpu'):.1f} |"
        )


if __name__ == "__main__":
    main()
