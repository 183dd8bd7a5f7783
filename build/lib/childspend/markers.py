"""Suppression and missing-value markers used across the official files.

A marked cell becomes a missing value with the marker kept in a ``flag`` column, never a zero.
"""

from __future__ import annotations

import math
import re

import pandas as pd

# DfE and ONS symbols: c confidential, x not available, z not applicable, k rounds to zero,
# u low reliability, ".." / "." / "-" / ":" not available.
MARKERS = frozenset({"c", "x", "z", "k", "u", "..", ".", "-", ":", "n/a", "na", "*", "low"})
EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"})
BLANK = "blank"
UNREADABLE = "unreadable"


def classify(cell) -> tuple[float, str]:
    """One cell -> (value, flag). Flag "" means a usable number."""
    if isinstance(cell, bool):
        return math.nan, UNREADABLE
    if isinstance(cell, (int, float)):
        return (float(cell), "") if math.isfinite(cell) else (math.nan, BLANK)
    text = "" if cell is None else str(cell).strip()
    if text == "":
        return math.nan, BLANK
    try:
        return float(text.replace(",", "")), ""
    except ValueError:
        pass
    if re.fullmatch(r"\[[a-z]+\]", text.lower()):  # newer GSS style: "[x]", "[c]", "[low]"
        text = text[1:-1]
    elif text in ("...", "\u2026"):  # "..." or an ellipsis character: not available
        text = ".."
    if text.lower() in MARKERS:
        return math.nan, text.lower()
    if text in EXCEL_ERRORS:
        return math.nan, text
    return math.nan, UNREADABLE


def numeric_with_flag(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A column of raw cells -> (float values, flags); see :func:`classify`."""
    values = values.astype("object").where(values.notna(), None)
    lookup = {cell: classify(cell) for cell in values.unique()}
    value = values.map(lambda c: lookup[c][0]).astype("float64")
    flag = values.map(lambda c: lookup[c][1]).astype(str)
    return value, flag
