"""Financial years.

The pipeline labels a financial year by its span, "2023-24" (1 April 2023 to 31 March 2024).
Publishers write the same year as "2023-24", "2023/24", "202324", "2023-24 (OT)" or name the
file by the year it ends ("s251ye2024"); everything is normalised here.
"""

from __future__ import annotations

import re

_SPAN = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-/]?\s*(\d\d)(?!\d)")


def fy_label(start_year: int) -> str:
    """2023 -> "2023-24"."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def fy_ending(end_year: int) -> str:
    """The financial year ending 31 March ``end_year``: counts at 31 March 2024 -> "2023-24"."""
    return fy_label(int(end_year) - 1)


def fy_start(label: str) -> int:
    """Start year of a financial-year label in any of the publishers' spellings.

    >>> fy_start("2017/18 (OT)")
    2017
    """
    match = _SPAN.search(str(label))
    if not match:
        raise ValueError(f"not a financial year: {label!r} (expected e.g. '2017-18')")
    start, end = int(match.group(1)), int(match.group(2))
    if (start + 1) % 100 != end:
        raise ValueError(f"not a financial year: {label!r} ({start} is not followed by {end:02d})")
    return start


def normalise_fy(label: str) -> str:
    """Any spelling -> canonical "YYYY-YY"."""
    return fy_label(fy_start(label))


def fy_range(first: str, last: str) -> list[str]:
    """Inclusive list of financial-year labels."""
    return [fy_label(y) for y in range(fy_start(first), fy_start(last) + 1)]
