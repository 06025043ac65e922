"""environment.yml (for conda users) and requirements.lock (what make installs) pin the same versions."""

import importlib.metadata
import re

import yaml

from pipeline import ROOT


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins() -> dict:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_norm(name)] = version
    return pins


def test_environment_yml_pins_equal_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    lock = lock_pins()
    assert pip, "environment.yml pins nothing"
    for spec in pip:
        name, version = spec.split("==")
        assert lock.get(_norm(name)) == version, f"{name}: environment.yml {version}, lock {lock.get(_norm(name))}"


def test_every_top_level_requirement_is_pinned_in_the_lock_and_environment():
    lock = lock_pins()
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    env_names = {_norm(s.split("==")[0]) for d in env["dependencies"] if isinstance(d, dict) for s in d["pip"]}
    for line in (ROOT / "requirements.in").read_text().splitlines():
        name, _, version = line.split("#")[0].strip().partition("==")
        if name:
            assert _norm(name) in lock, f"{name} is not pinned in requirements.lock"
            assert _norm(name) in env_names, f"{name} is not pinned in environment.yml"
            if version:  # pinned in requirements.in too (the PDF libraries): the same version everywhere
                assert lock[_norm(name)] == version.strip(), (
                    f"{name}: requirements.in {version}, lock {lock[_norm(name)]}"
                )


def test_installed_versions_are_the_locked_ones():
    lock = lock_pins()
    for name in (
        "pandas",
        "duckdb",
        "pyarrow",
        "altair",
        "great-expectations",
        "papermill",
        "python-calamine",
        "pypdfium2",
        "fpdf2",
    ):
        assert importlib.metadata.version(name) == lock[name], name
