"""Logging for rule scripts: to the rule's log file and to the terminal."""

from __future__ import annotations

import logging
import sys


def setup(log_path: str, name: str) -> logging.Logger:
    """Send INFO and above to ``log_path`` and to stderr; return the named logger."""
    handlers = [logging.FileHandler(log_path, mode="w"), logging.StreamHandler(sys.stderr)]
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    return logging.getLogger(name)
