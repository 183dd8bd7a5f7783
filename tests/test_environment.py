"""The pinned environment: the locks satisfy pyproject.toml and agree with each other, the tests
run in exactly the locked versions, and the README's commands and CI install from the lock."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
LOCK_TEST = ROOT / "requirements" / "lock-test.txt"
REFRESH = "refresh the locks with `bash requirements/refresh.sh` (README, Development)"
REINSTALL = "rebuild the venv with the README's test command (rm -rf .venv first)"
# What `pip freeze` leaves out, and the project itself (installed with --no-deps).
NOT_LOCKED = {"pip", "setuptools", "wheel", "distribute", "childspend"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def parse_lock(text: str) -> dict[str, str]:
    """{normalised name: version} from a uv / pip-tools lock (``name==version`` lines)."""
    return {canonicalize_name(m[1]): m[2] for m in map(PIN.match, text.splitlines()) if m}


def project_requirements(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for extra in extras for r in project["optional-dependencies"][extra]]
    return [Requirement(r) for r in reqs]


def unsatisfied(reqs: list[Requirement], pins: dict[str, str]) -> list[str]:
    problems = []
    for req in reqs:
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req}: not in the lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req}: the lock has {version}")
    return problems


def installed() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}


def differences(pins: dict[str, str], have: dict[str, str]) -> list[str]:
    """How an environment differs from a lock, as `pip freeze` would show it."""
    problems = [
        f"{name}: locked {v}, installed {have.get(name, 'nothing')}" for name, v in pins.items() if have.get(name) != v
    ]
    problems += [
        f"{name} {v}: installed, not in the lock"
        for name, v in have.items()
        if name not in pins and name not in NOT_LOCKED
    ]
    return sorted(problems)


def readme_commands() -> list[str]:
    section = (ROOT / "README.md").read_text().split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_parse_lock_reads_hashed_and_plain_pins():
    text = "# via uv\nPyYAML==6.0.4 \\\n    --hash=sha256:ab\n    # via x\nrpds_py==1.2 ; python_version >= '3.11'\n"
    assert parse_lock(text) == {"pyyaml": "6.0.4", "rpds-py": "1.2"}


def test_locks_satisfy_pyproject():
    # Both locks hold the SLURM executor (the cluster extra), so profiles/slurm runs from either.
    assert unsatisfied(project_requirements("cluster"), parse_lock(LOCK.read_text())) == [], REFRESH
    assert unsatisfied(project_requirements("test", "cluster"), parse_lock(LOCK_TEST.read_text())) == [], REFRESH


def test_a_range_the_lock_does_not_satisfy_is_caught():
    assert unsatisfied([Requirement("pandas>=99")], {"pandas": "3.1.1"}) == ["pandas>=99: the lock has 3.1.1"]
    assert unsatisfied([Requirement("newpkg<2")], {"pandas": "3.1.1"}) == ["newpkg<2: not in the lock"]


def test_pipeline_lock_is_the_test_lock_without_the_test_tools():
    run, test = parse_lock(LOCK.read_text()), parse_lock(LOCK_TEST.read_text())
    assert {name: v for name, v in run.items() if test.get(name) != v} == {}, REFRESH
    for req in project_requirements("test"):
        assert canonicalize_name(req.name) in test


def test_tests_run_in_exactly_the_locked_versions():
    assert differences(parse_lock(LOCK_TEST.read_text()), installed()) == [], REINSTALL


def test_an_environment_off_the_lock_is_caught():
    pins = {"pandas": "3.1.1", "numpy": "2.4.6"}
    have = {"pandas": "3.0.0", "pip": "23.2.1", "childspend": "0.1.0", "extra": "1.0"}
    assert differences(pins, have) == [
        "extra 1.0: installed, not in the lock",
        "numpy: locked 2.4.6, installed nothing",
        "pandas: locked 3.1.1, installed 3.0.0",
    ]


def test_readme_commands_install_the_lock_then_the_project_without_resolving():
    run, test = readme_commands()
    assert "pip install -r requirements/lock.txt && .venv/bin/pip install --no-deps -e . &&" in run
    assert run.endswith("snakemake --cores 4")
    assert "pip install -r requirements/lock-test.txt && .venv/bin/pip install --no-deps -e . &&" in test
    assert test.endswith(".venv/bin/pytest")
    assert "\n" not in run and "\n" not in test, "each command is one copy-paste line"


def test_ci_runs_the_readme_test_command():
    _, test = readme_commands()
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()


def test_conda_env_installs_the_pipeline_lock():
    env = (ROOT / "workflow" / "envs" / "childspend.yaml").read_text()
    assert "- -r ../../requirements/lock.txt" in env
    deploy = (ROOT / "workflow" / "envs" / "childspend.post-deploy.sh").read_text()
    assert "pip install --no-deps -e ." in deploy
