# The two commands of the README. Both set up .venv on first use (and when pyproject.toml
# changes), then run. TORCH_VERSION pins the torch build; on machines that provide a local
# CPU wheel of it, pip takes that instead of downloading a CUDA build.
PYTHON ?= python3
TORCH_VERSION ?= 2.13.0
BIN := .venv/bin

.PHONY: learn test

.venv/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "torch-katas needs Python 3.10+"'
	$(PYTHON) -m venv .venv
	$(BIN)/pip install --quiet --disable-pip-version-check "torch==$(TORCH_VERSION)"
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

# The learner's loop: watch the next unfinished kata and re-run its specs on every save.
learn: .venv/.installed
	@$(BIN)/katas watch

# The self-test: specs pass on solutions/, fail on the stubs, reject every gallery mistake,
# and the manifest, files and README agree.
test: .venv/.installed
	$(BIN)/pytest --solutions -n auto --hypothesis-profile ci specs harness/tests
