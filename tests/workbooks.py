"""Write hand-made fixtures in the official workbook layouts.

Fixtures are written in the tests as cell grids (one list per spreadsheet row, ``None`` for an
empty cell) so a reader can see the layout; this turns them into .xlsx or .ods files. The
parsers read every format through calamine, so an .xls layout is reproduced as .xlsx.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ENGINES = {".xlsx": "openpyxl", ".ods": "odf"}


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write ``{sheet name: rows}`` to ``path`` (.xlsx or .ods), cells exactly as given."""
    with pd.ExcelWriter(path, engine=ENGINES[path.suffix]) as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)
    return path
