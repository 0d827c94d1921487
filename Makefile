# Every target that needs Python depends on the venv, so each works on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB := $(wildcard book/*.ipynb)
# Notebooks that replay sessions on the embedded cluster only (they work in `default`,
# which the kube backend leaves alone): part of `make test`, not of `make test-kind`.
NB_SIM := $(wildcard tests/notebooks/*.ipynb)

.PHONY: install test fuzz book lab check-pages notebooks bench cluster cluster-delete test-kind clean

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
	$(if $(NB)$(NB_SIM),$(BIN)/python -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg $(NB) $(NB_SIM))

# The fuzzer of tests/test_fuzz.py with a larger budget than `make test` gives it (40 examples
# per generator there); FUZZ_EXAMPLES=N to change it.  Seeded: a run repeats exactly.
FUZZ_EXAMPLES ?= 2000
fuzz: install
	NETPOL_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py

book: install
	$(BIN)/jupyter-book build book --config _config.yml -W -n --keep-going

# The notebooks in JupyterLab, from .venv (JupyterLab is installed here, on first use,
# rather than by `make install`: the book and the tests do not need it).
lab: install
	$(BIN)/python -c "import jupyterlab" 2>/dev/null || $(BIN)/pip install --quiet "jupyterlab>=4.2,<5"
	$(BIN)/jupyter lab book/ $(if $(filter 0,$(shell id -u)),--allow-root)

# The built book in headless Chromium at 1280 and 390 px: nothing wider than the column,
# every picture a captioned figure, a clean console (tests/book/test_pages.py; about a
# minute). Installs Chromium with apt-get when it is missing (Debian/Ubuntu, as root).
check-pages: install
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { apt-get update -qq && apt-get install -y -qq chromium; }
	NETPOL_PAGE_CHECK=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/book

# Re-execute every chapter in place (authors: after changing a chapter or the package).
notebooks: install
	$(BIN)/python tools/run_notebooks.py $(NB) $(NB_SIM)

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/apply.py

KIND ?= kind
CLUSTER ?= netpol-course
KIND_MIN := v0.25.0
# kind v0.24.0's network policies stalled DNS from selected pods (kubernetes-sigs/kind#3713).
cluster:
	@v=$$($(KIND) version | awk '{print $$2}'); \
	if [ "$$(printf '%s\n' $(KIND_MIN) "$$v" | sort -V | head -n 1)" != $(KIND_MIN) ]; then \
	  echo "make cluster: kind $$v is too old; the book needs kind $(KIND_MIN) or newer" \
	       "(v0.24.0 stalls DNS under NetworkPolicies: kubernetes-sigs/kind#3713)" >&2; exit 1; fi
	$(KIND) create cluster --name $(CLUSTER) --config kind-config.yaml --wait 120s

cluster-delete:
	$(KIND) delete cluster --name $(CLUSTER)

# No progress lines in the outputs nbval compares; a missing cluster fails here in seconds,
# with one line, instead of in every notebook cell.
test-kind: export NETPOL_BACKEND = kube
test-kind: export NETPOL_PROGRESS = off
test-kind: install
	@$(BIN)/python tools/kind_preflight.py
	$(BIN)/python -m pytest -q -p no:cacheprovider -m live tests
	$(if $(NB),$(BIN)/python -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg $(NB))

clean:
	rm -rf $(VENV) _build book/_build .pytest_cache
