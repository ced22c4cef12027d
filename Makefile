# Firn build. `make` builds build/firn-server; `make run` and `make test` first install any
# missing Debian packages, so they are the only two commands a fresh Debian 12 machine needs.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CXX     ?= g++
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)

# Debian packages the build, the tests and the benchmarks need.
DEB_PACKAGES := build-essential pkg-config libuv1-dev libjemalloc-dev libxxhash-dev \
  libtomlplusplus-dev prometheus-cpp-dev libsystemd-dev catch2 \
  python3 python3-redis python3-pytest python3-prometheus-client python3-matplotlib \
  redis-server redis-tools valgrind systemd procps \
  libssl-dev liblua5.1-0-dev lua-cjson-dev lua-bitop-dev python3-limits python3-flask-limiter \
  python3-rq liblzf-dev clang-14 libclang-rt-14-dev

PKG_LIBS := libuv jemalloc libxxhash tomlplusplus prometheus-cpp-core prometheus-cpp-pull libsystemd liblzf \
  lua5.1-c++ libcrypto libssl
# Scripting: Lua 5.1 built as C++ (errors unwind C++ frames), with Debian's cjson and bitop
# linked in from their static archives (their .pc files would also pull in the C Lua).
LUA_MODULE_LIBS := -l:liblua5.1-cjson.a -l:liblua5.1-bitop.a

CXXFLAGS_BASE := -std=c++20 -Wall -Wextra -Wno-missing-field-initializers -I. -MMD -MP \
  $(shell pkg-config --cflags $(PKG_LIBS) 2>/dev/null)
OPT      ?= -O2 -g -DNDEBUG
SANITIZE ?=
# AddressSanitizer brings its own allocator, so sanitizer builds use it instead of jemalloc
# (storage/memory.cc then reads glibc's statistics).
ifneq ($(SANITIZE),)
PKG_LIBS := $(filter-out jemalloc,$(PKG_LIBS))
ALLOCATOR_FLAGS := -DFIRN_NO_JEMALLOC
endif
CXXFLAGS := $(CXXFLAGS_BASE) $(OPT) $(SANITIZE) $(ALLOCATOR_FLAGS)
LDLIBS   := $(LUA_MODULE_LIBS) $(shell pkg-config --libs $(PKG_LIBS) 2>/dev/null) -lpthread

# The engine (no network) and the server layer on top; main.cc alone makes the binary.
LIB_SRCS    := $(sort $(shell find protocol storage modules conf -name '*.cc' 2>/dev/null))
SERVER_SRCS := $(sort $(filter-out server/main.cc,$(shell find server -name '*.cc' 2>/dev/null)))
TEST_SRCS   := $(sort $(shell find tests/unit -name '*.cc' 2>/dev/null))
BENCH_SRCS  := $(sort $(shell find bench -name '*.cc' 2>/dev/null))

LIB_OBJS    := $(LIB_SRCS:%.cc=$(BUILD)/obj/%.o)
SERVER_OBJS := $(SERVER_SRCS:%.cc=$(BUILD)/obj/%.o)
TEST_OBJS   := $(TEST_SRCS:%.cc=$(BUILD)/obj/%.o)
BENCH_BINS  := $(BENCH_SRCS:bench/%.cc=$(BUILD)/bench/%)

.PHONY: all deps run test unit integration asan fuzz fuzz-build bench install clean format

all: $(BUILD)/firn-server $(BUILD)/firn-tests $(BENCH_BINS)

