"""Config and pinned sources are validated with readable messages."""

import copy
from pathlib import Path

import pytest
import yaml

from childspend.config import check_config, load_config, load_published, load_sources
from childspend.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config():
    return load_config(ROOT / "config" / "config.yaml")


def test_shipped_config_and_sources_are_valid(config):
    sources = load_sources(ROOT / "config" / "sources.yaml")
    assert {e["family"] for e in sources.values()} >= {"s251_a1", "lait", "revenue_outturn", "geography"}
    assert config["years"]["first"] <= config["years"]["last"]


def test_unknown_key_is_named(config):
    bad = copy.deepcopy(config)
    bad["yeras"] = {}
    with pytest.raises(ConfigError, match="yeras"):
        check_config(bad)


def test_years_in_wrong_order(config):
    bad = copy.deepcopy(config)
    bad["years"] = {"first": "2020-21", "last": "2010-11"}
    with pytest.raises(ConfigError, match="after years.last"):
        check_config(bad)


def test_malformed_year_is_rejected(config):
    bad = copy.deepcopy(config)
    bad["years"]["first"] = "2020-22"
    with pytest.raises(ConfigError, match="not a financial year"):
        check_config(bad)


def test_la_in_two_merged_units(config):
    bad = copy.deepcopy(config)
    bad["geography"]["merged_units"]["909"]["members"].append(928)
    with pytest.raises(ConfigError, match="LA 928 is in both"):
        check_config(bad)


def test_source_with_bad_checksum_field(tmp_path):
    sources = yaml.safe_load((ROOT / "config" / "sources.yaml").read_text())
    first = next(iter(sources["sources"]))
    sources["sources"][first]["sha256"] = "not-a-hash"
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources))
    with pytest.raises(ConfigError, match=f"sources.{first}.sha256"):
        load_sources(path)


def test_base_year_outside_the_panel(config):
    bad = copy.deepcopy(config)
    bad["prices"]["base_year"] = "2030-31"
    with pytest.raises(ConfigError, match=r"prices.base_year \(2030-31\) is outside years"):
        check_config(bad)


def test_unknown_price_index_is_named(config):
    bad = copy.deepcopy(config)
    bad["prices"]["index"] = "rpi"
    with pytest.raises(ConfigError, match="prices.index"):
        check_config(bad)


def test_unknown_intervention_category_is_named(config):
    bad = copy.deepcopy(config)
    bad["intervention"]["late"].append("total")
    with pytest.raises(ConfigError, match=r"intervention.late.3': 'total' is not one of \['early_years'"):
        check_config(bad)


def test_category_both_early_and_late(config):
    bad = copy.deepcopy(config)
    bad["intervention"]["late"].append("family_support")
    with pytest.raises(ConfigError, match="both early and late"):
        check_config(bad)


def test_shipped_published_figures_are_valid_and_a_real_figure_needs_its_price_base(tmp_path):
    published = load_published(ROOT / "config" / "published.yaml")
    figure = next(f for f in published["dfe_spending"]["figures"] if f["measure"] == "early_intervention_real")
    del figure["price_base"]
    path = tmp_path / "published.yaml"
    path.write_text(yaml.safe_dump(published))
    with pytest.raises(ConfigError, match="price_base"):
        load_published(path)


def test_profiles_name_a_pinned_neighbour_list(config):
    from childspend.config import check_pinned

    sources = load_sources(ROOT / "config" / "sources.yaml")
    check_pinned(config["profiles"]["neighbours"], "neighbours", sources, "profiles.neighbours")
    with pytest.raises(ConfigError, match="'neighbours_1999-01' is not a pinned neighbours file"):
        check_pinned("neighbours_1999-01", "neighbours", sources, "profiles.neighbours")
