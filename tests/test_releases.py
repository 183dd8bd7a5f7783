"""Latest release wins: one helper for whole releases and for single values."""

import pandas as pd

from childspend.panel.releases import latest_release


def table(rows):
    return pd.DataFrame(rows, columns=["source", "year", "la_number", "value"])


def test_whole_release_newest_per_year():
    rows = table(
        [
            ("lait_2025", "2022-23", 201, 1.0),
            ("lait_2026", "2022-23", 201, 2.0),
            ("lait_2026", "2022-23", 202, float("nan")),
            ("lait_2025", "2021-22", 201, 3.0),  # only the older release covers 2021-22
        ]
    )
    kept = latest_release(rows, ["year"])
    assert kept["source"].tolist() == ["lait_2026", "lait_2026", "lait_2025"]
    assert kept["value"].isna().sum() == 1  # a missing value in the newest release stays missing


def test_single_values_fall_back_to_the_newest_earlier_release_that_gives_one():
    rows = table(
        [
            ("cla_2023", "2022-23", 201, 5.0),
            ("cla_2024", "2022-23", 201, 6.0),
            ("cla_2025", "2022-23", 201, float("nan")),  # newest suppresses it
            ("cla_2025", "2022-23", 202, 7.0),
            ("cla_2024", "2022-23", 203, 8.0),  # newest lacks the row
            ("cla_2025", "2022-23", 204, float("nan")),  # no release gives it
        ]
    )
    kept = latest_release(rows, ["year"], fill_from_earlier=["la_number"]).set_index("la_number")
    assert kept["source"].to_dict() == {201: "cla_2024", 202: "cla_2025", 203: "cla_2024", 204: "cla_2025"}
    assert kept["earlier_release"].to_dict() == {201: True, 202: False, 203: True, 204: False}
    assert pd.isna(kept.loc[204, "value"])
