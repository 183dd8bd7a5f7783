from pathlib import Path

from childspend import logs
from childspend.config import load_sources
from childspend.reports.national_page import TITLE, provenance
from childspend.reports.notebook import render
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "render_national_report")
parameters = {f"{name}_path": snakemake.input[name] for name in ("series", "headlines", "commons", "dfe", "dictionary")}
parameters["intervention"] = {group: list(snakemake.params.intervention[group]) for group in ("early", "late")}
parameters["commons_price_base"] = snakemake.params.commons_price_base
parameters["model_headlines_path"] = snakemake.input.model_headlines
figures = ("decomposition", "deprivation_gradient", "coefficients", "projection", "backtest")
parameters["model_figures"] = {name: snakemake.input[name] for name in figures}
parameters["sources_path"] = snakemake.input.sources
write_csv(provenance(load_sources(snakemake.input.sources)), snakemake.output.sources)
parameters["sources_href"] = Path(snakemake.output.sources).name
parameters["index_href"] = Path(snakemake.params.index).name
render(snakemake.input.notebook, parameters, snakemake.output.html, title=TITLE)
log.info("national report -> %s", snakemake.output.html)
