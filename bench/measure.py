"""Runs one benchmark command and measures it from /proc (Linux): wall time,
CPU seconds of its whole process tree (Spark JVM, Python workers, or a
loader), the peak RSS of that tree, and the CPU seconds the node spent."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int):
    """(parent pid, own CPU seconds, RSS bytes) of a process."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(fields[21]) * PAGE


def cpu_seconds(pid: int) -> float:
    return _stat(pid)[1]


def _processes() -> dict:
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                table[int(entry)] = _stat(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return table


class ProcessTree:
    """Every process started under a root, followed even after its parent exits
    (PySpark's JVM outlives the Python process that started it)."""

    def __init__(self, root: int) -> None:
        self.members = {root}
        self.cpu: dict = {}
        self.peak_rss = 0

    def sample(self) -> bool:
        """Records CPU and RSS; whether any member still runs."""
        table = _processes()
        grown = True
        while grown:
            children = {pid for pid, (parent, _, _) in table.items() if parent in self.members} - self.members
            self.members |= children
            grown = bool(children)
        alive = [pid for pid in self.members if pid in table]
        for pid in alive:
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), table[pid][1])
        self.peak_rss = max(self.peak_rss, sum(table[pid][2] for pid in alive))
        return bool(alive)


@dataclass
class Measurement:
    seconds: float
    client_cpu: float
    node_cpu: float
    peak_rss: int
    stdout: str


def run(command: list, node_pid: int, env: dict | None = None, timeout: float = 3600) -> Measurement:
    """Client CPU sums the own CPU time of every process in the command's tree,
    sampled every 0.1 s until the last one exits."""
    node_before = cpu_seconds(node_pid)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    tree = ProcessTree(process.pid)

    def follow():
        while tree.sample() or process.poll() is None:
            time.sleep(0.1)

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    stdout, stderr = process.communicate(timeout=timeout)
    seconds = time.perf_counter() - started
    follower.join(timeout=60)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    return Measurement(seconds, sum(tree.cpu.values()), cpu_seconds(node_pid) - node_before, tree.peak_rss, stdout)
