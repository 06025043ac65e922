# Everything a fresh machine needs: `make all` (set-up + every bundled jurisdiction) and `make test`.
# No conda: a venv from python3 -m venv with the pinned versions of requirements.lock.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  := $(BIN)/python
JOBS    ?=
SCALE   ?= 1.0

export IPYTHONDIR            := $(CURDIR)/build/.ipython
export JUPYTER_CONFIG_DIR    := $(CURDIR)/build/.jupyter
export JUPYTER_DATA_DIR      := $(CURDIR)/build/.jupyter/data
export JUPYTER_RUNTIME_DIR   := $(CURDIR)/build/.jupyter/runtime
export GX_ANALYTICS_ENABLED  := False

SYNTH_TRUTH := data/raw/alvin-isd/truth.json data/raw/huffman-isd/truth.json data/raw/six-districts/truth.json

.PHONY: all venv synth run add explore test test-fast lint browser check-pages bench bench-corpus check-identical lock clean-outputs help

all: venv synth run                 ## set up, generate the synthetic releases, run every jurisdiction

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# The pinned dependencies, then the package itself, editable (pyproject.toml): kernels and tools import it
# from this checkout, with no PYTHONPATH.
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet -r requirements.lock
	$(PYTHON) -m pip install --quiet --no-deps -e .
	mkdir -p build/.ipython
	touch $@

venv: $(VENV)/.installed            ## create .venv and install the pinned dependencies

# The synthetic releases are generated, never committed; regenerated when the generator changes.
SYNTH_CODE := $(wildcard tools/synth*.py)
data/raw/%/truth.json: $(SYNTH_CODE) $(VENV)/.installed
	$(PYTHON) -m tools.synth $* --scale $(SCALE)

# The synthetic corpus: its six members' releases and the corpus truth (tools/synth_corpus.py).
data/raw/six-districts/truth.json: $(SYNTH_CODE) $(VENV)/.installed
	$(PYTHON) -m tools.synth six-districts

synth: $(SYNTH_TRUTH)               ## generate the synthetic jurisdictions (alvin-isd, huffman-isd)

run: venv synth                     ## run every jurisdiction in jurisdictions.yml into reports/
	$(PYTHON) -m pipeline run $(if $(JOBS),--jobs $(JOBS),)

# A new release: make add FILES="jan.csv feb.csv" J=slug, and for a new jurisdiction
# ARGS='--name "..." --producer "..." --timezone America/Chicago' (see `python -m pipeline add --help`).
add: venv                           ## copy a release into data/raw/<slug>/ (FILES=... J=slug), record it in SOURCE.md and jurisdictions.yml
	@test -n "$(FILES)" && test -n "$(J)" || { echo "usage: make add FILES=\"FILE ...\" J=SLUG [ARGS='--name ... --producer ... --timezone ...']" >&2; exit 2; }
	$(PYTHON) -m pipeline add $(FILES) --jurisdiction $(J) $(ARGS)

# Every published search in Datasette: builds reports/explore/flock.db when its inputs changed, then serves it
# read-only on 127.0.0.1 (a free port, printed) until Ctrl-C. HOST=, PORT=, ARGS=--no-serve to build only.
explore: venv                       ## build reports/explore/flock.db (every published search) and serve it with Datasette
	$(PYTHON) -m pipeline explore $(if $(HOST),--host $(HOST),) $(if $(PORT),--port $(PORT),) $(ARGS)

# The report pages are tested in a real browser: Playwright (requirements.lock) driving Debian's Chromium,
# since Playwright's own browser download cannot run here (the test skips, saying why, where Chromium
# cannot be installed).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Chromium from Debian's packages for the browser test"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	  || echo "note: Chromium could not be installed here; the browser test will be skipped"; }

lint: venv                          ## ruff check and ruff format --check (pyproject.toml), then the import layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: venv browser lint             ## lint, then every test (CI calls this; 9 to 12 minutes on 2 cores)
	$(PYTHON) -m pytest -q

# The inner loop: every test but whole runs (e2e), the browser and the slow ones (tests/lanes.py marks them).
test-fast: venv lint                ## lint, then the tests without whole runs, the browser or slow ones (< 2 minutes)
	$(PYTHON) -m pytest -q -m "not e2e and not browser and not slow"

check-pages: venv browser          ## every page under reports/ in Chromium at 1400, 800 and 390 px (after make all; tools/check_pages.py)
	$(PYTHON) -m tools.check_pages

bench: venv synth                   ## the floors at 1 and 32 months, the corpus step, a run's fixed cost and make test (bench/RESULTS.md; ~75 min)
	$(PYTHON) -m bench
	$(PYTHON) -m bench.bench_corpus --rows 10e6 40e6 140e6
	$(PYTHON) -m bench.bench_kernels --tests

bench-corpus: venv                  ## the corpus step alone at 10M, 40M and 140M rows (~25 min, ~40 GB of disk)
	$(PYTHON) -m bench.bench_corpus --rows 10e6 40e6 140e6

# BASE: the revision whose outputs the working tree must reproduce (a refactor's parent commit).
check-identical: venv               ## outputs of the working tree vs BASE=<rev> on the bundled jurisdictions (tools/check_identical.py)
	@test -n "$(BASE)" || { echo "usage: make check-identical BASE=<git revision>" >&2; exit 2; }
	$(PYTHON) -m tools.check_identical --base $(BASE)

lock:                               ## re-resolve requirements.in into requirements.lock in a scratch venv
	rm -rf build/lock-venv && $(PY) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements.in
	(echo "# Generated by \`pip freeze\` from a clean venv built from requirements.in (Python 3.11)."; \
	 echo "# Regenerate: make lock"; build/lock-venv/bin/pip freeze | sort -f) > requirements.lock

clean-outputs:                      ## delete generated outputs (reports/, data/processed/); raw data is kept
	rm -rf reports/*/ reports/index.html data/processed/*/
