# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG := config.example.toml

.PHONY: demo test eval lint install clean-demo lock

# constraints.txt pins every package that installs (`make lock` writes it anew), so a
# clean clone installs what the tests last passed with.
$(BIN)/onboardd: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	@touch $@

install: $(BIN)/onboardd

# Fresh demo state each time: the sample mails go into the Maildir's new/.
demo: install clean-demo
	mkdir -p var/mail/onboarding/new var/mail/onboarding/cur var/mail/onboarding/tmp
	cp samples/*.eml var/mail/onboarding/new/
	$(BIN)/onboardd --config $(CONFIG) run --once
	@echo; echo "== requests =="; $(BIN)/onboardd --config $(CONFIG) requests list
	@echo; echo "== replies written to var/outbox/ =="; \
	for f in var/outbox/*.eml; do \
	    grep -m1 '^X-Envelope-To:' "$$f"; grep -m1 '^Subject:' "$$f"; \
	    grep -m1 '^X-Onboarding-Notice:' "$$f"; echo "    $$f"; done

clean-demo:
	rm -rf var

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy -p onboardd
	$(BIN)/pytest -q

# The reader's precision and recall on the labelled evaluation set (evaluation/).
eval: install
	$(BIN)/python -m evaluation

# Resolve the newest releases the ranges in pyproject.toml allow, in a scratch venv, and
# pin them in constraints.txt; then `make test` to see that they pass.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q --upgrade pip
	.lock-venv/bin/pip install -q -e '.[test]'
	{ echo "# Pinned versions of every package onboardd and its tests install."; \
	  echo "# Written by 'make lock'; used by 'make install', 'make demo' and 'make test'."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^onboardd'; } > constraints.txt
	rm -rf .lock-venv
