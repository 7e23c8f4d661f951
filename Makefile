# relabel - find and fix wrong labels in classification data.
#
#   make              build build/relabel
#   make test         install what is missing, build, run every test
#   make run          build, make the demo project, open the review screen
#   make bench        benchmarks side by side with their references
#   make fuzz         run each libFuzzer target (FUZZ_SECONDS, default 60)
#   make lint         cppcheck over src/
#   make install      PREFIX=/usr/local DESTDIR=
#   SANITIZE=address,undefined builds and tests an instrumented copy
#   V=1 shows full commands

CC ?= cc
comma := ,
PREFIX ?= /usr/local
DESTDIR ?=
DEMO ?= fashion

ifdef SANITIZE
# One folder per sanitizer set: their objects must never mix.
BUILD := build/sanitize-$(subst $(comma),-,$(SANITIZE))
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD := build
SANFLAGS :=
endif

PKGS := ncursesw sqlite3 openblas stb libsixel libcjson
# ncursesw's pkg-config adds feature macros; one set is defined here for all.
PKG_CFLAGS := $(filter-out -D%,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv
# Unit tests also read the gzip-compressed Fashion-MNIST files with zlib.
CMOCKA_LIBS := $(shell pkg-config --libs cmocka zlib 2>/dev/null)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 $(WARN) -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 \
	-Iinclude $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP $(CFLAGS)
LDLIBS := $(PKG_LIBS) -lpthread -lm
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC := $(sort $(wildcard src/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))

all: $(BUILD)/relabel

# relabel demo finds the installed sample sets here; a new PREFIX
# rebuilds it.
$(BUILD)/src/cmd/demo.o: ALL_CFLAGS += \
	-DRELABEL_SAMPLE_DIR='"$(PREFIX)/share/relabel/sample_data"'
$(BUILD)/src/cmd/demo.o: $(BUILD)/prefix
$(BUILD)/prefix: FORCE
	@mkdir -p $(@D)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' > $@

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/librelabel.a: $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/relabel: $(MAIN_OBJ) $(BUILD)/librelabel.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/librelabel.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(LDLIBS)

deps:
	@tools/deps.sh

check-build: $(BUILD)/relabel $(UNIT_BIN)

test: deps
	@$(MAKE) --no-print-directory check-build
	@BUILD=$(BUILD) tests/run.sh

# The threads (retrain worker, background loading, image prefetch) under
# ThreadSanitizer: the unit tests and the screen tests that drive them.
# Reports go to files, so that one from the screen under tmux is seen too.
TSAN_DIR = build/sanitize-thread
tsan:
	@$(MAKE) --no-print-directory SANITIZE=thread check-build
	@rm -f $(TSAN_DIR)/report.*
	@TSAN_OPTIONS="log_path=$(CURDIR)/$(TSAN_DIR)/report $${TSAN_OPTIONS:-}" \
		BUILD=$(TSAN_DIR) tests/run.sh unit tui; rc=$$?; \
	if ls $(TSAN_DIR)/report.* > /dev/null 2>&1; then \
		echo "ThreadSanitizer reports:"; head -40 $(TSAN_DIR)/report.*; \
		exit 1; fi; exit $$rc

DEMO_DB = $(if $(filter fashion,$(DEMO)),$(BUILD)/demo.db,$(BUILD)/demo-$(DEMO).db)
run: deps all
	@$(BUILD)/relabel demo $(DEMO) --project $(DEMO_DB) \
		--reviewer "$${USER:-$$(id -un)}"

bench: deps
	@tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/bench/run.sh

FUZZ_SECONDS ?= 60
fuzz: deps
	@BUILD=build/fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh

# Static analysis of the sources; findings are fixed, or marked in place
# with the reason they are safe (cppcheck-suppress).
lint:
	@cppcheck --quiet --error-exitcode=1 --inline-suppr \
		--enable=warning,performance,portability --std=c11 -Iinclude \
		--suppress=missingIncludeSystem -D_DEFAULT_SOURCE src

install: $(BUILD)/relabel
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/relabel $(DESTDIR)$(PREFIX)/bin/relabel
	install -m 644 man/relabel.1 $(DESTDIR)$(PREFIX)/share/man/man1/relabel.1
	for d in fashion posts; do \
		dst=$(DESTDIR)$(PREFIX)/share/relabel/sample_data/$$d; \
		install -d $$dst/images; \
		install -m 644 sample_data/$$d/*.csv sample_data/$$d/*.txt \
			sample_data/$$d/README.md $$dst; \
		if [ -d sample_data/$$d/images ]; then \
			install -m 644 sample_data/$$d/images/* $$dst/images; \
		else rmdir $$dst/images; fi; \
	done

clean:
	rm -rf build

.PHONY: all deps check-build test tsan lint run bench fuzz install clean FORCE
.SECONDARY:

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_SRC:%.c=$(BUILD)/%.d)
