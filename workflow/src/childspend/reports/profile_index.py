"""The index of LA profiles: every stable unit's key figures in one table, each row linking to the
unit's profile. The index notebook (``notebooks/profile_index.ipynb``) shows it with itables
(DataTables, its JavaScript embedded in the page, so the page works offline).

Cells are text formatted for reading ("£1,266", "+1.8%"); DataTables recognises formatted numbers
(currency, thousands separators, signs, %) and sorts such columns numerically. A missing value is
an empty cell.
"""

from __future__ import annotations

import html

import pandas as pd

# The column filters in the footer take their column's width, not a fixed one.
STYLE = "<style>#profiles tfoot input { width: 7em; max-width: 100%; box-sizing: border-box; }</style>"
INDEX_TEXT = ["area_code", "area_name", "region_name", "year", "neighbour_vintage"]


def read_index(path) -> pd.DataFrame:
    """``results/profiles/index.csv`` with ids and names as text."""
    return pd.read_csv(path, dtype=dict.fromkeys(INDEX_TEXT, str), keep_default_na=False, na_values=[""])


def _money(value: float) -> str:
    return "" if pd.isna(value) else f"£{value:,.0f}"


def _change(value: float) -> str:
    return "" if pd.isna(value) else f"{value:+.1%}"


def _share(value: float) -> str:
    return "" if pd.isna(value) else f"{value:.1%}"


def _rate(value: float) -> str:
    return "" if pd.isna(value) else f"{value:,.1f}"


def columns(year: str, from_year: str, price_base: str) -> dict[str, str]:
    """Index column -> heading (short; :func:`caption` gives the definitions)."""
    return {
        "area_name": "Local authority",
        "region_name": "Region",
        "s251_per_child_real": f"Spend per child, {year}",
        "s251_per_child_real_change": f"Real change per child since {from_year}",
        "s251_total_real_change": f"Real change in total since {from_year}",
        "cla_rate": "Looked after per 10,000 children",
        "late_share": "Late intervention share",
    }


def caption(year: str, from_year: str, price_base: str, late: list[str]) -> str:
    """What each column of the index is, with units, years and the price base."""
    return (
        f"Key figures of every stable unit, {year}. Spend per child: S251 gross spending on children's and young "
        f"people's services per child aged 0-17, £ in {price_base}. Real changes since {from_year}: in spending per "
        "child and in total S251 spending. Looked after: children looked after at 31 March per 10,000 children aged "
        f"0-17. Late intervention share: {', '.join(c.replace('_', ' ') for c in late)} (config/config.yaml: "
        "intervention) as a share of S251 spending. An empty cell has no value."
    )


FORMATS = {
    "s251_per_child_real": _money,
    "s251_per_child_real_change": _change,
    "s251_total_real_change": _change,
    "cla_rate": _rate,
    "late_share": _share,
}


def shown(index: pd.DataFrame, from_year: str, price_base: str, href: str) -> pd.DataFrame:
    """The index as the page shows it: formatted cells, the unit's name linking to
    ``<href>/<area_code>.html``, headings from :func:`columns`."""
    year = index["year"].iloc[0]
    out = pd.DataFrame(
        {
            "area_name": [
                f'<a href="{html.escape(href)}/{html.escape(code)}.html">{html.escape(name)}</a>'
                for code, name in zip(index["area_code"], index["area_name"])
            ],
            "region_name": index["region_name"].map(html.escape),
        }
    )
    for column, fmt in FORMATS.items():
        out[column] = index[column].map(fmt)
    return out.rename(columns=columns(year, from_year, price_base))
