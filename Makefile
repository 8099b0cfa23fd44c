# 政策咨询助手 — the two commands a fresh machine needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint typecheck unit migrate seed bench eval clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

## run: set up, migrate, load the demo knowledge base if the database is empty, serve on HOST:PORT
run: $(RUNTIME_STAMP)
	$(PY) manage.py migrate
	$(PY) manage.py seed-demo --if-empty
	$(PY) manage.py serve

migrate: $(RUNTIME_STAMP)
	$(PY) manage.py migrate

seed: $(RUNTIME_STAMP)
	$(PY) manage.py seed-demo --if-empty

## test: set up (including Debian's chromium for the browser tests), lint, type-check, run the suite
test: $(DEV_STAMP) $(CHROMIUM) $(CJK_FONT) lint typecheck unit

# Debian's chromium drives the browser tests; a CJK font makes their screenshots readable.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
$(CHROMIUM) $(CJK_FONT):
	@echo "Installing Debian's chromium and a Chinese font for the browser tests"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  $$SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy

unit: $(DEV_STAMP)
	$(PY) -m pytest

## bench: build time, memory, latency of our index beside tantivy and bm25s; then the chat path:
## answered questions/s through the HTTP chat API, SQLite and PostgreSQL, 1 and 2 workers
## (docs/benchmarks.md)
bench: $(DEV_STAMP)
	$(PY) manage.py bench
	$(PY) manage.py bench-chat

## eval: search quality, ours vs plain BM25 (docs/search-quality.md): gov FAQ answers, statutes, demo
SHARED_DATA ?= ../shared/data
eval: $(DEV_STAMP)
	@if [ -d "$(SHARED_DATA)" ]; then \
	  echo "== 政务问答（只索引答案，以原问题提问）"; \
	  $(PY) manage.py eval --kb $(SHARED_DATA)/gov_faq/beijing_gov_faq.jsonl \
	    --map answer=body --queries-from-kb question || exit $$?; \
	  echo; echo "== 法条（普通人的法律问题 → 法条）"; \
	  $(PY) manage.py eval --kb $(SHARED_DATA)/statutes/articles.jsonl \
	    --map name=title,text=body --queries $(SHARED_DATA)/statutes/queries_train.jsonl || exit $$?; \
	  echo; \
	else \
	  echo "跳过政务问答与法条两项：找不到 $(SHARED_DATA)（评测需要 ../shared/data，见 README）"; \
	fi
	@echo "== 示范知识库"
	@$(PY) manage.py eval --kb knowledge/demo --queries knowledge/demo/eval

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-artifacts
