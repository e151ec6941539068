# mapitop — `make run` and `make test` are the whole set-up on a fresh machine.
SWIFT ?= swift
PREFIX ?= /usr/local
# Where systemd --user looks for units (/usr/local/lib/systemd/user is on its search path);
# with PREFIX=$$HOME/.local use USERUNITDIR=$$HOME/.config/systemd/user.
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
BIN := .build/release/mapitop

.PHONY: all deps venv build release run test bench install clean
# The real clients the end-to-end tests drive through the tap (Python requests, the official
# jwplatform client), in a virtual environment of the checkout's own.
VENV := .venv
PYTHON_CLIENTS := requests==2.34.2 jwplatform==2.2.2

all: build

# Installs what a fresh machine lacks, and only that.
deps:
	@missing=""; \
	dpkg -s libncurses-dev >/dev/null 2>&1 || missing="$$missing libncurses-dev"; \
	dpkg -s libsqlite3-dev >/dev/null 2>&1 || missing="$$missing libsqlite3-dev"; \
	command -v tmux >/dev/null 2>&1 || missing="$$missing tmux"; \
	command -v curl >/dev/null 2>&1 || missing="$$missing curl"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	command -v systemd-analyze >/dev/null 2>&1 || missing="$$missing systemd"; \
	command -v promtool >/dev/null 2>&1 || missing="$$missing prometheus"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

venv: $(VENV)/.installed
$(VENV)/.installed: Makefile | deps
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q $(PYTHON_CLIENTS)
	touch $@

release: deps
	$(SWIFT) build -c release

run: release
	$(BIN) demo

# Two phases, each a test process of its own that prints Swift Testing's closing line; the
# target fails if either fails (both always run). The unit and integration suites run one test
# at a time: many are CPU-bound, and two at once hold both of the cooperative pool's threads
# (two cores here) while other tests' servers wait. The end-to-end suites mostly wait on the
# real binary, tmux and real clients in processes of their own, so four run at once. Each
# process's watchdog says how late the cooperative pool ever was (Tests/Support/PoolWatchdog.swift).
TEST_WIDTH_UNIT ?= 1
TEST_WIDTH_E2E ?= 4
test: deps venv
	$(SWIFT) build --build-tests
	@status=0; \
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH_UNIT) $(SWIFT) test --skip-build --skip EndToEndTests || status=1; \
	SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH_E2E) $(SWIFT) test --skip-build --filter EndToEndTests || status=1; \
	exit $$status

bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox --allow-writing-to-package-directory benchmark --no-progress
	Benchmarks/tap-vs-nginx.sh
	Benchmarks/dashboard-vs-htop.sh
	Benchmarks/intercept-vs-mitmproxy.sh

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mapitop/themes
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/mapitop
	if ls Themes/*.toml >/dev/null 2>&1; then install -m 644 Themes/*.toml $(DESTDIR)$(PREFIX)/share/mapitop/themes/; fi
	install -d $(DESTDIR)$(USERUNITDIR)
	sed 's|^ExecStart=/usr/local/bin/mapitop |ExecStart=$(PREFIX)/bin/mapitop |' Packaging/systemd/mapitop-record.service > $(DESTDIR)$(USERUNITDIR)/mapitop-record.service
	chmod 644 $(DESTDIR)$(USERUNITDIR)/mapitop-record.service
	# Shell completions and the man page, as swift-argument-parser writes them from the commands.
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/share/man/man1
	$(BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/mapitop
	$(BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_mapitop
	$(BIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/mapitop.fish
	$(SWIFT) package --disable-sandbox generate-manual
	install -m 644 "$$(find .build/plugins -name mapitop.1 | head -1)" $(DESTDIR)$(PREFIX)/share/man/man1/mapitop.1

clean:
	rm -rf .build Benchmarks/.build $(VENV)
