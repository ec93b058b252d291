"""Unit tests of scripts/cassandra that need no node: the rendered cassandra.yaml
of every profile, the profile table against the docs and the help, the command
line, that a pid file naming another process is never signalled, and the
lifecycle (detached start, status, stop, a start-up exit) with a stand-in for
java: the real node's lifecycle runs in scripts/test and the fault tests.

The files in cassandra-yaml/ are what the bash script this one replaced wrote
(2026-12-01, cache /cache); a change to a profile's yaml shows up here as a diff.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "cassandra"
GOLDEN = Path(__file__).resolve().parent / "cassandra-yaml"
DOCS = (ROOT / "docs" / "cassandra-node.md").read_text()


def _load_script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("cassandra_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up here
    loader.exec_module(module)
    return module


node = _load_script()
# Every command run() dispatches; the help and the docs must list each.
COMMANDS = ("start", "stop", "restart", "status", "reset", "logs", "query", "env", "jvm", "profiles", "help")
NAMES = [profile.name for profile in node.PROFILES]
RESIDENT = [profile.name for profile in node.PROFILES if profile.resident]


def rendered(name: str) -> str:
    return node.render_yaml(node.PROFILE_BY_NAME[name], node.Paths(Path("/cache"), name))


def top_level(yaml: str) -> dict[str, str]:
    """key -> value (comment stripped) of the unindented lines."""
    pairs = (re.match(r"^([a-z_]+):\s*(.*?)\s*(#.*)?$", line) for line in yaml.splitlines())
    return {match.group(1): match.group(2) for match in pairs if match}


def test_every_profile_has_a_golden_yaml_and_no_golden_is_orphaned() -> None:
    assert sorted(path.stem for path in GOLDEN.glob("*.yaml")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_rendered_yaml_is_the_golden_file(name: str) -> None:
    assert rendered(name) == (GOLDEN / f"{name}.yaml").read_text()


# Keys that decide what a client may send or how long it may take (issue 13):
# every profile keeps Cassandra 5.0's stock value by not writing them.
CLIENT_LIMITS = re.compile(
    r"batch_size|batch_.*threshold|frame_size|timeout|guardrail|_threshold|_fail_|_warn_|max_value"
)


@pytest.mark.parametrize("name", NAMES)
def test_no_profile_relaxes_a_client_limit(name: str) -> None:
    keys = top_level(rendered(name))
    assert [key for key in keys if CLIENT_LIMITS.search(key)] == []
    # The one key that lowers the largest mutation is the cdc profiles', and the docs say so.
    assert ("commitlog_segment_size" in keys) == node.PROFILE_BY_NAME[name].cdc


# Keys the docs name by what they hold rather than by key.
DOCUMENTED_AS = {
    "partitioner": "Murmur3Partitioner",
    "endpoint_snitch": "SimpleSnitch",
    "data_file_directories": "data, commitlog, saved caches, hints, cdc_raw directories",
    "commitlog_directory": "data, commitlog, saved caches, hints, cdc_raw directories",
    "saved_caches_directory": "data, commitlog, saved caches, hints, cdc_raw directories",
    "hints_directory": "data, commitlog, saved caches, hints, cdc_raw directories",
    "cdc_raw_directory": "data, commitlog, saved caches, hints, cdc_raw directories",
}


@pytest.mark.parametrize("name", NAMES)
def test_every_written_key_is_in_the_docs_non_default_list(name: str) -> None:
    undocumented = [
        key
        for key in top_level(rendered(name))
        if not re.search(rf"`{key}[`:]", DOCS) and DOCUMENTED_AS.get(key, "\0") not in DOCS
    ]
    assert undocumented == []


def test_cluster_nodes_share_a_name_and_seed_and_split_the_ring_evenly() -> None:
    nodes = [top_level(rendered(f"cluster{n}")) for n in (1, 2, 3)]
    assert {node["cluster_name"] for node in nodes} == {"pycassandra-cluster"}
    assert {node["storage_port"] for node in nodes} == {"7010"}
    assert [int(node["initial_token"]) for node in nodes] == [
        -(2**63),
        -(2**63) + (2**64) // 3,
        -(2**63) + 2 * ((2**64) // 3),
    ]
    for number in (1, 2, 3):
        assert '- seeds: "127.0.0.1:7010"' in rendered(f"cluster{number}")


def test_single_node_profiles_are_clusters_of_their_own() -> None:
    singles = [name for name in NAMES if node.PROFILE_BY_NAME[name].cluster is None]
    assert {top_level(rendered(name))["cluster_name"] for name in singles} == {f"pycassandra-{n}" for n in singles}
    endpoints = [(p.address, p.cql_port) for p in node.PROFILES]
    assert len(set(endpoints)) == len(endpoints), endpoints


@pytest.mark.parametrize(
    ("name", "keystore", "client_auth"),
    [
        ("tls", "server-bundle.pem", "false"),
        ("mtls", "server-bundle.pem", "true"),
        ("tls-badname", "server-badname-bundle.pem", "false"),
    ],
)
def test_tls_profiles_name_their_keystore_and_client_auth(name: str, keystore: str, client_auth: str) -> None:
    yaml = rendered(name)
    assert f"  keystore: /cache/tls/{keystore}\n" in yaml
    assert "  truststore: /cache/tls/ca.pem\n" in yaml
    assert f"  require_client_auth: {client_auth}\n" in yaml


def test_the_server_certificate_names_every_address_that_serves_it() -> None:
    served = [p.address for p in node.PROFILES if p.server_certificate == "server"]
    assert served == ["127.0.0.12", "127.0.0.13"]
    assert node.CERTIFICATE_NAMES["server"] == "IP:127.0.0.12,IP:127.0.0.13,DNS:localhost"


def test_the_docs_profile_table_lists_every_profile_with_its_address() -> None:
    rows = re.findall(r"^\| (`[a-z0-9-]+`(?:, `[a-z0-9-]+`)*) \| ([0-9.:, ]+) \|", DOCS, re.MULTILINE)
    documented = {}
    for names, endpoints in rows:
        for name, endpoint in zip(re.findall(r"`([^`]+)`", names), endpoints.split(", ")):
            documented[name] = endpoint
    assert documented == {p.name: f"{p.address}:{p.cql_port}" for p in node.PROFILES}


def test_help_lists_every_profile_and_command() -> None:
    text = node.usage()
    for profile in node.PROFILES:
        assert re.search(
            rf"^  {re.escape(profile.name)} +{re.escape(profile.address)}:{profile.cql_port} ", text, re.MULTILINE
        )
    for command in COMMANDS:
        assert re.search(rf"^  {command}\b", text, re.MULTILINE), command


def test_the_docs_list_every_command() -> None:
    for command in COMMANDS:
        option = "--help" if command == "help" else command
        assert re.search(rf"^scripts/cassandra {re.escape(option)}\b", DOCS, re.MULTILINE), command


def test_profile_may_come_anywhere_and_other_words_keep_their_order() -> None:
    line = node.parse_command_line(["query", "--username", "u", "--profile", "auth", "--password", "p", "SELECT 1"])
    assert (line.command, line.profile.name, line.args) == (
        "query",
        "auth",
        ["--username", "u", "--password", "p", "SELECT 1"],
    )
    line = node.parse_command_line(["logs", "-f", "--profile=cdc"])
    assert (line.command, line.profile.name, line.args) == ("logs", "cdc", ["-f"])
    assert node.parse_command_line(["status"]).profile.name == "default"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["start", "--profile"], "--profile needs a name"),
        (
            ["start", "--profile", "nope"],
            "unknown profile 'nope' (default, auth, tls, mtls, tls-badname, faults, cluster1, cluster2, cluster3, cdc, "
            "cdc-faults, cdc-lz4, cdc-cluster1, cdc-cluster2, cdc-cluster3)",
        ),
    ],
)
def test_bad_profile_names_the_problem(argv: list[str], message: str) -> None:
    with pytest.raises(node.NodeError, match=re.escape(message)):
        node.parse_command_line(argv)


def test_query_defaults_per_profile_come_before_the_callers_flags() -> None:
    def defaults(name: str) -> list[str]:
        return node.query_defaults(node.PROFILE_BY_NAME[name], node.Paths(Path("/cache"), name))

    assert defaults("default") == ["--host", "127.0.0.1", "--port", "9042"]
    assert defaults("cluster2") == ["--host", "127.0.0.2", "--port", "9043"]
    assert defaults("auth")[4:] == ["--username", "cassandra", "--password", "cassandra"]
    assert defaults("tls")[4:] == defaults("tls-badname")[4:] == ["--ca-cert", "/cache/tls/ca.pem"]
    assert defaults("mtls")[4:] == [
        "--ca-cert",
        "/cache/tls/ca.pem",
        "--client-cert",
        "/cache/tls/client.pem",
        "--client-key",
        "/cache/tls/client.key",
    ]


def run_script(*args: str, cache: Path, by_shebang: bool = False) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYCASSANDRA_CACHE": str(cache)}
    command = [str(SCRIPT)] if by_shebang else [sys.executable, str(SCRIPT)]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=environment, timeout=60)


def test_profiles_command_prints_the_resident_names_in_start_order(tmp_path: Path) -> None:
    result = run_script("profiles", cache=tmp_path, by_shebang=True)
    assert (result.returncode, result.stdout.split()) == (0, RESIDENT)
    assert RESIDENT.index("cluster1") < RESIDENT.index("cluster2") < RESIDENT.index("cluster3")
    # scripts/test starts what `profiles` prints; a test module starts the others itself.
    assert "cdc-faults" not in RESIDENT and "cdc-lz4" not in RESIDENT
    every = run_script("profiles", "--all", cache=tmp_path)
    assert (every.returncode, every.stdout.split()) == (0, NAMES)
    typo = run_script("profiles", "--al", cache=tmp_path)
    assert (typo.returncode, typo.stdout, typo.stderr) == (
        1,
        "",
        "cassandra: profiles takes no argument but --all, not '--al'\n",
    )


def test_a_pid_file_naming_another_process_is_never_signalled(tmp_path: Path) -> None:
    # This test's own process: alive, but not the profile's CassandraDaemon.
    pid_file = tmp_path / "nodes" / "faults" / "cassandra.pid"
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text(f"{os.getpid()}\n")
    status = run_script("status", "--profile", "faults", cache=tmp_path)
    assert (status.returncode, status.stdout) == (3, "cassandra (faults) not running (127.0.0.15:9042)\n")
    stop = run_script("stop", "--profile", "faults", cache=tmp_path)
    assert (stop.returncode, stop.stdout) == (0, "cassandra (faults) is not running (stale pid file removed)\n")
    assert not pid_file.exists()


def test_env_prints_the_profiles_locations(tmp_path: Path) -> None:
    result = run_script("env", "--profile", "cdc", cache=tmp_path)
    assert result.stdout == (
        "PYCASSANDRA_PROFILE=cdc\nPYCASSANDRA_HOST=127.0.0.16\nPYCASSANDRA_PORT=9042\n"
        f"PYCASSANDRA_NODE_DIR={tmp_path}/nodes/cdc\nPYCASSANDRA_TLS_DIR={tmp_path}/tls\n"
    )


def test_unknown_command_prints_the_usage_and_exits_2(tmp_path: Path) -> None:
    result = run_script("bogus", cache=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("cassandra: unknown command 'bogus'\nusage: scripts/cassandra COMMAND")


# A stand-in for java: it answers -version as a JDK 17, and otherwise writes the
# ready line to the node's log and sleeps, with the JVM's argument list kept in
# its /proc cmdline (argv[0] ending in /java, the daemon class, the storage dir)
# so that running_pid recognises it as the profile's node.
FAKE_JAVA = """#!/usr/bin/env bash
if [ "${1:-}" = -version ]; then echo 'openjdk version "17.0.99" 2026-01-01' >&2; exit 0; fi
for arg in "$@"; do case "$arg" in -Dcassandra.logdir=*) logdir=${arg#*=} ;; esac; done
[ -z "${FAKE_JAVA_FAIL:-}" ] || { echo "fake java: refusing to start"; exit 1; }
echo "INFO Starting listening for CQL clients on /127.0.0.15:9042 (unencrypted)..." >> "$logdir/system.log"
exec -a "$0" {python} -c 'import time; time.sleep(60)' "$@"
"""


@pytest.fixture
def fake_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    # The interpreter itself, not a launcher (a pyenv shim would exec again and lose argv[0]).
    java.write_text(FAKE_JAVA.replace("{python}", os.path.realpath(sys.executable)))
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(java.parent.parent))
    paths = node.Paths(tmp_path / "cache", "faults")
    monkeypatch.setattr(node, "classpath", lambda paths: "/nonexistent.jar")
    # The address is the real faults node's: it "answers" exactly while this fake runs.
    monkeypatch.setattr(node, "port_answers", lambda address, port: node.running_pid(paths) is not None)
    return node.PROFILE_BY_NAME["faults"], paths


def test_start_detaches_the_jvm_and_stop_signals_it(
    fake_node: tuple[Any, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    profile, paths = fake_node
    node.start(profile, paths)
    pid = int(paths.pid_file.read_text())
    try:
        assert node.running_pid(paths) == pid
        assert os.getsid(pid) == pid, "the node leads a session of its own"
        status = Path(f"/proc/{pid}/status").read_text()
        ignored = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:")), 16)
        assert ignored & 1 << (signal.SIGHUP - 1), "SIGHUP is ignored, as under nohup"
        assert os.readlink(f"/proc/{pid}/fd/0") == "/dev/null"
        assert {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in (1, 2)} == {str(paths.out_file)}
        assert sorted(os.listdir(f"/proc/{pid}/fd")) == ["0", "1", "2"], "no lock or caller's pipe inherited"
        assert f"ready on 127.0.0.15:9042, pid {pid}" in capsys.readouterr().out
        assert node.status(profile, paths) == 0
        node.start(profile, paths)  # a running node is left as it is
        assert "already running" in capsys.readouterr().out
        node.stop(profile, paths)
        assert f"cassandra (faults) stopped (pid {pid})" in capsys.readouterr().out
        assert not paths.pid_file.exists()
        assert node.status(profile, paths) == 3
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def test_a_node_that_exits_during_start_up_is_reported_with_its_output(
    fake_node: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    profile, paths = fake_node
    monkeypatch.setenv("FAKE_JAVA_FAIL", "1")
    with pytest.raises(node.NodeError, match=r"^the node \(faults\) exited during start-up$"):
        node.start(profile, paths)
    assert "fake java: refusing to start" in capsys.readouterr().err
    assert not paths.pid_file.exists()
