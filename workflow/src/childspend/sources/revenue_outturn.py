"""MHCLG revenue outturn: children's social care spending by LA from the RO3, RS and RSX files.

Every file is a wide table: one row per authority, one column per (service line, measure).
The header comes in three styles, detected from the cells (not from the year):

* ``stacked``  line names on a row above the key row (one merged cell over the line's columns),
               measure labels below it, down to the key row (RO3 2008-09 to 2023-24);
* ``combined`` "<line> - <measure>" in the key row itself (RO3 2024-25, RSX);
* ``line``     line names in the key row and one measure per sheet, named in the sheet title
               (RS: sheet (1) is net current expenditure, others are capital charges etc.).

The key row is the row with a "Local authority" cell. Service lines are mapped with
``revenue_outturn_lines.csv``; a line that looks like children's services but is not in that
table raises LayoutError, so a renamed line is never dropped silently.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from childspend import measures
from childspend.codes import ENGLAND_CODE, region_by_name
from childspend.contracts import SPENDING_COLUMNS
from childspend.errors import LayoutError
from childspend.markers import numeric_with_flag
from childspend.tables import read_sheets
from childspend.years import fy_start, normalise_fy

log = logging.getLogger(__name__)

UNIT = "GBP thousand"
LINES_TABLE = Path(__file__).with_name("revenue_outturn_lines.csv")
# MHCLG's own 4-character LA codes ("E-codes") -> ONS codes. Files up to 2013-14 carry only
# E-codes; the table comes from the files that print both (RO3 2014-15 onward), plus the seven
# counties of 2008-09 that the April 2009 reorganisation ended.
ECODES_TABLE = Path(__file__).with_name("revenue_outturn_ecodes.csv")
# Lines kept: the panel's categories (measures.csv) and the subtotals some years print; the
# lines table's other categories (exclude, no_split) are dropped.
CSC_CATEGORIES = frozenset(measures.categories("csc_net")) | {"subtotal"}


@dataclass(frozen=True)
class Form:
    sheets: str  # regex for the data sheets' names
    measures: frozenset  # measures kept from this form
    measure_in_title: bool  # RS: the sheet title names the measure
    # category -> first financial year (start) whose file must have it, in every kept measure: a
    # line renamed out of the lines table then stops the parser instead of dropping a category
    categories_from: tuple = ()


# RO3 printed one "other" line for nearly all children's social care until 2010-11; the split
# lines start in 2011-12, Sure Start / early years and young people's services in 2014-15.
RO3_CATEGORIES_FROM = (
    ("asylum_seekers", 2008),
    ("other_children_family", 2008),
    ("children_looked_after", 2011),
    ("safeguarding", 2011),
    ("family_support", 2011),
    ("youth_justice", 2011),
    ("total", 2011),
    ("early_years", 2014),
    ("young_people", 2014),
)
FORMS = {
    "ro3": Form(
        r"LA[ _]Data",
        frozenset({"gross_expenditure", "income", "net_current_expenditure"}),
        False,
        RO3_CATEGORIES_FROM,
    ),
    "rs": Form(r"LA[ _]Data", frozenset({"net_current_expenditure"}), True, (("total", 2008),)),
    "rsx": Form(r"LA[ _]Data", frozenset({"net_current_expenditure"}), False, (("total", 2008),)),
}

# Measure labels (column header, or RS sheet title) -> measure; None = a column we do not keep.
# Order matters: "total income" before the generic "income" labels.
MEASURES = [
    (re.compile(r"total expenditure"), "gross_expenditure"),
    (re.compile(r"total income"), "income"),
    (re.compile(r"net current"), "net_current_expenditure"),  # 2008-09 says just "NET CURRENT"
    (
        re.compile(
            r"employees|running expenses|sales|other income|capital|net total cost"
            r"|memorandum|reserves"
        ),
        None,
    ),
]
# Start of a measure label, to split "<line> - <measure>" headers.
COMBINED = re.compile(
    r"^(?P<line>.+?)\s*-\s*(?P<measure>(?:employees|running expenses|total expenditure|sales|"
    r"other income|total income|net current expenditure)\b.*)$",
    re.I | re.S,
)
# Anything matching this is treated as a children's line and must be in the lines table.
CHILDREN_LIKE = re.compile(r"child|young|youth|famil|sure start|early years|asylum|safeguard|looked after")

# Authorities with children's social care duties, by the publisher's class code:
# unitaries (incl. Isles of Scilly), metropolitan districts, shire counties, London boroughs
# ("L" to 2020-21, "LB" after; includes City of London). SD, O (police, fire, GLA, ...) are not.
CSC_CLASSES = {"UA", "MD", "SC", "L", "LB"}
LA_ECODE = re.compile(r"^E\d{4}$")
ONS_CODE = re.compile(r"^E\d{8}$")
ID_HEADERS = {
    "e-code",
    "ons code",
    "local authority",
    "region",
    "notes",
    "class",
    "detailed class",
    "certified",
    "certification",
}


def norm(text) -> str:
    """Header text -> comparable form: lower case, plain quotes/dashes, no footnote marks."""
    text = str(text).replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\[note \d+\]", "", text, flags=re.I)
    text = re.sub(r"\(\s*[a-z]\s*\)\s*$", "", text.strip())  # "TOTAL ADULT SOCIAL CARE (c)"
    text = text.replace("*", "")
    return re.sub(r"\s+", " ", text).strip().lower()


def _text(cell) -> str:
    return "" if pd.isna(cell) else re.sub(r"\s+", " ", str(cell)).strip()


def load_ecodes() -> dict[str, str]:
    table = pd.read_csv(ECODES_TABLE, dtype=str, keep_default_na=False)
    return dict(zip(table["e_code"], table["ons_code"]))


def load_lines() -> dict[str, tuple[str, str]]:
    table = pd.read_csv(LINES_TABLE, dtype=str, keep_default_na=False)
    return {norm(row.line): (row.category, row.note) for row in table.itertuples()}


def _measure(label: str, where: str) -> str | None:
    for pattern, measure in MEASURES:
        if pattern.search(norm(label)):
            return measure
    raise LayoutError(f"{where}: unknown measure column {label!r} (expected e.g. 'Net Current Expenditure')")


def _read(path: Path, sheets: str) -> dict[str, pd.DataFrame]:
    """The data sheets (names matching ``sheets``) of a workbook, or a CSV export as one sheet."""
    if path.suffix.lower() == ".csv":
        # RSX 2021-22 is a CSV export of the workbook sheet (UTF-8 with BOM, "1,234" numbers).
        return {
            path.stem: pd.read_csv(
                path, header=None, dtype=object, encoding="utf-8-sig", keep_default_na=False, na_values=[""]
            )
        }
    return read_sheets(path, keep=sheets)


def _key_row(grid: pd.DataFrame, where: str) -> int:
    for i in range(min(40, len(grid))):
        if any(norm(c) == "local authority" for c in grid.iloc[i, :8]):
            return i
    firsts = [_text(c) for c in grid.iloc[:15, 0]]
    raise LayoutError(
        f"{where}: no header row with a 'Local authority' column in the first 40 rows; first column reads {firsts}"
    )


def _columns(
    grid: pd.DataFrame, key: int, first: int, lines: dict, title_measure: str | None, where: str
) -> tuple[str, list[tuple[int, str, str | None]]]:
    """Detect the header style and return [(column, original line text, measure label)]."""

    def known(text: str) -> bool:
        return norm(text) in lines or bool(CHILDREN_LIKE.search(norm(text)))

    key_cells = [(c, _text(grid.iat[key, c])) for c in range(first, grid.shape[1])]
    key_cells = [(c, t) for c, t in key_cells if t]
    if any(COMBINED.match(t) for _, t in key_cells):
        cols = []
        for c, t in key_cells:
            m = COMBINED.match(t)
            # Memo columns ("TOTAL CHILDREN SOCIAL CARE - ... agency staff cost memorandum item")
            # have no standard measure: split at the first " - ".
            line, label = (m["line"], m["measure"]) if m else (t.split(" - ", 1) + [""])[:2]
            cols.append((c, line, label))
        return "combined", cols
    if title_measure is not None and any(known(t) for _, t in key_cells):
        return "line", [(c, t, title_measure) for c, t in key_cells]
    # stacked: the nearest row above the key row naming a known line is the line row
    for r in range(key - 1, max(-1, key - 10), -1):
        if any(known(_text(grid.iat[r, c])) for c in range(first, grid.shape[1])):
            break
    else:
        raise LayoutError(
            f"{where}: found no row of service-line names above the header row {key + 1}; "
            f"header reads {[t for _, t in key_cells[:8]]}"
        )
    line_row = grid.iloc[r, first:].map(_text).replace("", pd.NA).ffill()  # merged cells
    cols = []
    for c in range(first, grid.shape[1]):
        label = " ".join(t for t in (_text(x) for x in grid.iloc[r + 1 : key + 1, c]) if t)
        if pd.notna(line_row[c]) and label:
            cols.append((c, line_row[c], label))
    return "stacked", cols


def _areas(grid: pd.DataFrame, key: int, id_cols: dict, where: str, excluded: dict, skipped: dict) -> pd.DataFrame:
    """One row per area (England, regions, upper-tier LAs, other bodies), indexed by grid row.

    ``excluded`` (class -> LA codes) and ``skipped`` (reason -> row labels) collect what is left
    out; they are sets because a file may repeat its rows on several sheets (RO3 2013-14).
    """

    cells = grid.to_numpy(dtype=object)  # a cell of a numpy array costs far less than DataFrame.iat

    def cell(i: int, column: str) -> str:
        return _text(cells[i, id_cols[column]]) if column in id_cols else ""

    ecodes = load_ecodes()
    owners = {ons: e_code for e_code, ons in ecodes.items()}
    rows = []
    for i in range(key + 1, len(grid)):
        code, name, cls = cell(i, "e-code"), cell(i, "local authority"), cell(i, "class").upper()
        if norm(code) == "e-code":  # 2022-23+: a second table (class breakdown) starts here
            skipped.setdefault("class breakdown table", set()).update(range(i, len(grid)))
            break
        ons = cell(i, "ons code")
        # Only RO3 2009-10 has region rows ("NORTH EAST REGION"), with no code: matched by name.
        region = region_by_name(name)
        if norm(name) == "england":
            rows.append((i, "england", ENGLAND_CODE, "England"))
        elif region and not LA_ECODE.match(code):
            rows.append((i, "region", *region))
        elif LA_ECODE.match(code):
            if cls in CSC_CLASSES:
                # A printed ONS code that belongs to another council's E-code is a misprint (RO3
                # 2015-16 and RS 2017-18 give North Yorkshire Northumberland county's old code):
                # the E-code, the publisher's own key, decides.
                if ONS_CODE.match(ons) and owners.get(ons, code) != code:
                    log.warning(
                        "%s: %s %s printed with ONS code %s, which is %s's; using %s",
                        where,
                        code,
                        name,
                        ons,
                        owners[ons],
                        ecodes.get(code, "(none: add the pair)"),
                    )
                    ons = ""
                if not ONS_CODE.match(ons):
                    ons = ecodes.get(code, "")
                if not ons:
                    raise LayoutError(
                        f"{where}: {name} ({code}) has no ONS code and its E-code is not in "
                        f"{ECODES_TABLE.name}; add the pair"
                    )
                rows.append((i, "la", ons, _la_name(name)))
            else:
                # Kept as "other_body" rows: not in the panel, but their small children's social
                # care amounts are part of the publisher's England row (see reconcile.py).
                detail = cell(i, "detailed class")
                label = f"{cls}/{detail}" if detail and detail.upper() != cls else cls or "no class"
                excluded.setdefault(label, set()).add(code)
                rows.append((i, "other_body", ons if ONS_CODE.match(ons) else "", _la_name(name)))
        elif name or code:
            skipped.setdefault("class totals, headings and notes", set()).add((name, code))
    if not rows:
        raise LayoutError(f"{where}: no England or LA rows below the header row {key + 1}")
    return pd.DataFrame(rows, columns=["row", "area_level", "ons_code", "area_name"]).set_index("row")


def _la_name(name: str) -> str:
    """Drop footnote marks ("Staffordshire (e)") and the publisher's class suffixes
    ("Bristol UA", "North Yorkshire CC", "Bury MBC"), which are not part of the name."""
    name = re.sub(r"\s*\([a-z]\)$", "", name)
    return re.sub(r"\s+(UA|CC|MBC)$", "", name)


def parse(path: Path, source_id: str, period: str) -> pd.DataFrame:
    path = Path(path)
    year = normalise_fy(period)
    form_name = source_id.split("_", 1)[0].lower()
    if form_name not in FORMS:
        raise LayoutError(f"{source_id}: unknown revenue outturn form {form_name!r} (expected {sorted(FORMS)})")
    form = FORMS[form_name]
    lines = load_lines()
    data_sheets = _read(path, form.sheets)

    frames, seen = [], {}  # seen: (normalised line, measure) -> column
    excluded, skipped, dropped = {}, {}, {}
    for sheet, grid in data_sheets.items():
        where = f"{path.name} [{sheet}]"
        key = _key_row(grid, where)
        titles = [t for t in (_text(c) for c in grid.iloc[:key, 0]) if t]
        named = _years_named(" ".join(titles + [sheet]))
        if named and year not in named:  # guards against a mislabelled file in sources.yaml
            raise LayoutError(f"{where}: the title is for {sorted(named)}, but the source is for {year}")
        title_measure = None
        if form.measure_in_title:
            title_measure = next((t for t in titles if "thousand" in t.lower()), "(no title)")
            if _measure(title_measure, f"{where} title") not in form.measures:
                log.info("%s: skipped sheet (%s)", where, title_measure)
                continue

        header = [norm(c) for c in grid.iloc[key, :8]]
        id_cols = {h: j for j, h in enumerate(header) if h in ID_HEADERS}
        for required in ("local authority", "class"):
            if required not in id_cols:
                raise LayoutError(f"{where}: no {required!r} column in header row {key + 1}; found {header}")
        style, columns = _columns(grid, key, max(id_cols.values()) + 1, lines, title_measure, where)
        areas = _areas(grid, key, id_cols, where, excluded, skipped)
        log.info("%s: %s header at row %d; %d areas kept", where, style, key + 1, len(areas))

        for col, line, label in columns:
            category, note = lines.get(norm(line), (None, "adult, public health or other services"))
            if category is None and CHILDREN_LIKE.search(norm(line)):
                raise LayoutError(
                    f"{where}: children's line {line!r} (column {col + 1}) is not in "
                    f"{LINES_TABLE.name}; add it with a category"
                )
            if category not in CSC_CATEGORIES:  # unlisted (not children's), exclude, no_split
                dropped.setdefault(f"{category or 'not listed'}: {note}", set()).add(line)
                continue
            measure = _measure(label, f"{where} column {col + 1} ({line})")
            if measure not in form.measures:
                continue
            if (norm(line), measure) in seen:
                raise LayoutError(f"{where}: {line!r} / {measure} appears twice (column {col + 1})")
            seen[norm(line), measure] = col
            value, flag = numeric_with_flag(grid.iloc[areas.index, col])
            frames.append(
                areas.assign(
                    line=line, category=category, measure=measure, value=value.to_numpy(), flag=flag.to_numpy()
                )
            )

    for reason, names in sorted(dropped.items()):
        log.info("%s: dropped %d service line(s), not children's social care (%s)", source_id, len(names), reason)
        log.debug("%s: dropped lines: %s", source_id, sorted(names))
    for cls, codes in sorted(excluded.items()):
        log.info(
            "%s: %d authorities of class %s kept as other_body (no children's social care duty)",
            source_id,
            len(codes),
            cls,
        )
    for reason, labels in sorted(skipped.items()):
        log.info("%s: skipped %d rows (%s)", source_id, len(labels), reason)

    if not frames:
        if any(k.startswith("no_split") for k in dropped):
            log.warning(
                "%s: %s has no children's social care line (adults and children combined); no rows",
                source_id,
                path.name,
            )
            return pd.DataFrame(columns=SPENDING_COLUMNS).astype({"la_number": "Int64", "value": "float64"})
        found = sorted(set().union(*dropped.values()))
        raise LayoutError(
            f"{path.name}: no children's social care line with a kept measure "
            f"({sorted(form.measures)}); lines found: {found[:15]}"
        )
    for line in sorted({ln for ln, _ in seen} - {ln for ln, m in seen if m == "net_current_expenditure"}):
        raise LayoutError(
            f"{path.name}: line {line!r} has no Net Current Expenditure column; found "
            f"{sorted(m for ln, m in seen if ln == line)}"
        )

    out = pd.concat(frames, ignore_index=True)
    out = out.assign(source=source_id, year=year, la_number=pd.array([pd.NA] * len(out), dtype="Int64"), unit=UNIT)
    return out[SPENDING_COLUMNS]


def check_complete(out: pd.DataFrame, path: Path, source_id: str, period: str) -> None:
    """Run by the ingest step on each parsed file: LayoutError if a category the form has in the
    file's year (``Form.categories_from``) is missing from a kept measure: its line was renamed or
    moved, and would otherwise be dropped without a word. (Parser tests use cut-down layouts.)"""
    form, year = FORMS[source_id.split("_", 1)[0].lower()], normalise_fy(period)
    if out.empty:  # a form with no children's line that year (logged by parse)
        return
    start = fy_start(year)
    expected = {category for category, first in form.categories_from if start >= first}
    got = out.groupby("measure")["category"].agg(set)
    short = {m: sorted(expected - got.get(m, set())) for m in sorted(form.measures) if expected - got.get(m, set())}
    if short:
        raise LayoutError(
            f"{path.name} ({source_id}): no line for categor(ies) {short} (by measure), which every "
            f"{year} file must have; a renamed line is probably 'not listed': add it to {LINES_TABLE.name} "
            "with its category"
        )


def _years_named(text: str) -> set[str]:
    """Financial years written in a title or sheet name ("2017-18", "202425")."""
    named = set()
    for match in re.finditer(r"(?:19|20)\d\d\s*[-/]?\s*\d\d(?!\d)", text):
        try:
            named.add(normalise_fy(match.group(0)))
        except ValueError:  # "2023 20..." is not a year span
            pass
    return named
