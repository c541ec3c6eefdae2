# divergenced — build, run, test.
#   make            build build/divergenced (and the layer libraries)
#   make run        install missing build packages, build, serve on :8080
#   make test       install what tests need, build, run every test and check
#   make check      the unit and integration suites only (under a minute)
#   make install    build/divergenced → $(DESTDIR)$(PREFIX)/bin (PREFIX=/usr/local)
#   make SAN=1 …    the same with AddressSanitizer + UndefinedBehaviorSanitizer (build/san/)
#                   (assert() is active there; the release build defines NDEBUG)
# Sources are found by wildcard: a new src/<layer>/*.c or tests/unit/test_*.c needs no
# edit here.

CC      ?= cc
SAN     ?= 0
PREFIX  ?= /usr/local
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(SAN),1)
BUILD   := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT     := -O1
else ifeq ($(SAN),thread)
BUILD   := build/tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
OPT     := -O1
else
BUILD   := build
SANFLAGS :=
OPT     := -O2 -DNDEBUG
endif

WARN := -Wall -Wextra -Wshadow -Wconversion -Wdouble-promotion -Wfloat-equal \
        -Wmissing-prototypes -Wstrict-prototypes -Wformat=2 -Wvla
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS  ?= $(OPT) -g
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(SANFLAGS) $(CFLAGS) \
               -DDV_VERSION='"$(VERSION)"'
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now $(SANFLAGS) $(LDFLAGS)

# The layers, bottom up. Each sees only itself and the layers below it, so an arrow that
# points the wrong way does not compile:  main → api → http → json → util,  api → core → util.
INC_util := -Isrc/util
INC_core := -Isrc/core $(INC_util)
INC_json := -Isrc/json $(INC_util)
INC_http := -Isrc/http -Isrc/json $(INC_util)
INC_api  := -Isrc/api -Isrc/http -Isrc/json -Isrc/core $(INC_util)
INC_main := $(INC_api)
ALL_CFLAGS := $(BASE_CFLAGS) $(INC_api)

