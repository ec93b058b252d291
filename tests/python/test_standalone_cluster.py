"""A real Spark cluster: a standalone master and one worker started from the
pip-installed PySpark on 127.0.0.1, executors whose Python environment is a
venv-pack archive shipped with spark.archives (as PySpark documents for
clusters), and a write and a read job against the node.

The master and the worker are started here and stopped at the end, on failure
too (their process group: the worker's executors and Python workers go with it).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import NODE_HOST, NODE_PORT

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def free_port(preferred: int | None = None) -> int:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", preferred or 0))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, check, timeout: float, logs: list[Path]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {log}\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists())
    pytest.fail(f"{what} within {timeout:.0f} s\n{tails}")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def alive_workers(webui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{webui_port}/json/", timeout=2) as answer:
            return int(json.load(answer).get("aliveworkers", 0))
    except OSError:
        return 0


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group this test started, SIGKILL after 30 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def cluster_env(spark_home: str, tmp: Path) -> dict[str, str]:
    """The daemons' environment: nothing of the test's venv (no PYTHONPATH,
    PYSPARK_PYTHON or venv on PATH), so executors can only use the archive."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env = {
        "PATH": path,
        "HOME": os.environ.get("HOME", str(tmp)),
        "SPARK_HOME": spark_home,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOG_DIR": str(tmp / "logs"),
        "SPARK_WORKER_DIR": str(tmp / "work"),
        "LANG": "C.UTF-8",
    }
    if "JAVA_HOME" in os.environ:
        env["JAVA_HOME"] = os.environ["JAVA_HOME"]
    return env


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    import pyspark

    spark_home = os.path.dirname(pyspark.__file__)
    spark_class = os.path.join(spark_home, "bin", "spark-class")
    tmp = tmp_path_factory.mktemp("standalone")
    env = cluster_env(spark_home, tmp)
    master_port, master_ui = free_port(7077), free_port()
    worker_port, worker_ui = free_port(), free_port()
    master_log, worker_log = tmp / "master.log", tmp / "worker.log"
    started = []
    try:
        with open(master_log, "w") as log:
            master = subprocess.Popen(
                [
                    spark_class,
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(master_port),
                    "--webui-port",
                    str(master_ui),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(master)
        wait_for("the master did not listen", lambda: port_open(master_port), 90, [master_log])
        url = f"spark://127.0.0.1:{master_port}"
        with open(worker_log, "w") as log:
            worker = subprocess.Popen(
                [
                    spark_class,
                    "org.apache.spark.deploy.worker.Worker",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(worker_port),
                    "--webui-port",
                    str(worker_ui),
                    "--cores",
                    "2",
                    "--memory",
                    "2g",
                    "--work-dir",
                    str(tmp / "work"),
                    url,
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(worker)
        wait_for(
            "no worker registered with the master", lambda: alive_workers(master_ui) >= 1, 90, [master_log, worker_log]
        )
        yield {"url": url, "tmp": tmp, "logs": [master_log, worker_log]}
    finally:
        for process in reversed(started):
            stop(process)


def pinned(requirement: str) -> str:
    text = (ROOT / "requirements" / "dev.txt").read_text()
    match = re.search(rf"^{re.escape(requirement)}==\S+", text, re.MULTILINE)
    assert match, f"{requirement} is not pinned in requirements/dev.txt"
    return match.group(0)


@pytest.fixture(scope="module")
def executor_archive(tmp_path_factory):
    """A venv with only pyarrow and the pycassandra wheel, packed by venv-pack."""
    wheels = sorted((ROOT / "target" / "wheels").glob("pycassandra-*.whl"))
    assert wheels, "no wheel in target/wheels: run scripts/venv"
    tmp = tmp_path_factory.mktemp("executor-env")
    venv = tmp / "venv"
    base_python = getattr(sys, "_base_executable", None) or "python3"
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            pinned("pyarrow"),
            str(wheels[-1]),
        ],
        check=True,
        timeout=600,
    )
    archive = tmp / "pycassandra-env.tar.gz"
    venv_pack = Path(sys.executable).parent / "venv-pack"
    subprocess.run([str(venv_pack), "-p", str(venv), "-o", str(archive), "-q"], check=True, timeout=600)
    return archive


def test_a_write_and_a_read_job_on_a_standalone_cluster(standalone, executor_archive, cql):
    keyspace = f"pyc_cluster_{uuid.uuid4().hex}"
    cql.execute(f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}")
    cql.execute(f"CREATE TABLE {keyspace}.numbers (id int PRIMARY KEY, doubled bigint)")
    results_path = standalone["tmp"] / f"{keyspace}.json"
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("PYSPARK_PYTHON", "SPARK_REMOTE")}
        job = subprocess.run(
            [
                sys.executable,
                str(HERE / "cluster_job.py"),
                str(results_path),
                standalone["url"],
                str(executor_archive),
                NODE_HOST,
                str(NODE_PORT),
                keyspace,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if not results_path.exists():
            logs = "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-3000:]}" for p in standalone["logs"])
            pytest.fail(f"the cluster job failed (exit {job.returncode}):\n{job.stderr[-8000:]}\n{logs}")
        results = json.loads(results_path.read_text())
        for executor in results["executors"]:
            # The executors' Python is the shipped archive, unpacked in the worker's directory.
            assert executor["executable"].endswith("environment/bin/python"), executor
            assert str(standalone["tmp"] / "work") in os.path.realpath(executor["pycassandra"]), executor
            assert str(Path(sys.executable).parent.parent) not in executor["pycassandra"], executor
        assert results["read_count"] == 1000
        assert results["read_sum"] == sum(2 * i for i in range(1000))
        assert results["filtered"] == [0, 1, 2, 3, 4]
        assert cql.execute(f"SELECT count(*) FROM {keyspace}.numbers").one()[0] == 1000
    finally:
        cql.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")
