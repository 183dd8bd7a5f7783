from pathlib import Path

from childspend import logs
from childspend.panel.areas import read_areas
from childspend.reports.batches import batches, unit_ids
from childspend.reports.notebook import render_many

log = logs.setup(snakemake.log[0], "render_profiles")
folder = Path(snakemake.output[0])
areas = read_areas(snakemake.input.areas)
names = areas.set_index("area_code")["area_name"]
units = batches(unit_ids(areas), snakemake.params.batches)[int(snakemake.wildcards.batch)]
runs = [
    (
        dict(
            area=area,
            years=list(snakemake.params.years),
            price_base=snakemake.params.price_base,
            profiles_dir=str(Path(snakemake.input.tables[0]).parent),
            neighbours_path=snakemake.input.neighbours,
            areas_path=snakemake.input.areas,
            sources_path=snakemake.input.sources,
            csv_dir=str(folder / area),
            csv_href=area,
        ),
        folder / f"{area}.html",
        f"{names[area]}: spending on children's services",
    )
    for area in units
]
render_many(snakemake.input.notebook, runs, log=log)
log.info("%d profiles in one kernel -> %s", len(runs), folder)
