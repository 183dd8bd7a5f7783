"""The national and regional picture: spending series in cash and real terms, early and late
intervention, headline figures with their sentences, and comparisons with published figures.

Inputs are the real-terms money table (``deflate_panel``) and the panel. Early and late
intervention are sums of S251 categories chosen in config; a sum with a missing category is
missing, and one built from ``incomplete`` totals is flagged ``incomplete``.
"""

from __future__ import annotations

import pandas as pd

from . import measures
from .errors import ConfigError
from .national_like_for_like import like_for_like, names, parts
from .prices import deflate
from .tables import sort_table

AREA = ["area_level", "area_code", "area_name", "year"]
SERIES_COLUMNS = [*AREA, "measure", "cash", "real", "flag", "price_base"]
SERIES = measures.national_series()


def _sum_categories(money: pd.DataFrame, categories: list[str], name: str) -> pd.DataFrame:
    parts = money[money["measure"].isin([f"s251_gross_{c}" for c in categories])]
    out = parts.groupby(AREA, as_index=False).agg(
        cash=("value", lambda v: v.sum() if v.notna().all() and len(v) == len(categories) else float("nan")),
        real=("value_real", lambda v: v.sum() if v.notna().all() and len(v) == len(categories) else float("nan")),
        flag=("flag", lambda f: "incomplete" if (f == "incomplete").any() else ""),
        price_base=("price_base", "first"),
    )
    out.loc[out["cash"].isna(), "flag"] = "category_missing"
    return out.assign(measure=name)


def national_series(money: pd.DataFrame, early: list[str], late: list[str]) -> pd.DataFrame:
    """England and region rows of the national measures, cash and real."""
    money = money[money["area_level"].isin(["england", "region"])]
    direct = money[money["measure"].isin(SERIES)].rename(columns={"value": "cash", "value_real": "real"})
    early_rows = _sum_categories(money, early, "early_intervention")
    late_rows = _sum_categories(money, late, "late_intervention")
    total = direct[direct["measure"] == "s251_gross_total"].set_index(AREA)
    share = late_rows.set_index(AREA)
    share = share.assign(
        cash=share["cash"] / total["cash"],
        real=share["cash"] / total["cash"],
        measure="late_intervention_share",
        price_base="",
    ).reset_index()
    return pd.concat([direct, early_rows, late_rows, share], ignore_index=True)[SERIES_COLUMNS]


def span(series: pd.DataFrame, measure: str | None = None) -> tuple[str, str] | None:
    """First and last year with an England value of ``measure`` (of any measure if None), or None."""
    rows = series[series["area_level"] == "england"]
    if measure is not None:
        rows = rows[rows["measure"] == measure]
    years = rows.dropna(subset=["cash"])["year"]
    return (years.min(), years.max()) if not years.empty else None


def scope_widens(series: pd.DataFrame) -> str | None:
    """The first year S251 covers every early-intervention category (Sure Start and young
    people's services joined Table A1 in 2010-11), or None if the series starts with them."""
    early, total = span(series, "early_intervention"), span(series, "s251_gross_total")
    if early is None or total is None or early[0] <= total[0]:
        return None
    return early[0]


HEADLINE_MEASURES = [
    "early_intervention",
    "late_intervention",
    "s251_gross_total",
    "s251_gross_total_per_child",
    "s251_gross_children_looked_after_per_cla",
    "csc_net_total",
]


def check_from_year(series: pd.DataFrame, from_year: str) -> str:
    """The latest year of the headlines, after checking that ``from_year`` (config
    headlines.from_year) gives every headline a value at both ends and compares like with like:
    in the data, before the latest year, and not before the Table A1 scope break read from the
    series (``scope_widens``). ConfigError naming the key, the year and the years to choose from."""
    where = "config/config.yaml: headlines.from_year"
    total = span(series.dropna(subset=["real"]), "s251_gross_total")
    if total is None:
        raise ConfigError(f"{where}: the national series has no England S251 total, so no headline can be written")
    first, last = total
    if not first <= from_year < last:
        raise ConfigError(
            f"{where} ({from_year}) is outside the years with England S251 spending in real terms "
            f"({first} to {last}, the last being the headline year); set it to a year from {first} to "
            f"{_previous(series, last)}."
        )
    widens = scope_widens(series)
    if widens and from_year < widens:
        raise ConfigError(
            f"{where} ({from_year}) is before {widens}, the first year S251 Table A1 covers every category "
            "(Sure Start and services for young people joined it then): early intervention has no value in "
            f"{from_year} and the totals would compare a narrower table with a wider one. Set it to {widens} "
            "or later."
        )
    england = series[series["area_level"] == "england"].set_index(["measure", "year"])
    lacking = [
        f"{m} {y}"
        for m in HEADLINE_MEASURES + ["late_intervention_share"]
        for y in (from_year, last)
        if (m, y) not in england.index or pd.isna(england.loc[(m, y), "real" if m in HEADLINE_MEASURES else "cash"])
    ]
    if lacking:
        raise ConfigError(
            f"{where} ({from_year}): the national series has no England value for {lacking}; choose a year "
            "in which every headline measure has one (see results/national/series.csv)."
        )
    return last


