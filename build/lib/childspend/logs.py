"""Logging for rule scripts: to the rule's log file and to the terminal."""

from __future__ import annotations

import logging
import sys

from .errors import ChildspendError


def setup(log_path: str, name: str) -> logging.Logger:
    """Send INFO and above to ``log_path`` and to stderr; return the named logger.

    A failure is written to the log too: a user-fixable ChildspendError as its message alone,
    anything else with its traceback.
    """
    handlers = [logging.FileHandler(log_path, mode="w"), logging.StreamHandler(sys.stderr)]
    logging.basicConfig(
        level=logging.INFO, handlers=handlers, force=True, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    logger = logging.getLogger(name)

    def report(kind, error, trace):
        if isinstance(error, ChildspendError):
            logger.error("%s", error)
        else:
            logger.error("failed", exc_info=(kind, error, trace))
        sys.exit(1)

    sys.excepthook = report
    return logger
