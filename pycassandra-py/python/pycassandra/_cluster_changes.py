"""Spark's stream reader for change streams on a cluster: every node's changes,
served by the change agent beside it (``python -m pycassandra.agent``).

Offsets are ``{"v": 1, "nodes": {host_id: [segment, position]}}``, one commit-log
offset per node. An agent that cannot be reached keeps its node's offset where
it was (the stream goes on with the others, and that node's changes arrive
once its agent answers again); a node first seen starts where
``starting_position`` says. Planning asks the agents; decoding runs in the
tasks, on segment bytes the agents serve. Every write is logged by each of
its replicas, so each arrives once per replica with one ``_cdc_change_id``:
``pycassandra.cdc.dedup`` keeps one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

import pyarrow as pa
from pyspark.sql.datasource import DataSourceStreamReader, InputPartition
from pyspark.sql.types import StructType

from pycassandra import _native
from pycassandra._agent_client import AgentClient
from pycassandra._arrow import spark_arrow_schema
from pycassandra._changes import spark_byte_limit
from pycassandra._redact import redacted_options
from pycassandra.exceptions import ChangeAgentError, ChangeAgentUnreachableError

Offset = Tuple[int, int]
NodeOffsets = Dict[str, Offset]

_log = logging.getLogger("pycassandra")

# A task's attempts at an agent before its batch fails (Spark then replays it).
_READ_ATTEMPTS = 3
_READ_RETRY_SECONDS = 2.0


def _to_json(nodes: NodeOffsets) -> dict:
    return {"v": 1, "nodes": {host: [segment, position] for host, (segment, position) in sorted(nodes.items())}}


def _from_json(offset: dict) -> NodeOffsets:
    if offset.get("v") != 1 or not isinstance(offset.get("nodes"), dict):
        raise ValueError(
            f"change stream: offset {offset} is not a cluster offset ({{'v': 1, 'nodes': ...}}); "
            "a checkpoint of a cdc_raw_directory stream cannot resume with cdc_agents"
        )
    return {host: (int(at[0]), int(at[1])) for host, at in offset["nodes"].items()}


@dataclass
class NodePiece(InputPartition):
    """The events of ``[start, end)`` in one segment of one node, read by one task."""

    agent: str
    host_id: str
    start: Offset
    end: Offset


class CassandraClusterChangeStreamReader(DataSourceStreamReader):
    """Reads a table's changes on every node, through each node's change agent."""

    def __init__(self, options: dict, schema: StructType):
        self._options = options
        self._schema = schema
        self._job = _native.ChangeJob(options)
        settings = self._job.agent_settings()
        self._token: str = settings["token"]
        self._ca: Optional[str] = settings["ca"]
        self._consumer: str = settings["consumer"]
        self._urls: List[str] = list(settings["urls"])
        self._earliest = settings["starting_position"] == "earliest"
        # host id -> agent URL, learnt from the agents (or discovered with the nodes).
        self._hosts: Dict[str, str] = {}
        self._unreachable: Dict[str, str] = {}
        self._planned: Optional[NodeOffsets] = None
        self._initial: Optional[NodeOffsets] = None

    def _client(self, url: str) -> AgentClient:
        return AgentClient(url, self._token, self._ca)

    def _agents(self) -> Dict[str, AgentClient]:
        """The agents that answer now, by their node's host id."""
        if not self._urls:
            # Discovered: the nodes the cluster knows, each with an agent on cdc_agent_port.
            self._urls = [url for _, url in self._job.agent_urls()]
        answering = {}
        for url in self._urls:
            client = self._client(url)
            try:
                host = str(client.node()["host_id"])
            except ChangeAgentUnreachableError as error:
                if url not in self._unreachable:
                    _log.warning("change stream: %s; its node's offset waits until it answers", error)
                self._unreachable[url] = str(error)
                continue
            if url in self._unreachable:
                _log.warning("change stream: change agent %s answers again", url)
                del self._unreachable[url]
            known = self._hosts.get(host)
            if known is not None and known != url:
                raise ChangeAgentError(f"change agents {known} and {url} both serve node {host}")
            self._hosts[host] = url
            answering[host] = client
        if not answering and not self._hosts:
            raise ChangeAgentUnreachableError(
                "change stream: no change agent can be reached: " + "; ".join(self._unreachable.values())
            )
        return answering

    def _starting(self, client: AgentClient) -> Offset:
        return client.earliest() if self._earliest else client.latest()

    def initialOffset(self) -> dict:  # noqa: N802 (Spark's name)
        # Spark asks more than once and "latest" moves on in between: the
        # first answer stands (see the local reader).
        if self._initial is None:
            start = {host: self._starting(client) for host, client in self._agents().items()}
            if self._planned is not None:
                start = {host: min(at, self._planned.get(host, at)) for host, at in start.items()}
            else:
                self._planned = start
            self._initial = start
            self._register(start)
        return _to_json(self._initial)

    def latestOffset(self, start: Optional[dict] = None, limit: object = None) -> dict:  # noqa: N802
        begin = _from_json(start) if start is not None else self._planned
        budget = self._job.byte_budget(spark_byte_limit(limit))
        end: NodeOffsets = dict(begin or {})
        answering = self._agents()
        if begin is None and self._unreachable:
            # Spark has not said where this batch starts (the first batch, or
            # the first after a restart on 4.0/4.1): a node left out of its
            # end would lose its checkpointed offset, so every agent must answer.
            raise ChangeAgentUnreachableError(
                "change stream: the first micro-batch after a start needs every change agent: "
                + "; ".join(self._unreachable.values())
            )
        for host, client in answering.items():
            try:
                if begin is None:
                    # 4.0/4.1 after a restart: Spark has not said where the
                    # batch starts (its checkpoint's offset); everything
                    # durable is an end no checkpoint is past.
                    end[host] = client.latest()
                elif host not in begin:
                    # A node first seen: it starts where the option says, in
                    # this batch's end; its first events come with the next.
                    end[host] = self._starting(client)
                else:
                    end[host] = max(begin[host], client.latest(begin[host], budget))
            except ChangeAgentUnreachableError as error:
                _log.warning("change stream: %s; its node's offset waits", error)
        # After the end is planned (see the local reader).
        self._job.check_schema()
        if begin is not None:
            # What precedes a batch's start is in the sink (see the local reader).
            self._register(begin)
        self._planned = end
        return _to_json(end)

    def partitions(self, start: dict, end: dict) -> List[NodePiece]:
        begin, stop = _from_json(start), _from_json(end)
        pieces: List[NodePiece] = []
        for host, to in sorted(stop.items()):
            at = begin.get(host)
            if at is None or to <= at:
                continue
            url = self._hosts.get(host)
            if url is None:
                self._agents()
                url = self._hosts.get(host)
            if url is None:
                raise ChangeAgentUnreachableError(
                    f"change stream: node {host} has changes to read in this batch but no change agent answers for it"
                )
            for piece_start, piece_end in self._with_retries(
                lambda url=url, at=at, to=to: self._client(url).pieces(at, to)
            ):
                pieces.append(NodePiece(url, host, piece_start, piece_end))
        return pieces

    def read(self, partition: NodePiece) -> Iterator[pa.RecordBatch]:  # type: ignore[override]
        client = self._client(partition.agent)
        served = self._with_retries(lambda: client.segment(partition.start[0], partition.end))
        if served is None:
            raise ChangeAgentError(
                f"change stream: segment {partition.start[0]} of node {partition.host_id} is gone from its "
                f"cdc_raw before it was read (from {partition.start} to {partition.end}): its changes are lost; "
                "segments are deleted once every registered consumer has committed past them, or by an operator"
            )
        name, data, limit = served
        batch = self._job.read_piece(
            partition.host_id, name, data, limit, partition.start, partition.end, spark_arrow_schema(self._schema)
        )
        if batch.num_rows:
            yield batch

    def commit(self, end: dict) -> None:
        self._register(_from_json(end))

    def _register(self, consumed: NodeOffsets) -> None:
        """Tells each node's agent what this stream has consumed (registering
        it first): the agent deletes a segment once every consumer is past it."""
        for host, at in consumed.items():
            url = self._hosts.get(host)
            if url is None:
                continue
            try:
                answer = self._client(url).commit(self._consumer, at)
            except ChangeAgentUnreachableError:
                continue  # committed again with a later batch
            deleted = answer.get("deleted") or []
            if deleted:
                _log.info("change agent %s: deleted %d consumed segment(s) up to %s", url, len(deleted), deleted[-1])

    @staticmethod
    def _with_retries(call):
        for attempt in range(1, _READ_ATTEMPTS + 1):
            try:
                return call()
            except ChangeAgentUnreachableError:
                if attempt == _READ_ATTEMPTS:
                    raise
                time.sleep(_READ_RETRY_SECONDS * attempt)
        raise AssertionError("unreachable")

    def __repr__(self) -> str:
        return f"CassandraClusterChangeStreamReader({redacted_options(self._options)})"