def _previous(series: pd.DataFrame, year: str) -> str:
    years = sorted(set(series.loc[series["area_level"] == "england", "year"]))
    earlier = [y for y in years if y < year]
    return earlier[-1] if earlier else year


def _bn(value: float) -> str:
    return f"£{value / 1e9:.1f}bn"


def _gbp(value: float) -> str:
    return f"£{value:,.0f}"


def _more(change: float) -> str:
    """'20% more' or '41% less'."""
    return f"{abs(change):.0%} {'more' if change >= 0 else 'less'}"


def _rise(change: float, digits: int = 0) -> str:
    """'a rise of 20%' or 'a fall of 41%'."""
    return f"a {'rise' if change >= 0 else 'fall'} of {abs(change):.{digits}%}"


HEADLINE_COLUMNS = [
    "id",
    "value",
    "unit",
    "years",
    "basis",
    "all_units_value",
    "left_out",
    "left_out_share",
    "sentence",
]


def _changes(series, money, panel, years, intervention) -> dict[str, dict]:
    """Each headline measure at both ends of ``years`` (real terms; the late-intervention share in
    cash) and its change: the England figure's, and where the England figure lacks some units in
    either year (flag ``incomplete``) the like-for-like change over the units present in both
    (:mod:`childspend.national_like_for_like`), which becomes the headline's."""
    england = series[series["area_level"] == "england"].set_index(["measure", "year"])
    units = money[money["area_level"] == "la"].groupby("area_code")["area_name"].first().sort_index()
    out = {}
    for measure in [*HEADLINE_MEASURES, "late_intervention_share"]:
        column = "cash" if measure == "late_intervention_share" else "real"
        start, end = (england.loc[(measure, y)] for y in years)
        row = dict(start=start[column], end=end[column], all_units=end[column] / start[column] - 1)
        if "incomplete" in (start["flag"], end["flag"]):
            comparison = like_for_like(money, panel, parts(measure, intervention), years, units)
            row.update(comparison=comparison, change=comparison.change, basis="like_for_like")
        else:
            row.update(comparison=None, change=row["all_units"], basis="all_units")
        out[measure] = row
    return out


def _left_out(row: dict, first: str, explained: set, share: bool = False) -> str:
    """What a like-for-like change leaves out, with the all-units figure beside it ("" if the
    change is on all units). The units left out are named the first time a set of them comes up
    (``explained``: the sets named so far, updated), and referred back to after that."""
    comparison = row["comparison"]
    if comparison is None:
        return ""
    if share:
        measured = (
            f"the share went from {comparison.start:.1%} to {comparison.end:.1%} (over every council reporting "
            f"each year, {row['start']:.1%} to {row['end']:.1%})"
        )
    else:
        measured = f"{_rise(row['change'], 1)} (over every council reporting each year, {_rise(row['all_units'], 1)})"
    if comparison.left_out in explained:
        return f" Like for like, without the same councils: {measured}."
    explained.add(comparison.left_out)
    return (
        f" This is like for like, over the {comparison.kept} councils with figures in both years: {measured}. "
        f"Left out are {names(comparison.left_out)}, {comparison.left_out_share:.1%} of the spending in {first}."
    )


def _row(measure_id: str, value: float, years: str, row: dict | None, sentence: str, all_units: float) -> dict:
    comparison = row["comparison"] if row else None
    return dict(
        id=measure_id,
        value=round(value * 100, 1),
        unit="percent",
        years=years,
        basis=row["basis"] if row else "all_units",
        all_units_value=round(all_units * 100, 1),
        left_out="; ".join(comparison.left_out) if comparison else "",
        left_out_share=round(comparison.left_out_share * 100, 2) if comparison else 0.0,
        sentence=sentence,
    )


