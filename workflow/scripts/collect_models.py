import pandas as pd

from childspend import logs
from childspend.models.panel_models import collect, published_comparison
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "collect_models")
coefficients, fit = collect(
    [pd.read_csv(path) for path in snakemake.input.coefficients],
    [pd.read_csv(path) for path in snakemake.input.fits],
)
comparison = published_comparison(
    coefficients, fit, pd.read_csv(snakemake.input.cross_section, dtype={"year": str}), snakemake.params.published
)
write_csv(coefficients, snakemake.output.coefficients)
write_csv(fit, snakemake.output.fit)
write_csv(comparison, snakemake.output.published)
log.info("%d models, %d coefficients", len(fit), len(coefficients))
log.info(
    "published beside ours:\n%s",
    comparison[["comparison_id", "published_estimate", "model_id", "estimate", "ci_low", "ci_high"]].to_string(),
)
