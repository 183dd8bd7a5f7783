#!/usr/bin/env bash
# Run by Snakemake inside the new conda env, from the project folder, after childspend.yaml has
# installed requirements/lock.txt: add the project itself without resolving anything again.
set -euo pipefail
python -m pip install --no-deps -e .
