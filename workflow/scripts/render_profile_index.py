from pathlib import Path

from childspend import logs
from childspend.reports.notebook import render

log = logs.setup(snakemake.log[0], "render_profile_index")
html = Path(snakemake.output.html)
parameters = dict(
    index_path=snakemake.input.index,
    from_year=snakemake.params.from_year,
    price_base=snakemake.params.price_base,
    late=list(snakemake.params.late),
    profiles_href="la",
    csv_path=snakemake.output.csv,
    csv_href=Path(snakemake.output.csv).relative_to(html.parent).as_posix(),
)
render(snakemake.input.notebook, parameters, html, title="Children's services spending: LA profiles")
log.info("index of %d profiles -> %s", len(list(Path(snakemake.input.profiles).glob("*.html"))), html)
