"""Config and pinned sources are validated with readable messages."""

import copy
from pathlib import Path

import pytest
import yaml

from childspend.config import check_config, load_config, load_published, load_sources, read_yaml
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


def test_latest_settings_follow_years_last():
    raw = read_yaml(ROOT / "config" / "config.yaml")
    assert raw["prices"]["base_year"] == raw["models"]["cross_section"]["years"]["last"] == "latest"
    raw["years"]["last"] = "2019-20"
    raw["models"]["panel"]["twfe_cla_rate_hmrc_poverty"]["years"] = {"first": "2011-12", "last": "latest"}
    config = check_config(raw)
    assert config["prices"]["base_year"] == config["models"]["cross_section"]["years"]["last"] == "2019-20"
    assert config["models"]["panel"]["twfe_cla_rate_hmrc_poverty"]["years"]["last"] == "2019-20"
    assert config["models"]["panel"]["twfe_cla_rate"]["years"]["last"] == "2021-22"  # a year written out stays
    assert config["models"]["decomposition"]["periods"][0] == {"from": "2010-11", "to": "2019-20"}


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


@pytest.mark.parametrize("bad", ["../../etc/passwd", "dfe-cla/../../outside.csv", "/abs/file.csv", "dfe\\x.csv"])
def test_a_source_path_that_leaves_raw_is_named(tmp_path, bad):
    sources = yaml.safe_load((ROOT / "config" / "sources.yaml").read_text())
    first = next(iter(sources["sources"]))
    sources["sources"][first]["path"] = bad
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources))
    with pytest.raises(ConfigError, match=rf"sources\.{first}\.path .*(absolute|'\.\.' part|backslash)"):
        load_sources(path)


DUPLICATES = {
    # file, text to find, text to put after it (a repeated key in the same block)
    "config.yaml": ('years:\n  first: "2008-09"\n', '  first: "2010-11"\n', "'first'"),
    "sources.yaml": ("sources:\n", None, "'cin_2010_osr28_2010ud'"),
    "published.yaml": ('    "2010-11": 6.65\n', '    "2010-11": 6.70\n', "'2010-11'"),
}
LOADERS = {"config.yaml": load_config, "sources.yaml": load_sources, "published.yaml": load_published}


@pytest.mark.parametrize("name", sorted(DUPLICATES))
def test_a_repeated_key_is_named_with_its_line(tmp_path, name):
    text = (ROOT / "config" / name).read_text()
    anchor, repeat, key = DUPLICATES[name]
    assert text.count(anchor) == 1
    if repeat is None:  # a copy-pasted source block: the first entry again, later in the file
        lines = text.splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if line.startswith("  cin_2010_osr28_2010ud:"))
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  ") and lines[i][2] != " ")
        text = text + "".join(lines[start:end])
    else:
        text = text.replace(anchor, anchor + repeat)
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(
        ConfigError, match=rf"{name}, line \d+: key {key} appears twice in the same block \(first on line \d+\)"
    ):
        LOADERS[name](path)


@pytest.mark.parametrize("name", sorted(LOADERS))
@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['echo owned']", "!!python/name:os.system"])
def test_an_executable_tag_is_refused_as_such(tmp_path, name, tag):
    text = (ROOT / "config" / name).read_text()
    path = tmp_path / name
    path.write_text(text + f"\nextra: {tag}\n")
    with pytest.raises(
        ConfigError, match=r"line \d+: the tag '!!python/[^']+' would run code or build a Python object"
    ):
        LOADERS[name](path)


def test_merge_keys_may_still_be_overridden(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("base: &b {a: 1, b: 2}\nother:\n  <<: *b\n  b: 3\n")
    assert read_yaml(path)["other"] == {"a": 1, "b": 3}


@pytest.mark.parametrize("year", ["2030-31", "2007-08", "2024-25"])
def test_headline_year_outside_the_panel_is_named(config, year):
    bad = copy.deepcopy(config)
    bad["headlines"]["from_year"] = year
    with pytest.raises(ConfigError, match=rf"headlines.from_year \({year}\) must lie in years 2008-09 to 2024-25"):
        check_config(bad)


def test_profiles_name_a_pinned_neighbour_list(config):
    from childspend.config import check_pinned

    sources = load_sources(ROOT / "config" / "sources.yaml")
    check_pinned(config["profiles"]["neighbours"], "neighbours", sources, "profiles.neighbours")
    with pytest.raises(ConfigError, match="'neighbours_1999-01' is not a pinned neighbours file"):
        check_pinned("neighbours_1999-01", "neighbours", sources, "profiles.neighbours")
