# The two set-up commands of the README, plus the steps they are made of.
#   make site   venv + pip + npm, then python -m build.site  -> dist/index.html
#   make test   the same set-up + Debian's chromium, then the whole pytest suite
# Each step is skipped when already done (stamps in .stamps/), so a second run is quick.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps

.PHONY: site test test-fast lint setup browser model recalibrate gate tensorboard bench serve clean

site: setup
	$(PY) -m build.site

# Every checker first (make lint), so CI enforces them, then the whole suite.
test: setup browser
	@$(MAKE) --no-print-directory lint
	$(PY) -m pytest

# The quick loop: no Chromium, no TensorFlow, no TF.js bundling, no shared data (tests/browser/ is all `browser`;
# `slow`: tests/slow.py). Under 30 s; `make test` runs everything.
test-fast: setup
	$(PY) -m pytest -q -m "not browser and not slow"

# Every checker, read-only (configs: pyproject.toml, eslint.config.js, .prettierrc.json); all run even when
# one fails, so one pass lists everything. To fix a file: `.venv/bin/ruff check --fix FILE && .venv/bin/ruff
# format FILE` (Python), `npx eslint --fix FILE && npx prettier --write FILE` (JS).
LINTERS := \
	"$(VENV)/bin/ruff check ." \
	"$(VENV)/bin/ruff format --check --output-format concise ." \
	"$(VENV)/bin/mypy" \
	"node_modules/.bin/eslint ." \
	"node_modules/.bin/prettier --check ."
lint: setup
	@failed=""; for command in $(LINTERS); do echo "== $$command"; $$command || failed="$$failed\n  $$command"; done; \
	if [ -n "$$failed" ]; then printf "lint failed:$$failed\n"; exit 1; fi

setup: $(STAMPS)/python $(STAMPS)/npm

# Dependencies are declared once, in pyproject.toml; constraints.txt pins everything they pull in.
# The project itself is not pip-installed (docs/architecture.md, "The name build/").
$(STAMPS)/python: pyproject.toml constraints.txt
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join(p['dependencies'] + p['optional-dependencies']['test']))" > $(STAMPS)/requirements.txt
	$(PY) -m pip install --quiet -r $(STAMPS)/requirements.txt -c constraints.txt
	@touch $@

$(STAMPS)/npm: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund
	@touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser),
# the fonts that training renders printed digits from, and the standard and handwriting-like fonts
# it renders non-digit letters and words from (training/negatives.py lists them).
FONT_PACKAGES := fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-crosextra-carlito fonts-crosextra-caladea \
	fonts-comic-neue fonts-dkg-handwriting fonts-humor-sans fonts-breip fonts-femkeklaver fonts-rufscript \
	fonts-dancingscript fonts-kaushanscript fonts-kristi fonts-bwht fonts-cabinsketch fonts-klee
SYSTEM_PACKAGES := chromium $(FONT_PACKAGES)
browser:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -q DejaVuSans || ! fc-list 2>/dev/null | grep -q ComicNeue; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y --no-install-recommends $(SYSTEM_PACKAGES) fontconfig; \
	  else echo "missing system packages: sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; fi; fi

# The shipped model: 55k MNIST training images (5k held out for calibration and thresholds), printed
# digits, digit crops and rendered non-digits, for the full schedule; needs the fonts above.
model: setup browser
	$(PY) -m training.train

# The shipped model's thresholds chosen again on its held-out pictures, rendered by today's preprocessing
# (after a change to training/preprocess*.py or calibration.py's limits); needs the fonts above.
recalibrate: setup browser
	$(PY) -m training.recalibrate $(MODEL)

# The promotion gate: NEW beside OLD (default: the shipped model); fails when NEW is worse beyond the tolerances.
gate: setup
	@test -n "$(NEW)" || { echo "usage: make gate NEW=training/models/<unix-time> [OLD=training/models/<unix-time>]"; exit 2; }
	$(PY) -m training.evaluate --compare $(NEW) $(OLD)

# The training runs' curves (python -m training.train logs them into logs/) on http://localhost:6006/.
tensorboard: setup
	$(VENV)/bin/tensorboard --logdir logs

bench: setup browser
	$(PY) -m build.bench

serve: setup
	$(PY) -m build.site --serve

clean:
	rm -rf dist .cache $(STAMPS)
