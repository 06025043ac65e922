"""The command line turns input problems into one plain message and a non-zero exit, no traceback."""

import subprocess
import sys

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
