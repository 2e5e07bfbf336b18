# The two commands of the README. Both set up .venv on first use (and when pyproject.toml
# changes), then run. TORCH_VERSION pins the torch build; on machines that provide a local
# CPU wheel of it, pip takes that instead of downloading a CUDA build.
PYTHON ?= python3
TORCH_VERSION ?= 2.13.0
BIN := .venv/bin
PIP := pip install --quiet --disable-pip-version-check --no-compile
# pip would compile all ~6,600 files of torch and its helpers (~25 CPU-s); the runs import
# about a third of them: those are compiled by importing them once, bytecode writing on even
# where PYTHONDONTWRITEBYTECODE is set (each process would compile them again). Torch's part
# (~6 s) runs beside the second pip install, which adds nothing torch imports.
WARM_TORCH := import sys; sys.dont_write_bytecode = False; \
	import torch, torch._dynamo, torch.utils.flop_counter, torch.testing, numpy
WARM_REST := import sys; sys.dont_write_bytecode = False; \
	import hypothesis, xdist, execnet, pytest_timeout, tiktoken, regex, _pytest.config; \
	_pytest.config.get_config()

.PHONY: learn test

.venv/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "torch-katas needs Python 3.10+"'
	@# The venv's own pip (ensurepip compiles its ~700 files, ~3 CPU-s) is set up beside
	@# the torch install, which this Python's pip does (pip >= 22.3 has --python); an older
	@# pip gets the plain sequence.
	if $(PYTHON) -m pip --python $(PYTHON) --version >/dev/null 2>&1; then \
	  $(PYTHON) -m venv --without-pip .venv && \
	  { $(BIN)/python -m ensurepip --default-pip >/dev/null & pip=$$!; } && \
	  $(PYTHON) -m $(PIP) --python $(BIN)/python "torch==$(TORCH_VERSION)" "numpy>=1.24" && \
	  wait $$pip; \
	else $(PYTHON) -m venv .venv && $(BIN)/$(PIP) "torch==$(TORCH_VERSION)" "numpy>=1.24"; fi
	$(BIN)/python -c '$(WARM_TORCH)' & warm=$$!; \
	  $(BIN)/$(PIP) "torch==$(TORCH_VERSION)" -e ".[dev]" && $(BIN)/python -c '$(WARM_REST)' && wait $$warm
	touch $@

# The learner's loop: watch the next unfinished kata and re-run its specs on every save.
learn: .venv/.installed
	@$(BIN)/katas watch

# The self-test: specs pass on solutions/, fail on the stubs, reject every gallery mistake,
# and the manifest, files and README agree.
test: .venv/.installed
	$(BIN)/pytest --solutions -n auto --dist worksteal --hypothesis-profile ci specs harness/tests