# Installs only what is missing, so a machine that has everything is left alone.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(BUILD)/libfirn.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/firn-server: $(BUILD)/obj/server/main.o $(SERVER_OBJS) $(BUILD)/libfirn.a
	$(CXX) $(CXXFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/firn-tests: $(TEST_OBJS) $(SERVER_OBJS) $(BUILD)/libfirn.a
	$(CXX) $(CXXFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/bench/%: bench/%.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $< -o $@ $(LDLIBS)

run: deps
	$(MAKE) -j$(JOBS) $(BUILD)/firn-server
	./$(BUILD)/firn-server conf/firn.toml

test: deps
	$(MAKE) -j$(JOBS) all
	$(MAKE) unit integration

unit:
	./$(BUILD)/firn-tests

integration:
	FIRN_SERVER=$(abspath $(BUILD)/firn-server) /usr/bin/python3 -m pytest -q -x tests/integration

# The whole suite again under AddressSanitizer and UBSan, in its own build folder.
asan: deps
	$(MAKE) -j$(JOBS) all BUILD=build-asan OPT="-O1 -g" \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
	$(MAKE) unit integration BUILD=build-asan OPT="-O1 -g" \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  ASAN_OPTIONS=detect_leaks=1

# libFuzzer targets (tests/fuzz/NAME.cc, one per untrusted input), in their own build folder:
# clang with ASan+UBSan, the library instrumented for coverage (-fsanitize=fuzzer-no-link).
# Each target runs for FUZZ_SECONDS from its checked-in seeds (tests/fuzz/corpus/NAME) and
# dictionary (tests/fuzz/NAME.dict), with any extra libFuzzer flags in tests/fuzz/NAME.options; any crash, leak, timeout, RSS overrun or sanitizer
# report fails the run, and the input is left in build-fuzz/artifacts/.
FUZZ_SECONDS ?= 600
FUZZ_RSS_MB  ?= 2048
FUZZ_TIMEOUT ?= 10
FUZZ_TARGETS ?= $(sort $(basename $(notdir $(wildcard tests/fuzz/*.cc))))
FUZZ_SANITIZE := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
  -fno-sanitize-recover=undefined
FUZZ_HELPER_SRCS := $(sort $(wildcard tests/fuzz/common/*.cc))

$(BUILD)/fuzz/%: tests/fuzz/%.cc $(FUZZ_HELPER_SRCS:%.cc=$(BUILD)/obj/%.o) $(SERVER_OBJS) $(BUILD)/libfirn.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -fsanitize=fuzzer $^ -o $@ $(LDLIBS)

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

fuzz: deps
	$(MAKE) -j$(JOBS) fuzz-build BUILD=build-fuzz CXX=clang++-14 OPT="-O1 -g" SANITIZE="$(FUZZ_SANITIZE)"
	@mkdir -p build-fuzz/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ./build-fuzz/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=$(FUZZ_RSS_MB) \
	    -timeout=$(FUZZ_TIMEOUT) -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/$$t- \
	    $$( [ -f tests/fuzz/$$t.dict ] && echo -dict=tests/fuzz/$$t.dict ) \
	    $$( cat tests/fuzz/$$t.options 2>/dev/null ) \
	    build-fuzz/corpus/$$t tests/fuzz/corpus/$$t > build-fuzz/$$t.log 2>&1 \
	    || { tail -n 60 build-fuzz/$$t.log; echo "fuzz: $$t FAILED"; exit 1; }; \
	  grep -E '^(stat::|#[0-9]+.*DONE)' build-fuzz/$$t.log || true; \
	done

bench: deps
	$(MAKE) -j$(JOBS) all
	/usr/bin/python3 bench/run.py --server $(abspath $(BUILD)/firn-server) $(if $(QUICK),--quick)

# Installs the binary, the unit file (its ExecStart pointing at $(PREFIX)/bin), a sysusers.d
# entry for the `firn` user, and /etc/firn/firn.toml unless one exists (an operator's edited
# file is never overwritten). With DESTDIR= empty and as root, the user is created at once.
install: UNITDIR ?= /lib/systemd/system
install: SYSUSERSDIR ?= /usr/lib/sysusers.d
install: $(BUILD)/firn-server
	install -D -m 0755 $(BUILD)/firn-server $(DESTDIR)$(PREFIX)/bin/firn-server
	install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	sed 's#^ExecStart=/usr/local/bin/firn-server#ExecStart=$(PREFIX)/bin/firn-server#' \
	  conf/firn.service > $(DESTDIR)$(UNITDIR)/firn.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/firn.service
	printf 'u firn - "Firn cache server" /var/lib/firn\n' > $(DESTDIR)$(SYSUSERSDIR)/firn.conf
	chmod 0644 $(DESTDIR)$(SYSUSERSDIR)/firn.conf
	@if [ -e $(DESTDIR)/etc/firn/firn.toml ]; then \
	  echo "keeping existing $(DESTDIR)/etc/firn/firn.toml"; \
	else install -D -m 0644 conf/firn.toml $(DESTDIR)/etc/firn/firn.toml; fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v systemd-sysusers >/dev/null; then \
	  systemd-sysusers $(SYSUSERSDIR)/firn.conf; \
	  echo "now: systemctl daemon-reload && systemctl enable --now firn"; fi

format:
	clang-format -i $$(find protocol storage modules server conf tests bench -name '*.cc' -o -name '*.h')

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
