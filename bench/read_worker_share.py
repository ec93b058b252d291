"""What a Spark Python worker spends per row of a pycassandra scan, outside
Spark: the read job's tasks scanned in this process (the Rust fetch and decode
into Arrow, handed to pyarrow), then the same with what PySpark's worker does
to each batch after (wrap it in a struct column, write it as an Arrow IPC
stream, here to a null sink). CPU is this process's, every thread included.
Every pass must read the rows read_bench.py loaded, with their sum."""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "systems"))
import dataset  # noqa: E402


class _NullSink(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return len(data)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--keyspace", default="pyc_bench_read")
    parser.add_argument("--table", default="narrow_single", help="a table read_bench.py loaded")
    parser.add_argument("--rows", type=int, required=True, help="the rows read_bench.py loaded into it (its --rows)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--option", action="append", default=[], help="key=value for the source (repeatable)")
    args = parser.parse_args()
    import pyarrow as pa
    import pyarrow.compute as pc

    from pycassandra import _native

    job = _native.ReadJob(
        {
            "host": args.host,
            "keyspace": args.keyspace,
            "table": args.table,
            **dict(o.split("=", 1) for o in args.option),
        }
    )
    job.check(job.schema())
    tasks = job.tasks()
    expected = (args.rows, dataset.expected_checksum(args.rows))
    cpu: dict = {"scan": [], "scan + IPC": []}
    for round_ in range(args.rounds):
        for stage in cpu:
            before, started, rows, total, batches = _cpu(), time.perf_counter(), 0, 0, 0
            writer = None
            sink = io.BufferedWriter(_NullSink(), 65536)
            for task in tasks:
                for split in task:
                    for batch in job.scan(split):
                        rows, batches = rows + batch.num_rows, batches + 1
                        total += pc.sum(batch.column("total")).as_py() or 0
                        if stage == "scan + IPC":
                            struct = pa.StructArray.from_arrays(batch.columns, fields=pa.struct(list(batch.schema)))
                            wrapped = pa.RecordBatch.from_arrays([struct], ["_0"])
                            writer = writer or pa.RecordBatchStreamWriter(sink, wrapped.schema)
                            writer.write_batch(wrapped)
            if writer is not None:
                writer.close()
            spent, seconds = _cpu() - before, time.perf_counter() - started
            if (rows, total) != expected:
                raise SystemExit(f"{stage}: read {rows:,} rows with sum(total) {total}, expected {expected}")
            cpu[stage].append(spent * 1e6 / rows)
            print(
                f"round {round_ + 1}: {stage}: {rows:,} rows in {batches} batches, {spent:.2f} CPU s, {seconds:.1f} s",
                flush=True,
            )
    print("\n| stage | CPU s / M rows, median | min–max |\n|---|---|---|")
    for stage, values in cpu.items():
        print(f"| {stage} | {statistics.median(values):.2f} | {min(values):.2f}–{max(values):.2f} |")


if __name__ == "__main__":
    main()
