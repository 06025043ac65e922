"""One YAML loader for every data file: a key given twice, an anchor or alias, an unknown key or a value of the
wrong type is refused with the file, the line and what was expected (issue 27 item 4, issue 26 item 10)."""

from __future__ import annotations

import pytest

from pipeline import RULES
from pipeline.config import load, load_corpora
from pipeline.errors import ConfigError, RulesError
from pipeline.io import rules, yamlfile

CSV = "id,userId,searchDate,networkCount,reason\nx,***,2026-03-10T04:31:52.901Z,2,Investigation\n"
ENTRY = """\
  - slug: ok-j
    name: OK
    producer: OK PD
    log_kind: portal
    timezone: America/Denver
    inputs: ["*.csv"]
"""


def project(tmp_path, text: str):
    raw = tmp_path / "data" / "raw" / "ok-j"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "a.csv").write_text(CSV)
    (tmp_path / "jurisdictions.yml").write_text(text)
    return tmp_path / "jurisdictions.yml"


def refusal(tmp_path, text: str) -> str:
    path = project(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load(path, root=tmp_path)
    return str(e.value)


def test_a_good_file_loads(tmp_path):
    (j,) = load(project(tmp_path, "jurisdictions:\n" + ENTRY), root=tmp_path)
    assert j.slug == "ok-j" and j.timezone == "America/Denver"


def test_a_duplicate_key_is_refused_with_its_line(tmp_path):
    # Before: the last `timezone` silently won and the entry loaded with America/Chicago.
    message = refusal(tmp_path, "jurisdictions:\n" + ENTRY + "    timezone: America/Chicago\n")
    assert message.startswith("jurisdictions.yml, line 8: ") and "'timezone' is given twice" in message, message
    assert "first on line 6" in message


def test_a_duplicate_top_level_key_is_refused(tmp_path):
    message = refusal(tmp_path, "jurisdictions:\n" + ENTRY + "jurisdictions:\n" + ENTRY)
    assert "line 8" in message and "'jurisdictions' is given twice" in message, message


def test_an_alias_bomb_in_notes_is_refused_before_it_expands(tmp_path):
    # Before: yaml.safe_load expanded it (9**9 strings) and the kernel that read the notes ran out of memory.
    bomb = 'x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"x{i}: &a{i} [*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1},*a{i - 1}]\n"
        for i in range(1, 9)
    )
    text = "jurisdictions:\n" + ENTRY + "    notes:\n" + "".join("      " + line + "\n" for line in bomb.splitlines())
    message = refusal(tmp_path, text)
    assert message.startswith("jurisdictions.yml, line 9: ") and "anchor or alias" in message, message


def test_a_plain_alias_is_refused_too(tmp_path):
    entry = "{slug: ok-j, name: OK, producer: OK PD, log_kind: portal, timezone: UTC, inputs: ['*.csv']}"
    text = f"jurisdictions:\n  - &entry {entry}\n  - *entry\n"
    message = refusal(tmp_path, text)
    assert "anchor or alias" in message and "line 2" in message, message


@pytest.mark.parametrize(
    "line, says",
    [
        ("    synthetic: 'yes'\n", "synthetic: Input should be a valid boolean"),
        ("    notes: [a, b]\n", "notes: Input should be a valid string"),
        ("    period: {start: 2026-01-01, finish: 2026-02-01}\n", "period.finish: Extra inputs are not permitted"),
    ],
)
def test_a_wrong_type_names_file_line_and_what_was_expected(tmp_path, line, says):
    message = refusal(tmp_path, "jurisdictions:\n" + ENTRY + line)
    assert message.startswith("jurisdictions.yml, line 8: ") and says in message, message


def test_an_unknown_key_names_the_line_of_its_entry(tmp_path):
    message = refusal(tmp_path, "jurisdictions:\n" + ENTRY + "    colour: red\n")
    assert message.startswith("jurisdictions.yml, line 2: ") and "unknown key(s) colour" in message, message


def test_a_corpus_with_a_wrong_type_is_refused(tmp_path):
    text = "jurisdictions:\n" + ENTRY + "corpora:\n  - {name: c, display_name: C, members: ok-j}\n"
    path = project(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_corpora(path, root=tmp_path)
    assert "line 9" in str(e.value) and "corpora[0].members" in str(e.value), str(e.value)


def test_a_message_never_prints_the_machines_path(tmp_path):
    message = refusal(tmp_path, "jurisdictions:\n" + ENTRY + "    timezone: UTC\n")
    assert str(tmp_path) not in message


def test_every_data_file_of_the_package_has_a_model_and_passes_it():
    package = RULES.parent
    files = {p.relative_to(package).as_posix() for p in package.rglob("*.yml")}
    assert files == set(rules.FILE_MODELS), files ^ set(rules.FILE_MODELS)
    for name in sorted(files):
        assert rules.read_data_file(package / name) is not None


def test_a_rules_file_with_a_duplicate_key_is_refused(tmp_path):
    path = tmp_path / "reasons.yml"
    path.write_text("dropdown_categories: [a]\ndropdown_categories: [b]\n")
    with pytest.raises(RulesError, match=r"line 2: the key 'dropdown_categories' is given twice"):
        yamlfile.read(path)


def test_not_valid_yaml_names_the_line(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("a: 1\nb: [unclosed\n")
    with pytest.raises(RulesError, match=r"x.yml, line \d+: not valid YAML"):
        yamlfile.read(path)
