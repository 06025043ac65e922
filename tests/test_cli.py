"""The command line turns input problems into one plain message and a non-zero exit, no traceback."""

import subprocess
import sys

import pytest
import yaml


def run_cli(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )  # the package comes from the editable install


def test_a_config_error_is_one_message_and_exit_2(tmp_path):
    cfg = tmp_path / "j.yml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "jurisdictions": [
                    {
                        "slug": "x",
                        "name": "X",
                        "producer": "X",
                        "log_kind": "auto",
                        "timezone": "Nowhere/City",
                        "inputs": ["a.csv"],
                    }
                ]
            }
        )
    )
    r = run_cli("run", "--config", str(cfg), cwd=tmp_path)
    assert r.returncode == 2
    assert "time zone 'Nowhere/City'" in r.stderr and "Traceback" not in r.stderr


def test_an_unknown_jurisdiction_is_named(tmp_path):
    r = run_cli("run", "-j", "atlantis-pd", cwd=tmp_path)
    assert r.returncode == 2 and "no jurisdiction named atlantis-pd" in r.stderr


# One parser tree (issue 27 item 5): --version, and --help on every command, exit codes as documented.
def test_version_is_the_packages(tmp_path):
    from importlib import metadata

    r = run_cli("--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == f"flock {metadata.version('flock-audit-pipeline')}"


@pytest.mark.parametrize("command", ["run", "add", "classify", "explore"])
def test_help_works_on_every_command(tmp_path, command):
    # Before: `classify --help` classified the string "--help" and printed JSON.
    r = run_cli(command, "--help", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith(f"usage: flock {command}"), r.stdout + r.stderr
    assert '"text"' not in r.stdout


@pytest.mark.parametrize("args", [[], ["frobnicate"], ["classify"], ["run", "--jobs", "many"], ["add", "x.csv"]])
def test_a_usage_error_exits_2_with_the_usage(tmp_path, args):
    r = run_cli(*args, cwd=tmp_path)
    assert r.returncode == 2 and "usage: flock" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_classify_still_classifies(tmp_path):
    r = run_cli("classify", "--", "ICE detainer", cwd=tmp_path)
    assert r.returncode == 0 and '"text": "ICE detainer"' in r.stdout


def test_the_console_script_is_the_same_command_line():
    import shutil
    from pathlib import Path

    script = Path(sys.executable).with_name("flock")
    assert shutil.which(str(script)), "pyproject.toml's [project.scripts] flock is not installed (make venv)"
    r = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and all(c in r.stdout for c in ("run", "add", "classify", "explore", "Exit codes"))