def headlines(
    series: pd.DataFrame, money: pd.DataFrame, panel: pd.DataFrame, from_year: str, intervention: dict[str, list[str]]
) -> pd.DataFrame:
    """Headline figures for England (HEADLINE_COLUMNS), each with a sentence written from its
    numbers. A change is like for like (``basis``) wherever the England figure lacks some units in
    either year: the sentence names the units left out and their share of spending, with the
    all-units change beside it (``all_units_value``)."""
    last = check_from_year(series, from_year)
    years = (from_year, last)
    span_text = f"{from_year} to {last}"
    england = series[series["area_level"] == "england"].set_index(["measure", "year"])
    base = england["price_base"].replace("", pd.NA).dropna().iloc[0]
    rows = _changes(series, money, panel, years, intervention)
    c = {m: r["change"] for m, r in rows.items()}
    early, late = (", ".join(cat.replace("_", " ") for cat in intervention[k]) for k in ("early", "late"))
    opposite = (c["late_intervention"] >= 0) != (c["early_intervention"] >= 0)
    same_story = (c["csc_net_total"] >= 0) == (c["s251_gross_total"] >= 0)
    share = rows["late_intervention_share"]
    then, now = (
        (share["comparison"].start, share["comparison"].end) if share["comparison"] else (share["start"], share["end"])
    )
    cla, total = (england.loc[(m, last), "cash"] for m in ("s251_gross_children_looked_after", "s251_gross_total"))
    # (id, measure whose change it is or None, value, all-units value, sentence), in the order of the story
    story = [
        (
            "s251_gross_total_real_change",
            "s251_gross_total",
            f"Councils in England spent {_bn(rows['s251_gross_total']['end'])} on children's and young people's "
            f"services in {last} (S251 outturn, gross). In real terms, at {base}, that is "
            f"{_more(c['s251_gross_total'])} than in {from_year}.",
        ),
        (
            "s251_gross_total_per_child_real_change",
            "s251_gross_total_per_child",
            f"Per child aged 0-17, councils spent {_gbp(rows['s251_gross_total_per_child']['end'])}, "
            f"{_more(c['s251_gross_total_per_child'])} in real terms than in {from_year}.",
        ),
        (
            "early_intervention_real_change",
            "early_intervention",
            f"Spending on early intervention ({early}) was {_bn(rows['early_intervention']['end'])} in {last}, "
            f"{_more(c['early_intervention'])} in real terms than the {_bn(rows['early_intervention']['start'])} of "
            f"{from_year}.",
        ),
        (
            "late_intervention_real_change",
            "late_intervention",
            f"Late intervention ({late}) {'went the other way, with ' if opposite else 'saw '}"
            f"{_rise(c['late_intervention'])} in real terms, to {_bn(rows['late_intervention']['end'])}.",
        ),
        (
            "late_intervention_share",
            "late_intervention_share",
            f"Late intervention now takes {now:.0%} of the total, {'up' if now >= then else 'down'} from {then:.0%} "
            f"in {from_year}.",
        ),
        (
            "cla_share",
            None,
            f"Children looked after alone took {cla / total:.0%} of it in {last} ({_bn(cla)} of {_bn(total)} in "
            "cash, over the councils that reported that year).",
        ),
        (
            "s251_gross_children_looked_after_per_cla_real_change",
            "s251_gross_children_looked_after_per_cla",
            "Spending on children looked after came to "
            f"{_gbp(rows['s251_gross_children_looked_after_per_cla']['end'])} for each child looked after at the end "
            f"of {last}: {_rise(c['s251_gross_children_looked_after_per_cla'])} in real terms since {from_year}.",
        ),
        (
            "csc_net_total_real_change",
            "csc_net_total",
            f"MHCLG's revenue outturn {'tells the same story' if same_story else 'points the other way'}: net current "
            f"spending on children's social care was {_bn(rows['csc_net_total']['end'])} in {last}, "
            f"{_rise(c['csc_net_total'])} in real terms since {from_year}.",
        ),
    ]
    explained: set = set()
    out = []
    for headline, measure, sentence in story:
        if measure is None:
            out.append(_row(headline, cla / total, last, None, sentence, cla / total))
            continue
        row = rows[measure]
        is_share = measure == "late_intervention_share"
        value, all_units = (now, row["end"]) if is_share else (c[measure], row["all_units"])
        sentence += _left_out(row, from_year, explained, share=is_share)
        out.append(_row(headline, value, span_text, row, sentence, all_units))
    return pd.DataFrame(out, columns=HEADLINE_COLUMNS)


COMMONS_COLUMNS = [
    "year",
    "published_cash_bn",
    "pipeline_cash_bn",
    "cash_difference",
    "published_real_bn",
    "pipeline_real_bn",
    "real_difference",
    "within_tolerance",
    "explanation",
]


