# negsim: `make run` and `make test` set everything up themselves (a .venv from
# Python 3.12 or newer, then an editable install with the test extra).

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# pyenv picks 3.12 from .python-version; a plain python3.12 on PATH works too.
PYTHON ?= $(shell command -v python3.12 >/dev/null 2>&1 && echo python3.12 || echo python3)
SCENARIOS := $(sort $(wildcard scenarios/*.yaml))

.PHONY: run test lint bench clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "negsim needs Python 3.12 or newer; found " + sys.version.split()[0] + " (pyenv install 3.12, or set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)

# setuptools tells every editable install to beware of same-named folders (a warning
# pip 25+ shows even with --quiet); only that message is filtered: other warnings,
# deprecations included, and errors still print.
QUIET_EDITABLE := PYTHONWARNINGS="$${PYTHONWARNINGS:+$$PYTHONWARNINGS,}ignore:Editable installation"

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(QUIET_EDITABLE) $(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

# The rounds are compiled by numba on first use and cached beside the source; compile
# them once here, so that the test workers and `make run` do not each compile them.
COMPILED := $(VENV)/.compiled
$(COMPILED): $(STAMP) sim/simulation/kernels.py sim/rngjit.py
	$(PY) -m sim.simulation.warm
	@touch $(COMPILED)

RESULTS := results/make-run

run: $(COMPILED)
	@$(VENV)/bin/negsim analyze scenarios/ukraine_2025.yaml
	@echo
	@rm -rf $(RESULTS)
	@$(VENV)/bin/negsim batch $(SCENARIOS) --runs 20000 --seed 1 --out $(RESULTS)
	@$(VENV)/bin/negsim plot $(RESULTS)

test: $(COMPILED)
	$(VENV)/bin/pytest -q -n 2

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy sim

bench: $(STAMP)
	$(PY) benchmarks/bench_analysis.py
	$(PY) benchmarks/bench_rng.py
	$(PY) benchmarks/bench_batch.py
	$(PY) benchmarks/bench_startup.py
	$(QUIET_EDITABLE) $(PY) -m pip install --quiet -e '.[bench]' && $(PY) benchmarks/bench_negotiation.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
