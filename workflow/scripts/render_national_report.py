from childspend import logs
from childspend.reports.notebook import render

log = logs.setup(snakemake.log[0], "render_national_report")
parameters = {f"{name}_path": snakemake.input[name] for name in ("series", "headlines", "commons", "dfe", "dictionary")}
parameters["intervention"] = {group: list(snakemake.params.intervention[group]) for group in ("early", "late")}
parameters["commons_price_base"] = snakemake.params.commons_price_base
parameters["model_headlines_path"] = snakemake.input.model_headlines
figures = ("decomposition", "deprivation_gradient", "coefficients", "projection", "backtest")
parameters["model_figures"] = {name: snakemake.input[name] for name in figures}
render(snakemake.input.notebook, parameters, snakemake.output[0])
log.info("national report -> %s", snakemake.output[0])
