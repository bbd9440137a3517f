# The two commands: `make run` and `make test`. Both run `make setup` first, which installs what is
# missing: Debian packages (as root via apt-get, otherwise it says what to run), the virtualenv at
# .venv and this package in editable mode.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie poppler-utils fonts-dejavu-core chromium
export OMP_THREAD_LIMIT := 1

.PHONY: setup system-deps venv run test lint eval mailroom clean

setup: system-deps venv

system-deps:
	@missing=""; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr"; \
	(command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie) || missing="$$missing tesseract-ocr-vie"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "setup: installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	  else \
	    echo "setup: missing Debian packages:$$missing"; \
	    echo "setup: run as root:  apt-get update && apt-get install -y $(APT_PACKAGES)"; \
	    exit 1; \
	  fi; \
	fi

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

run: setup
	$(BIN)/petitions process fixtures/mailroom --out var/mailroom.jsonl --summary

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .

eval: setup
	$(BIN)/petitions eval ../shared/letters/dev.jsonl

# Rebuild the sample mailroom from fixtures/letters (deterministic).
mailroom: setup
	$(BIN)/python -m fixtures.make_mailroom

clean:
	rm -rf var .pytest_cache .ruff_cache