def commons_table(
    panel: pd.DataFrame,
    prices: pd.DataFrame,
    published: dict,
    cash_tolerance: float = 0.01,
    real_tolerance: float = 0.015,
) -> pd.DataFrame:
    """The Commons Library table of children's social care spending beside the pipeline's
    MHCLG series, deflated with the nearest pinned HM Treasury vintage to the same price base."""
    years = list(published["cash"])
    rows = panel[(panel["area_level"] == "england") & (panel["measure"] == "csc_net_total") & panel["year"].isin(years)]
    real = deflate(rows, prices, published["deflator_vintage_used"], published["price_base"]).set_index("year")
    out = pd.DataFrame({"year": years})
    out["published_cash_bn"] = out["year"].map(published["cash"])
    out["published_real_bn"] = out["year"].map(published["real"])
    out["pipeline_cash_bn"] = out["year"].map(real["value"] / 1e9)
    out["pipeline_real_bn"] = out["year"].map(real["value_real"] / 1e9)
    out["cash_difference"] = out["pipeline_cash_bn"] / out["published_cash_bn"] - 1
    out["real_difference"] = out["pipeline_real_bn"] / out["published_real_bn"] - 1
    cash_ok = out["cash_difference"].abs() <= cash_tolerance
    real_ok = out["real_difference"].abs() <= real_tolerance
    out["within_tolerance"] = cash_ok & real_ok
    flags = out["year"].map(real["flag"])
    out["explanation"] = [
        ""
        if ok
        else "; ".join(
            filter(
                None,
                [
                    "the pipeline's England total lacks some LAs (flag incomplete)" if flag == "incomplete" else "",
                    ""
                    if c_ok
                    else "cash differs: published figures are rounded to £10m and MHCLG revised the year later",
                    ""
                    if r_ok or not c_ok
                    else f"cash agrees, so the gap is the deflator: {published['deflator_vintage_used']} instead of the "
                    "October 2018 HM Treasury vintage the Library used",
                ],
            )
        )
        for ok, c_ok, r_ok, flag in zip(out["within_tolerance"], cash_ok, real_ok, flags)
    ]
    return out[COMMONS_COLUMNS]


DFE_COLUMNS = ["id", "published_text", "year", "published", "pipeline", "difference", "pipeline_definition"]


def dfe_comparison(
    series: pd.DataFrame, prices: pd.DataFrame, published: dict, early: list[str], index: str
) -> pd.DataFrame:
    """DfE's published spending figures beside the pipeline's, with what the pipeline measures.

    Real-terms figures are deflated to the figure's own ``price_base`` with the configured index;
    a change is measured from the figure's ``from_year`` (a difference in points, not a ratio).
    """
    england = series[series["area_level"] == "england"].set_index(["measure", "year"])
    early_cash = england.xs("early_intervention")[["cash"]].reset_index().rename(columns={"cash": "value"})
    early_cash = early_cash.dropna(subset=["value"])
    configured = f"S251 early intervention as configured ({', '.join(early)})"

    def early_real(base: str) -> pd.Series:
        return deflate(early_cash, prices, index, base).set_index("year")["value_real"]

    def pipeline(figure: dict) -> tuple[float, str]:
        year, measure = figure["year"], figure["measure"]
        if measure == "s251_gross_total":
            return (
                england.loc[(measure, year), "cash"],
                "S251 outturn gross expenditure on children and young people's services, excluding capital "
                "charged to revenue (LAIT C&YPExpenditure from 2019-20), cash",
            )
        if measure == "cla_share":
            return (
                england.loc[("s251_gross_children_looked_after", year), "cash"]
                / england.loc[("s251_gross_total", year), "cash"],
                "S251 children looked after (incl. care leavers, adoption and special guardianship) over the "
                "S251 total, cash",
            )
        if measure == "early_intervention_real":
            return (
                early_real(figure["price_base"])[year],
                f"{configured}, real terms in {figure['price_base']} prices with {index}; DfE's 'non-statutory "
                "preventative services' are not defined line by line and its price base is not stated",
            )
        real = early_real(year)
        return real[year] / real[
            figure["from_year"]
        ] - 1, f"change in {configured} since {figure['from_year']}, real terms"

    rows = []
    for figure in published["figures"]:
        mine, definition = pipeline(figure)
        change = figure["measure"].endswith("_change")
        rows.append(
            dict(
                id=figure["id"],
                published_text=figure["text"],
                year=figure["year"],
                published=figure["value"],
                pipeline=mine,
                difference=mine - figure["value"] if change else mine / figure["value"] - 1,
                pipeline_definition=definition,
            )
        )
    return pd.DataFrame(rows, columns=DFE_COLUMNS)


def build_national(
    money: pd.DataFrame,
    panel: pd.DataFrame,
    prices: pd.DataFrame,
    intervention: dict[str, list[str]],
    from_year: str,
    index: str,
    published: dict,
) -> dict[str, pd.DataFrame]:
    """The national stage's tables: ``series``, ``headlines``, ``commons`` (the Commons Library
    table beside the pipeline's) and ``dfe`` (DfE's published figures beside the pipeline's)."""
    early, late = intervention["early"], intervention["late"]
    series = sort_table(national_series(money, early, late), ["area_level", "area_code", "measure", "year"])
    return {
        "series": series,
        "headlines": headlines(series, money, panel, from_year, intervention),
        "commons": commons_table(panel, prices, published["commons_childrens_social_care"]),
        "dfe": dfe_comparison(series, prices, published["dfe_spending"], early, index),
    }
