# divergenced — build, run, test.
#   make            build build/divergenced (and the core library)
#   make run        install missing build packages, build, serve on :8080
#   make test       install what tests need, build, run every test
#   make SAN=1 …    the same with AddressSanitizer + UndefinedBehaviorSanitizer (build/san/)
# Sources are found by wildcard: a new src/core/*.c, src/http/*.c or tests/unit/test_*.c
# needs no edit here.

CC      ?= cc
SAN     ?= 0
PREFIX  ?= /usr/local
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(SAN),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT     := -O1
else
BUILD   := build
SANFLAGS :=
OPT     := -O2
endif

WARN := -Wall -Wextra -Wshadow -Wconversion -Wdouble-promotion -Wfloat-equal \
        -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 -Wvla
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(SANFLAGS) $(CFLAGS) \
              -DDV_VERSION='"$(VERSION)"' -Isrc/core -Isrc/http
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now $(SANFLAGS) $(LDFLAGS)

CORE_SRC := $(wildcard src/core/*.c)
HTTP_SRC := $(wildcard src/http/*.c src/api/*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
HTTP_OBJ := $(HTTP_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/openapi_embed.o $(BUILD)/gen/assets_embed.o
MAIN_OBJ := $(BUILD)/src/main.o
CORE_LIB := $(BUILD)/libdvcore.a
BIN      := $(BUILD)/divergenced

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
ITEST_SRC := $(wildcard tests/integration/*.c)
ITEST_BIN := $(BUILD)/tests/integration

HTTP_LIBS := -lmicrohttpd -ljansson -lpthread -lm
TEST_LIBS := -lcmocka -lm

.PHONY: browser all run test unit integration fuzz-replay alloc-test deps deps-test deps-quiet clean bench fuzz soak image image-test cluster-demo
all: deps-quiet $(BIN)

# Install missing Debian packages (no-op when present). DEPS=0 skips the check.
deps:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-quiet:
	@[ "$(DEPS)" = "0" ] || scripts/deps.sh build

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# api/openapi.yaml is embedded into the binary with the assembler's .incbin.
$(BUILD)/gen/openapi_embed.o: api/openapi.yaml scripts/openapi_embed.S
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -c scripts/openapi_embed.S -o $@

# The playground and docs pages (src/api/assets/) and the contract as JSON, embedded the
# same way; the JSON is converted from the YAML at build time (scripts/openapi_json.py,
# python3-yaml), into build/gen/ for both the normal and the SAN=1 build.
ASSETS := $(wildcard src/api/assets/*)
build/gen/openapi.json: api/openapi.yaml scripts/openapi_json.py
	@mkdir -p $(dir $@)
	/usr/bin/python3 scripts/openapi_json.py $< $@
$(BUILD)/gen/assets_embed.o: scripts/assets_embed.S $(ASSETS) build/gen/openapi.json
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -c scripts/assets_embed.S -o $@

$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(HTTP_OBJ) $(CORE_LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(HTTP_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(CORE_LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(CORE_LIB) $(LDFLAGS_ALL) $(TEST_LIBS)

# Unit tests of the HTTP layer (test_numparse.c, test_http_*.c) also link its objects.
$(BUILD)/tests/test_numparse: tests/unit/test_numparse.c $(HTTP_OBJ) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(HTTP_OBJ) $(CORE_LIB) $(LDFLAGS_ALL) \
	  $(HTTP_LIBS) $(TEST_LIBS)
$(BUILD)/tests/test_http_%: tests/unit/test_http_%.c $(HTTP_OBJ) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(HTTP_OBJ) $(CORE_LIB) $(LDFLAGS_ALL) \
	  $(HTTP_LIBS) $(TEST_LIBS)

$(ITEST_BIN): $(ITEST_SRC) $(wildcard tests/integration/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/integration -o $@ $(ITEST_SRC) $(LDFLAGS_ALL) \
	  -lcurl -ljansson $(TEST_LIBS)

# Fuzz targets (fuzz/) built with the normal compiler and fuzz/replay_main.c instead of
# libFuzzer: `make test` replays the corpus and past crashes with them (under SAN=1).
# scripts/fuzz.sh builds the real libFuzzer binaries with clang.
FUZZ_TARGETS := entropy kl cross_entropy gaussian_kl batch_kl js samples core numparse
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
FUZZ_COMMON  := fuzz/fuzz_common.c fuzz/replay_main.c

$(BUILD)/fuzz/replay_%: fuzz/fuzz_%.c $(FUZZ_COMMON) fuzz/fuzz_common.h $(HTTP_OBJ) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ifuzz -o $@ $< $(FUZZ_COMMON) $(HTTP_OBJ) $(CORE_LIB) \
	  $(LDFLAGS_ALL) $(HTTP_LIBS)

# The allocation-failure harness: malloc/calloc/realloc/free of our objects wrapped at
# link time (tests/alloc/alloc_test.c fails the k-th one).
ALLOC_BIN := $(BUILD)/tests/alloc_test
$(ALLOC_BIN): tests/alloc/alloc_test.c $(HTTP_OBJ) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(HTTP_OBJ) $(CORE_LIB) $(LDFLAGS_ALL) \
	  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free $(HTTP_LIBS)

# The playground and docs in headless Chromium (tests/browser/run.sh; also run by
# `make test` through scripts/check_browser.sh).
browser: deps-test $(BIN)
	tests/browser/run.sh $(BIN)

fuzz-replay: $(FUZZ_REPLAY)
alloc-test: $(ALLOC_BIN)

run: deps $(BIN)
	$(BIN) --port $${PORT:-8080}

unit: $(UNIT_BIN)
	@scripts/run_unit.sh $(UNIT_BIN)

integration: $(BIN) $(ITEST_BIN)
	DIVERGENCED_BIN=$(BIN) $(ITEST_BIN)

test: deps-test
	$(MAKE) DEPS=0 all unit integration
	@scripts/run_checks.sh $(BIN)

clean:
	rm -rf build

-include $(CORE_OBJ:.o=.d) $(HTTP_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)

# Targets whose work lives in scripts/ (each script documents itself).
image:
	scripts/image.sh
image-test:
	scripts/image_test.sh
cluster-demo: all
	scripts/cluster_demo.sh $(BIN)
bench: all
	scripts/deps.sh bench
	bench/run.sh $(BIN)
fuzz:
	scripts/fuzz.sh
soak: all
	scripts/soak.sh $(BIN)
