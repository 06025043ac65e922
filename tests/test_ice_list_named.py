"""The run says which of ICE's 287(g) lists it matched agencies against (issue 25), without the cost of
reading the list: naming it imports neither pandas nor a spreadsheet reader."""

import subprocess
import sys

from pipeline.run.runner import ice_list_in_use


def test_the_run_names_the_newest_list_the_project_holds():
    # data/reference/ice-287g/ holds ICE's lists of July 18, 2025 and May 18, 2026 (SOURCE.md)
    assert ice_list_in_use() == "ICE's 287(g) list in use: participatingAgencies05182026am.xlsx (list of May 18, 2026)"


def test_naming_the_list_imports_no_table_library():
    code = (
        "import sys; from pipeline.run.runner import ice_list_in_use; ice_list_in_use(); "
        "print(sorted(m for m in ('pandas', 'openpyxl', 'python_calamine') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
