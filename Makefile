# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG := config.example.toml

.PHONY: demo test eval lint install clean-demo

$(BIN)/onboardd: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
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
	$(BIN)/pytest -q

# The reader's precision and recall on the labelled evaluation set (evaluation/).
eval: install
	$(BIN)/python -m evaluation
