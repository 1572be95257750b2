# Quartiersnetz -- two commands for a new machine: `make run` and `make test`.
# Needs Python >= 3.11, git and make; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PACKAGES := -e contracts -e 'services/infra[postgres,embedded]' -e services/intake -e services/matching \
            -e services/scheduling -e services/reporting -e 'services/portal[test]'
ROLE ?= team_staff

.PHONY: help install run test test-fast contracts token bench lint constraints images clean

help:
	@echo "make run        start a local broker and all four services with the demo city"
	@echo "make test       unit, integration, end-to-end and fault tests (real nats-server and database)"
	@echo "make contracts  regenerate contracts/schemas/*.json and contracts/asyncapi.json"
	@echo "make token ROLE=team_staff [TEAM=team-nord] | ROLE=carrier ORG=awo-dessau   print a local bearer token"
	@echo "make bench      benchmarks, as ratios against a baseline measured in the same run (BENCH_ARGS=\"--only rebuild --rebuild-events 1000000\")"
	@echo "make lint       ruff and mypy"
	@echo "make images     build the container image (deploy/images/Dockerfile) where a Docker engine answers"

$(STAMP): constraints.txt requirements-dev.txt contracts/pyproject.toml services/*/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Quartiersnetz needs Python 3.11 or newer, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt $(PACKAGES) -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) deploy/local/run.py

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

contracts: $(STAMP)
	$(PY) -m qn_contracts

# Prints only the token (export TOKEN=$$(make -s token ...)); the keys are those `make run` uses.
token: $(STAMP)
	@$(PY) -m qn_infra.devkeys --role $(ROLE) $(if $(ORG),--org $(ORG)) $(if $(TEAM),--team $(TEAM)) \
	  --key-dir $(or $(KEYS),$(or $(QN_DATA_DIR),var)/keys) $(if $(CITY_DIR),--city-dir $(CITY_DIR)) \
	  --subject $(or $(SUBJECT),dev-$(ROLE))

bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy contracts/qn_contracts

constraints: $(STAMP)
	@(echo "# Pinned versions of every package the services and tools install (no index URLs here)."; \
	  echo "# Regenerate after changing dependencies: make constraints"; \
	  $(PY) -m pip freeze --exclude-editable | grep -v '^-e\|^#' | sort -f) > constraints.txt

IMAGE   ?= quartiersnetz
VERSION ?= $(shell git describe --tags --always 2>/dev/null || echo dev)

# One image, every service; the command names the service (see deploy/images/Dockerfile).
images:
	@if docker info >/dev/null 2>&1; then \
	  docker build -f deploy/images/Dockerfile -t $(IMAGE):$(VERSION) \
	    --build-arg VERSION=$(VERSION) --build-arg REVISION=$$(git rev-parse HEAD) \
	    --build-arg CREATED=$$(date -u +%Y-%m-%dT%H:%M:%SZ) . ; \
	else \
	  echo "make images: no Docker engine answers here (docker info failed), so no image was built."; \
	  echo "On a machine with one: docker build -f deploy/images/Dockerfile -t $(IMAGE):$(VERSION) ."; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache
