"""Where the logs of Spark's Python workers go.

Spark's workers do not show Python logging by default, yet they are where
pycassandra writes, reads and logs its commit summaries. Set
``PYCASSANDRA_LOG_FILE`` (and optionally ``PYCASSANDRA_LOG_LEVEL``, default
INFO) in the environment Spark starts its workers with, and every process that
imports pycassandra appends its ``pycassandra`` log lines there.
"""

from __future__ import annotations

import logging
import os

FORMAT = "%(asctime)s pid=%(process)d %(name)s %(levelname)s %(message)s"


def configure_from_environment() -> None:
    path = os.environ.get("PYCASSANDRA_LOG_FILE")
    if not path:
        return
    logger = logging.getLogger("pycassandra")
    target = os.path.abspath(path)
    if any(getattr(h, "baseFilename", None) == target for h in logger.handlers):
        return
    handler = logging.FileHandler(target, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    level = os.environ.get("PYCASSANDRA_LOG_LEVEL", "INFO").upper()
    logger.setLevel(logging.getLevelName(level) if isinstance(logging.getLevelName(level), int) else logging.INFO)
