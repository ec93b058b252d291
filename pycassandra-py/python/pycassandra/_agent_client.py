"""A client of one change agent (``python -m pycassandra.agent``) over HTTP(S).

Every request carries the bearer token; no message this module builds holds
it. An agent that cannot be reached raises
:class:`~pycassandra.exceptions.ChangeAgentUnreachableError` (the stream pauses
that node); one that answers with an error raises
:class:`~pycassandra.exceptions.ChangeAgentError` with the agent's message.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, List, Optional, Tuple

from pycassandra.exceptions import ChangeAgentError, ChangeAgentUnreachableError

Offset = Tuple[int, int]


def _offset(value: Any) -> Offset:
    """``[segment, position]`` as the agent sends it."""
    return (int(value[0]), int(value[1]))


def _param(offset: Offset) -> str:
    return f"{offset[0]}:{offset[1]}"


class AgentClient:
    """Requests to one agent; cheap to make (it holds no connection)."""

    def __init__(self, url: str, token: str, ca_file: Optional[str] = None, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._context: Optional[ssl.SSLContext] = None
        if self.url.startswith("https://"):
            self._context = ssl.create_default_context(cafile=ca_file)

    def _request(self, method: str, path: str, body: Optional[dict] = None) -> Tuple[bytes, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout, context=self._context) as response:
                return response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            try:
                detail = json.loads(detail)["error"]
            except (ValueError, KeyError, TypeError):
                pass
            raise ChangeAgentError(f"change agent {self.url}: {method} {path}: HTTP {error.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise ChangeAgentUnreachableError(f"change agent {self.url} cannot be reached: {reason}") from None

    def _json(self, method: str, path: str, body: Optional[dict] = None) -> dict:
        payload, _ = self._request(method, path, body)
        try:
            answer = json.loads(payload)
        except ValueError:
            raise ChangeAgentError(f"change agent {self.url}: {method} {path}: the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise ChangeAgentError(f"change agent {self.url}: {method} {path}: the answer is not a JSON object")
        return answer

    def node(self) -> dict:
        """The node's host id, its ``cdc_raw`` and how full it is."""
        return self._json("GET", "/v1/node")

    def earliest(self) -> Offset:
        return _offset(self._json("GET", "/v1/offsets")["earliest"])

    def latest(self, start: Optional[Offset] = None, max_bytes: Optional[int] = None) -> Offset:
        """What is durable now, or at most ``max_bytes`` past ``start`` (never behind it)."""
        query = {}
        if start is not None:
            query["from"] = _param(start)
        if max_bytes is not None:
            query["max_bytes"] = str(max_bytes)
        suffix = "?" + urllib.parse.urlencode(query) if query else ""
        return _offset(self._json("GET", "/v1/offsets" + suffix)["latest"])

    def pieces(self, start: Offset, end: Offset) -> List[Tuple[Offset, Offset]]:
        query = urllib.parse.urlencode({"from": _param(start), "to": _param(end)})
        answer = self._json("GET", f"/v1/pieces?{query}")
        return [(_offset(a), _offset(b)) for a, b in answer["pieces"]]

    def segment(self, segment: int, end: Offset) -> Optional[Tuple[str, bytes, int]]:
        """The bytes a piece of ``segment`` ending at ``end`` decodes: its file
        name, its bytes, the walk's limit; ``None`` when the segment is gone."""
        try:
            payload, headers = self._request("GET", f"/v1/segments/{segment}?to={_param(end)}")
        except ChangeAgentError as error:
            if "HTTP 404" in str(error):
                return None
            raise
        lower = {key.lower(): value for key, value in headers.items()}
        return lower["x-pycassandra-segment"], payload, int(lower["x-pycassandra-limit"])

    def consumers(self) -> List[dict]:
        return list(self._json("GET", "/v1/consumers")["consumers"])

    def commit(self, consumer: str, offset: Offset) -> dict:
        """Registers ``consumer`` or moves it forward; the agent deletes what every consumer has."""
        path = "/v1/consumers/" + urllib.parse.quote(consumer, safe="")
        return self._json("POST", path, {"committed": list(offset)})

    def evict(self, consumer: str) -> dict:
        return self._json("DELETE", "/v1/consumers/" + urllib.parse.quote(consumer, safe=""))

    def __repr__(self) -> str:
        return f"AgentClient({self.url})"
