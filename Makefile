# Every target that needs Python depends on the venv, so each works on a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB := $(wildcard book/*.ipynb)

.PHONY: install test book lab check-pages notebooks bench cluster cluster-delete test-kind clean

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
	$(BIN)/python tools/run_notebooks.py $(NB)

bench: install
	$(BIN)/python bench/run.py

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
