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

# Five workers on two cores: most long tests wait on real-time bots and child
# processes (the cores stay 60-70 % busy). Tests are handed out one at a time in the
# order tests/conftest.py sorts them, the ones marked `long` first, longest first, so
# each worker starts on one of them and all finish together. Handed out in chunks, the
# long tests (a third of the run's test time) landed on one worker and the run waited
# on it whatever the number of workers: four workers 9:35 that way, 7:46-8:14 one at a
# time, five 7:22, on the same machine. The crash soak keeps both cores busy for
# minutes on its own: it has its own lane, `make soak`.
PYTEST_WORKERS ?= 5
# The fast lane is short CPU-bound tests: two workers, one per core (three: 98 s, two: 74 s).
FAST_WORKERS ?= 2
# Where eatmydata is installed (Debian: eatmydata; CI installs it), tests run without
# fsync: a test store never has to survive a power cut, only killed processes, and the
# page cache outlives those. Without it the suite is the same, only slower.
NOSYNC := $(shell command -v eatmydata 2>/dev/null)
PYTEST := QT_QPA_PLATFORM=offscreen $(NOSYNC) $(BIN)/python -m pytest

test: $(STAMP)
	$(PYTEST) -n $(PYTEST_WORKERS) --dist load --maxschedchunk 1 -m "not soak" $(PYTEST_ARGS)

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
