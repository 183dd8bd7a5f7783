import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from e2e import MIRROR, scratch_project, snakemake  # noqa: E402


@pytest.fixture(scope="session")
def project(tmp_path_factory):
    """The whole pipeline run once on the real files in a scratch copy of the project (shared by
    the end-to-end and browser tests)."""
    if not MIRROR.is_dir():
        pytest.skip("needs the official files in ../shared/data")
    work = tmp_path_factory.mktemp("e2e") / "project"
    scratch_project(work, MIRROR)
    run = snakemake(work)
    assert run.returncode == 0, run.stderr[-5000:]
    return work
