"""The registry of measures: a bad registry is refused, the readers return what the CSV says."""

import pandas as pd
import pytest

from childspend import measures
from childspend.panel import dictionary

HEADER = ",".join(measures.COLUMNS)
ROWS = [
    "s251_gross_safeguarding,s251_gross,safeguarding,GBP (cash),money,,,,safeguarding,S251,,,,false,available",
    "s251_gross_total,s251_gross,total,GBP (cash),money,,,,all lines,S251,narrower before 2010-11,,,true,available",
    "population_0_17,population,,people,count,,,,children aged 0-17,ONS,,age_17_estimated,2009-10;2010-11,false,available",
    "cin_at_31_march,cin,,children,count,,,,children in need,DfE,,early_census,2009-10;2010-11,false,available",
    "cin_rate_per_10000,cin,,rate,rate,cin_at_31_march,population_0_17,10000,per 10000,DfE,,early_census,2009-10;2010-11,false,available",
    "s251_gross_total_per_child,s251_gross,,GBP per child,money,s251_gross_total,population_0_17,1,per child,derived,,,,true,not_yet_available",
]


def write(tmp_path, rows, name="measures.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_readers_return_what_the_csv_says(tmp_path):
    path = write(tmp_path, ROWS)
    assert measures.of_kind("money", path) == [
        "s251_gross_safeguarding",
        "s251_gross_total",
        "s251_gross_total_per_child",
    ]
    assert measures.of_kind("rate", path) == ["cin_rate_per_10000"]
    assert measures.derived(path=path) == {
        "cin_rate_per_10000": ("cin_at_31_march", "population_0_17", 1e4),
        "s251_gross_total_per_child": ("s251_gross_total", "population_0_17", 1.0),
    }
    assert measures.derived(["cin_rate_per_10000", "cin_at_31_march"], path) == {
        "cin_rate_per_10000": ("cin_at_31_march", "population_0_17", 1e4)
    }
    assert measures.quality_notes(path) == [
        (("population_0_17",), ("2009-10", "2010-11"), "age_17_estimated"),
        (("cin_at_31_march", "cin_rate_per_10000"), ("2009-10", "2010-11"), "early_census"),
    ]
    assert measures.categories("s251_gross", path) == ["safeguarding", "total"]
    assert measures.national_series(path) == ["s251_gross_total", "s251_gross_total_per_child"]
    table = measures.registry(path).set_index("measure")
    assert table.loc["s251_gross_total", "caveats"] == "narrower before 2010-11"
    assert table.loc["s251_gross_total_per_child", "status"] == "not_yet_available"


@pytest.mark.parametrize(
    "row, problem",
    [
        (ROWS[0], "duplicate measure: s251_gross_safeguarding, s251_gross_safeguarding"),
        ("imd_average_score,deprivation,,score,index,,,,IMD,MHCLG,,,,false,available", "kind not one of"),
        (
            "cla_rate_per_10000,cla,,rate,rate,cla_at_31_march,population_0_17,10000,per 10000,DfE,,,,false,available",
            "numerator or denominator not in the registry: cla_rate_per_10000",
        ),
        ("cpp_rate,cin,,rate,rate,cin_at_31_march,population_0_17,,rate,DfE,,,,false,available", "all given"),
        ("cpp_rate,cin,,rate,rate,cin_at_31_march,population_0_17,-1,rate,DfE,,,,false,available", "scale"),
        ("csc_net_total,csc_net,totl,GBP (cash),money,,,,total,RO3,,,,false,available", "<family>_<category>"),
        ("icpc,cin,,conferences,count,,,,ICPC,DfE,,early_census,2009/10,false,available", "financial years"),
        ("icpc,cin,,conferences,count,,,,ICPC,DfE,,,,yes,available", "national neither"),
        ("icpc,cin,,conferences,count,,,,ICPC,DfE,,,,false,planned", "status not one of"),
        ("icpc,cin,,,count,,,,ICPC,DfE,,,,false,available", "empty field"),
    ],
)
def test_a_bad_registry_is_refused(tmp_path, row, problem):
    path = write(tmp_path, [*ROWS, row])
    with pytest.raises(ValueError, match=problem.replace("(", r"\(")) as caught:
        measures.registry(path)
    assert str(path) in str(caught.value)


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "measures.csv"
    path.write_text(HEADER.replace(",status", "") + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['status'\]"):
        measures.registry(path)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown kind 'cash'"):
        measures.of_kind("cash")


def test_shipped_registry_units_match_kinds():
    table = measures.registry()
    money = table["kind"] == "money"
    assert table.loc[money, "unit"].str.startswith("GBP").all()
    assert not table.loc[~money, "unit"].str.startswith("GBP").any()
    assert set(measures.categories("s251_gross")) <= set(measures.categories("csc_net"))


def test_dictionary_takes_the_registry_text_and_names_an_unregistered_measure():
    panel = pd.DataFrame({"measure": ["s251_gross_total", "s251_gross_total"], "year": ["2010-11", "2011-12"]})
    row = dictionary.build(panel.assign(value=[1.0, 2.0])).set_index("column").loc["s251_gross_total"]
    entry = measures.registry().set_index("measure").loc["s251_gross_total"]
    assert (row["unit"], row["notes"], row["years_available"]) == (
        entry["unit"],
        entry["caveats"],
        "2010-11 to 2011-12 (2 years)",
    )
    with pytest.raises(KeyError, match="not_a_measure"):
        dictionary.build(pd.DataFrame({"measure": ["not_a_measure"], "year": ["2010-11"], "value": [1.0]}))
