# Two commands on a fresh machine: `make run` and `make test`. Both create .venv
# on first use and install the project with its dev extra.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test test-fast soak lint bench bundle clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,server,bundle]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/kiosk run

# Three workers on two cores: most long tests wait on real-time bots and child
# processes, so two workers left the cores half idle (load average about 1.2; `make
# test` 16:10 with two workers, 12:05 with three on the same tree). The crash soak
# keeps both cores busy for minutes on its own: it has its own lane, `make soak`.
PYTEST_WORKERS ?= 3
# The fast lane is short CPU-bound tests: two workers, one per core (three: 98 s, two: 74 s).
FAST_WORKERS ?= 2
# Where eatmydata is installed (Debian: eatmydata; CI installs it), tests run without
# fsync: a test store never has to survive a power cut, only killed processes, and the
# page cache outlives those. Without it the suite is the same, only slower.
NOSYNC := $(shell command -v eatmydata 2>/dev/null)
PYTEST := QT_QPA_PLATFORM=offscreen $(NOSYNC) $(BIN)/python -m pytest

test: $(STAMP)
	$(PYTEST) -n $(PYTEST_WORKERS) --dist worksteal -m "not soak" $(PYTEST_ARGS)

# The contributors' lane: everything not marked slow (crash rounds, whole batteries
# played through the widgets, recovery over many seeds, wheel builds, fuzzing).
test-fast: $(STAMP)
	$(PYTEST) -n $(FAST_WORKERS) --dist worksteal -m "not slow and not soak" $(PYTEST_ARGS)

soak: $(STAMP)
	$(PYTEST) -m soak $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy kiosk games scoring reports server  # strict: scoring, games.api, every task.py
	$(BIN)/lint-imports

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

# The one-folder station bundle, dist/kiosk/ (run dist/kiosk/kiosk); PyInstaller from the
# bundle extra. It needs objdump (Debian: binutils).
bundle: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bundle]"
	$(BIN)/pyinstaller --noconfirm --log-level WARN packaging/kiosk.spec

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
