import pandas as pd

from childspend import logs
from childspend.models.panel_models import fit_panel_model
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "fit_panel_model")
model_id = snakemake.wildcards.model_id
coefficients, fit = fit_panel_model(pd.read_parquet(snakemake.input.frame), model_id, snakemake.params.model)
write_csv(coefficients, snakemake.output.coefficients)
write_csv(fit, snakemake.output.fit)
log.info("%s: %s", model_id, fit.iloc[0].drop(["population_vintage"]).to_dict())
log.info("coefficients:\n%s", coefficients[["term", "coef", "se", "p"]].to_string(index=False))
