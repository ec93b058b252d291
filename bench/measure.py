"""Runs one benchmark command and measures it from /proc (Linux): wall time,
CPU seconds of its whole process tree (Spark JVM, Python workers, or a
loader), the peak RSS of that tree, and the CPU seconds the node spent."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int):
    """(parent pid, CPU seconds incl. reaped children, RSS bytes) of a process."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK
    return int(fields[1]), cpu, int(fields[21]) * PAGE


def cpu_seconds(pid: int) -> float:
    return _stat(pid)[1]


def _tree(root: int) -> dict:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = _stat(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    members, frontier = {}, [root]
    while frontier:
        pid = frontier.pop()
        if pid in parents and pid not in members:
            members[pid] = parents[pid]
            frontier.extend(child for child, (parent, _, _) in parents.items() if parent == pid)
    return members


@dataclass
class Measurement:
    seconds: float
    client_cpu: float
    node_cpu: float
    peak_rss: int
    stdout: str


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list, node_pid: int, env: dict | None = None, timeout: float = 3600) -> Measurement:
    """CPU of the client is that of the command and every descendant its parents waited for
    (Spark reaps its Python workers), from the kernel's accounting, not from sampling."""
    node_before = cpu_seconds(node_pid)
    children_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = [0]

    def sample():
        while process.poll() is None:
            tree = _tree(process.pid)
            peak[0] = max(peak[0], sum(rss for (_, _, rss) in tree.values()))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate(timeout=timeout)
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    client_cpu = _children_cpu() - children_before
    return Measurement(seconds, client_cpu, cpu_seconds(node_pid) - node_before, peak[0], stdout)
