# make bench: builds the benchmark tools, then runs every bench/bench_*.sh.
# Each prints figures (ratios against a reference measured in the same run);
# none asserts a time.
CC      ?= cc
BIN     := bench/bin
.PHONY: run build tools
build: $(BIN)/libnss_ref.so.2 $(BIN)/nssbench tools

# bench_relay.sh: the cache generator and the relay's snapshot/delta figures;
# bench_fleet.sh: publish and subscribe through nginx (relaypublish);
# bench_fleet_daemon.sh: publisher and subscriber daemons (sockprobe).
tools:
	$(MAKE) tests/bin/mkcache tests/bin/relaybench tests/bin/relaypublish tests/bin/sockprobe \
	  cli/scimbridge daemon/scimbridged

$(BIN)/libnss_ref.so.2: bench/nss_ref.c
	@mkdir -p $(BIN)
	$(CC) -O2 -fPIC -shared -Wall -Wextra -o $@ $<

$(BIN)/nssbench: bench/nssbench.c
	@mkdir -p $(BIN)
	$(CC) -O2 -Wall -Wextra -o $@ $<

run: build
	@scripts/deps.sh libnss-cache >/dev/null
	@for s in bench/bench_*.sh; do echo "== $$s"; bash $$s || exit 1; done
