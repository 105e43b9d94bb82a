# libFuzzer targets: tests/fuzz/fuzz_*.c, each linked with common/ and the
# engine's rooms built by
# clang with ASan+UBSan and coverage. `make -f tests/fuzz/fuzz.mk` builds;
# `... run FUZZ_SECONDS=N` runs every target for N seconds on its corpus.
FCC      := clang
FOBJ     := build/fuzz/obj
FBIN     := tests/fuzz/bin
PKGS     := libcurl libcjson
FCFLAGS  := -std=c11 -D_GNU_SOURCE -g -O1 -Icommon $(shell pkg-config --cflags $(PKGS)) \
            -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
            -fno-omit-frame-pointer
FLIBS    := $(shell pkg-config --libs $(PKGS)) -pthread -lm
COMMON   := $(sort $(wildcard common/*.c))
# The engine's rooms (tenant client, mapping, cache generator, sync).
ENGINE_DIRS := tenant mapping cachegen sync
ENGINE   := $(sort $(foreach d,$(ENGINE_DIRS),$(wildcard $(d)/*.c)))
FCFLAGS  += $(addprefix -I,$(ENGINE_DIRS))
# relay/ (issue 16) and its libsodium, for the release and signature parsers.
RELAY    := $(sort $(wildcard relay/*.c))
FCFLAGS  += -Irelay
FLIBS    += $(shell pkg-config --libs libsodium 2>/dev/null || echo -lsodium)
# oidc/ (issue 17) and cjose, for the ID token, JWKS and discovery parsers.
OIDC     := $(sort $(wildcard oidc/*.c))
FCFLAGS  += -Ioidc $(shell pkg-config --cflags cjose 2>/dev/null)
FLIBS    += $(shell pkg-config --libs cjose 2>/dev/null || echo -lcjose -ljansson -lcrypto)
TARGETS  := $(patsubst tests/fuzz/%.c,$(FBIN)/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 60

.PHONY: all run
all: $(TARGETS)

$(FOBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FCC) $(FCFLAGS) -MMD -MP -c -o $@ $<

# Remade when this file changes: a source moved between common/ and a room
# must leave the archive it left.
$(FOBJ)/libcommon.a: $(patsubst %.c,$(FOBJ)/%.o,$(COMMON)) tests/fuzz/fuzz.mk
	rm -f $@ && ar rcs $@ $(filter %.o,$^)

$(FOBJ)/libengine.a: $(patsubst %.c,$(FOBJ)/%.o,$(ENGINE)) tests/fuzz/fuzz.mk
	rm -f $@ && ar rcs $@ $(filter %.o,$^)

$(FOBJ)/librelay.a: $(patsubst %.c,$(FOBJ)/%.o,$(RELAY))
	rm -f $@ && ar rcs $@ $^

$(FOBJ)/liboidc.a: $(patsubst %.c,$(FOBJ)/%.o,$(OIDC))
	rm -f $@ && ar rcs $@ $^

$(FBIN)/%: $(FOBJ)/tests/fuzz/%.o $(FOBJ)/liboidc.a $(FOBJ)/librelay.a $(FOBJ)/libengine.a $(FOBJ)/libcommon.a
	@mkdir -p $(dir $@)
	$(FCC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(FLIBS)

run: all
	@for t in $(TARGETS); do \
	  n=$$(basename $$t); c=tests/fuzz/corpus/$${n#fuzz_}; mkdir -p build/fuzz/corpus/$$n; \
	  echo "== $$n for $(FUZZ_SECONDS)s"; \
	  $$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -artifact_prefix=build/fuzz/ \
	    build/fuzz/corpus/$$n $$c || { echo "$$n: the failing input is in build/fuzz/"; exit 1; }; \
	done

-include $(shell find $(FOBJ) -name '*.d' 2>/dev/null)