UTIL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/util/*.c))
CORE_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/core/*.c))
JSON_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/json/*.c))
HTTP_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/http/*.c))
API_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/api/*.c)) $(BUILD)/gen/openapi_embed.o \
            $(BUILD)/gen/assets_embed.o
MAIN_OBJ := $(BUILD)/src/main.o
UTIL_LIB := $(BUILD)/libdvutil.a
CORE_LIB := $(BUILD)/libdvcore.a
JSON_LIB := $(BUILD)/libdvjson.a
BIN      := $(BUILD)/divergenced
# Everything but main: what fuzz targets and the allocation harness drive.
SERVICE_OBJ := $(API_OBJ) $(HTTP_OBJ) $(JSON_LIB) $(CORE_LIB) $(UTIL_LIB)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
ITEST_SRC := $(wildcard tests/integration/*.c)
ITEST_BIN := $(BUILD)/tests/integration

HTTP_LIBS := -lmicrohttpd -lpthread -lm
TEST_LIBS := -lcmocka -lm

.PHONY: browser all run test check unit integration install uninstall fuzz-replay alloc-test deps deps-test deps-quiet clean bench fuzz soak image image-test cluster-demo
all: deps-quiet $(BIN)

# Install missing Debian packages (no-op when present). DEPS=0 skips the check.
deps:
	@.ci/deps.sh build
deps-test:
	@.ci/deps.sh test
deps-quiet:
	@[ "$(DEPS)" = "0" ] || .ci/deps.sh build

define layer_rule
$$(BUILD)/src/$(1)/%.o: src/$(1)/%.c
	@mkdir -p $$(dir $$@)
	$$(CC) $$(BASE_CFLAGS) $$(INC_$(1)) -MMD -MP -c $$< -o $$@
endef
$(foreach l,util core json http api,$(eval $(call layer_rule,$(l))))
$(MAIN_OBJ): src/main.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(INC_main) -MMD -MP -c $< -o $@

# api/openapi.yaml is embedded into the binary with the assembler's .incbin.
$(BUILD)/gen/openapi_embed.o: api/openapi.yaml src/api/openapi_embed.S
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -c src/api/openapi_embed.S -o $@

# The playground and docs pages (src/api/assets/) and the contract as JSON, embedded the
# same way; the JSON is converted from the YAML at build time (api/openapi_json.py,
# python3-yaml), into build/gen/ for both the normal and the SAN=1 build.
ASSETS := $(wildcard src/api/assets/*)
build/gen/openapi.json: api/openapi.yaml api/openapi_json.py
	@mkdir -p $(dir $@)
	/usr/bin/python3 api/openapi_json.py $< $@
$(BUILD)/gen/assets_embed.o: src/api/assets_embed.S $(ASSETS) build/gen/openapi.json
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -c src/api/assets_embed.S -o $@

$(UTIL_LIB): $(UTIL_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(CORE_LIB): $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^
$(JSON_LIB): $(JSON_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(SERVICE_OBJ)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(HTTP_LIBS)

# Unit tests link only their layer and those below it:
#   test_json_*.c → json + util (and jansson, the decoder's oracle);
#   test_util_*.c and the core tests → core + util. None links libmicrohttpd.
$(BUILD)/tests/test_%: tests/unit/test_%.c $(CORE_LIB) $(UTIL_LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(INC_core) -Itests/unit -o $@ $< $(CORE_LIB) $(UTIL_LIB) \
	  $(LDFLAGS_ALL) $(TEST_LIBS)
$(BUILD)/tests/test_json_%: tests/unit/test_json_%.c $(JSON_LIB) $(UTIL_LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(INC_json) -Itests/unit -o $@ $< $(JSON_LIB) $(UTIL_LIB) \
	  $(LDFLAGS_ALL) -ljansson $(TEST_LIBS)

# The number parser's test fails malloc on purpose (the parser must not need it).
$(BUILD)/tests/test_util_numparse: tests/unit/test_util_numparse.c $(UTIL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(INC_util) -Itests/unit -o $@ $< $(UTIL_LIB) $(LDFLAGS_ALL) \
	  -Wl,--wrap=malloc $(TEST_LIBS)

# Unit tests of the API layer (test_api_*.c) link the service without main.
$(BUILD)/tests/test_api_%: tests/unit/test_api_%.c $(SERVICE_OBJ) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(INC_api) -Itests/unit -o $@ $< $(SERVICE_OBJ) $(LDFLAGS_ALL) \
	  $(HTTP_LIBS) $(TEST_LIBS)

$(ITEST_BIN): $(ITEST_SRC) $(wildcard tests/integration/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Itests/integration -o $@ $(ITEST_SRC) $(LDFLAGS_ALL) \
	  -lcurl -ljansson $(TEST_LIBS)

# Fuzz targets (fuzz/) built with the normal compiler and fuzz/replay_main.c instead of
# libFuzzer: `make test` replays the corpus and past crashes with them (under SAN=1).
# (Not named FUZZ_TARGETS: a Makefile variable of that name would override, and export,
# the environment variable that limits `make fuzz` to some targets.)
# fuzz/build.sh builds the real libFuzzer binaries with clang.
REPLAY_TARGETS := entropy kl cross_entropy gaussian_kl batch_kl js samples core numparse drift \
                divergences distributions_kl distributions_entropy \
                multipart
FUZZ_REPLAY  := $(REPLAY_TARGETS:%=$(BUILD)/fuzz/replay_%)
FUZZ_COMMON  := fuzz/fuzz_common.c fuzz/replay_main.c

$(BUILD)/fuzz/replay_%: fuzz/fuzz_%.c $(FUZZ_COMMON) fuzz/fuzz_common.h $(SERVICE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ifuzz -o $@ $< $(FUZZ_COMMON) $(SERVICE_OBJ) \
	  $(LDFLAGS_ALL) $(HTTP_LIBS) -ljansson

# fuzz_multipart drives src/util alone (no request, no fuzz_common.c).
$(BUILD)/fuzz/replay_multipart: fuzz/fuzz_multipart.c fuzz/replay_main.c $(UTIL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(INC_util) -Ifuzz -o $@ $< fuzz/replay_main.c $(UTIL_LIB) \
	  $(LDFLAGS_ALL)

# The allocation-failure harness: malloc/calloc/realloc/free of our objects wrapped at
# link time (tests/alloc/alloc_test.c fails the k-th one).
ALLOC_BIN := $(BUILD)/tests/alloc_test
$(ALLOC_BIN): tests/alloc/alloc_test.c $(SERVICE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(SERVICE_OBJ) $(LDFLAGS_ALL) \
	  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free $(HTTP_LIBS) -ljansson

# The playground and docs in headless Chromium and Firefox (tests/browser/run.sh; also
# run by `make test` as one of the checks).
browser: deps-test $(BIN)
	tests/browser/run.sh $(BIN)

fuzz-replay: $(FUZZ_REPLAY)
alloc-test: $(ALLOC_BIN)

run: deps $(BIN)
	$(BIN) --port $${PORT:-8080}

unit: $(UNIT_BIN)
	@tests/unit/run.sh $(UNIT_BIN)

integration: $(BIN) $(ITEST_BIN)
	DIVERGENCED_BIN=$(BIN) $(ITEST_BIN)

test: deps-test
	$(MAKE) DEPS=0 all unit integration
	@tests/run_checks.sh $(BIN)

# The edit-compile-test loop: build, unit tests, integration suite (no checks, no apt).
check:
	$(MAKE) DEPS=0 all unit integration

BINDIR ?= $(PREFIX)/bin
install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/divergenced
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/divergenced

clean:
	rm -rf build

-include $(patsubst %.o,%.d,$(UTIL_OBJ) $(CORE_OBJ) $(JSON_OBJ) $(HTTP_OBJ) $(API_OBJ) $(MAIN_OBJ))

# Targets whose work lives in a script (each documents itself).
image:
	deploy/image.sh
image-test:
	deploy/image_test.sh
cluster-demo: all
	deploy/cluster_demo.sh $(BIN)
bench: all
	.ci/deps.sh bench
	bench/run.sh $(BIN)
fuzz:
	fuzz/build.sh
soak: all
	tests/soak/soak.sh $(BIN)
