#!/usr/bin/env bash
# Recompute the locks from the ranges in pyproject.toml, with uv (pinned below).
#
#   bash requirements/refresh.sh                        keep every locked version that still fits
#   bash requirements/refresh.sh --upgrade-package pandas   move one package (and what it needs)
#   bash requirements/refresh.sh --upgrade              newest versions the ranges allow
#
# lock-test.txt (pipeline + test and cluster extras) is solved first; lock.txt (pipeline + cluster
# extra: the SLURM executor, so profiles/slurm runs from either lock) is then solved under it as a
# constraint, so the two never disagree on a version. Both are for CPython 3.11 on
# Linux x86_64 (the project's machines) and carry sha256 hashes, so pip checks every download.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
if ! command -v uv >/dev/null || [[ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]]; then
    tools="$(mktemp -d)"
    trap 'rm -rf "$tools"' EXIT
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install --quiet "uv==$UV_VERSION"
    PATH="$tools/venv/bin:$PATH"
fi

common=(--python-version 3.11 --python-platform x86_64-manylinux_2_28 --generate-hashes --quiet)
uv pip compile pyproject.toml --extra test --extra cluster "${common[@]}" "$@" -o requirements/lock-test.txt
uv pip compile pyproject.toml --extra cluster -c requirements/lock-test.txt "${common[@]}" -o requirements/lock.txt
echo "requirements/lock-test.txt and requirements/lock.txt refreshed; commit them with pyproject.toml"
