# Every target that needs Python depends on the venv, so each works on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB := $(wildcard book/*.ipynb)

.PHONY: install test fuzz book notebooks bench cluster cluster-delete test-kind clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests
	$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules netpol_kernel
	$(if $(NB),$(BIN)/python -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg $(NB))

# The fuzzer of tests/test_fuzz.py with a larger budget than `make test` gives it (40 examples
# per generator there); FUZZ_EXAMPLES=N to change it.  Seeded: a run repeats exactly.
FUZZ_EXAMPLES ?= 2000
fuzz: install
	NETPOL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py

book: install
	$(BIN)/jupyter-book build book --config _config.yml -W -n --keep-going

# Re-execute every chapter in place (authors: after changing a chapter or the package).
notebooks: install
	$(BIN)/python tools/run_notebooks.py $(NB)

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/apply.py

KIND ?= kind
CLUSTER ?= netpol-course
cluster:
	$(KIND) create cluster --name $(CLUSTER) --config kind-config.yaml --wait 120s

cluster-delete:
	$(KIND) delete cluster --name $(CLUSTER)

test-kind: install
	NETPOL_BACKEND=kube $(BIN)/python -m pytest -q -p no:cacheprovider -m live tests
	$(if $(NB),NETPOL_BACKEND=kube $(BIN)/python -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg $(NB))

clean:
	rm -rf $(VENV) _build book/_build .pytest_cache
