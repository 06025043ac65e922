"""Every method a child process can run (`python -m bench.children METHOD ARGS OUT`), and that process's main."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.children_floor import (
    child_floor_duckdb,
    child_floor_pyarrow,
    child_floor_typed,
    child_floor_write,
    child_naive_pandas,
)
from bench.children_pipeline import (
    child_e2e,
    child_e2e_floor,
    child_engine_check,
    child_pipeline_build,
    child_profile,
    child_validate,
)
from bench.harness import vm_hwm

CHILDREN = {
    "floor_duckdb": child_floor_duckdb,
    "floor_pyarrow": child_floor_pyarrow,
    "naive_pandas": child_naive_pandas,
    "pipeline_build": child_pipeline_build,
    "floor_write": child_floor_write,
    "floor_typed": child_floor_typed,
    "validate": child_validate,
    "engine_check": child_engine_check,
    "profile": child_profile,
    "e2e_first": child_e2e,
    "e2e_rerun": child_e2e,
    "e2e_floor": child_e2e_floor,
}


def child_main(argv: list[str]) -> int:
    from bench.bench_pdf import CHILDREN as PDF_CHILDREN

    method, args, out = argv[0], json.loads(argv[1]), Path(argv[2])
    result = {**CHILDREN, **PDF_CHILDREN}[method](args)
    result.setdefault("ok", True)
    result["vm_hwm"] = vm_hwm()
    out.write_text(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
