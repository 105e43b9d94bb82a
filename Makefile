# scimbridge — top-level build. No autotools: pkg-config finds the libraries.
# `make` builds the four artifacts in the tree; `make check` installs what the
# tests need (scripts/deps.sh), builds, and runs every suite; `make O=build/asan
# SAN=1` builds the same tree with ASan+UBSan under build/asan.

CC       ?= cc
O        ?= .
OBJ      := $(O)/build/obj
PKGS     := libcurl libcjson
PREFIX   ?= /usr/local
DESTDIR  ?=
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
LIBDIR   ?= /lib/$(MULTIARCH)
SBINDIR  ?= $(PREFIX)/sbin
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
PAMDIR   ?= $(LIBDIR)/security

# Asked of pkg-config when first used, not when the Makefile is parsed: on a
# fresh machine `make demo` parses this file before `deps` has installed the
# libraries (and their .pc files); each is then computed once.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm)$(PKG_LIBS)
CMOCKA_LIBS = $(eval CMOCKA_LIBS := $$(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka))$(CMOCKA_LIBS)
PAMTEST_LIBS = $(eval PAMTEST_LIBS := $$(shell pkg-config --libs libpamtest 2>/dev/null))$(PAMTEST_LIBS)
# relay/ (signed releases, issue 16) is linked into the daemon, the CLI and
# the tests only, never into the modules; its libraries are found the same lazy way.
RELAY_PKGS   := libsodium libzstd
RELAY_CFLAGS = $(eval RELAY_CFLAGS := $$(shell pkg-config --cflags $(RELAY_PKGS) 2>/dev/null))$(RELAY_CFLAGS)
RELAY_LIBS   = $(eval RELAY_LIBS := $$(shell pkg-config --libs $(RELAY_PKGS) 2>/dev/null || echo -lsodium -lzstd))$(RELAY_LIBS)
# oidc/ (device sign-in, issue 17): the same, for cjose (JOSE); it also uses
# libcurl and cJSON from PKGS. Never linked into the modules.
OIDC_PKGS   := cjose
OIDC_CFLAGS = $(eval OIDC_CFLAGS := $$(shell pkg-config --cflags $(OIDC_PKGS) 2>/dev/null))$(OIDC_CFLAGS)
OIDC_LIBS   = $(eval OIDC_LIBS := $$(shell pkg-config --libs $(OIDC_PKGS) 2>/dev/null || echo -lcjose -ljansson -lcrypto))$(OIDC_LIBS)

WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_GNU_SOURCE -fPIC -fvisibility=hidden $(WARN) -Icommon $(PKG_CFLAGS)
# The engine's rooms (tenant client, mapping, cache generator, sync): their
# headers are seen by the engine, the relay, the daemon, the CLI and the tests,
# never by the modules, which build from common/ alone.
ENGINE_DIRS := tenant mapping cachegen sync
ENGINE_INC  := $(addprefix -I,$(ENGINE_DIRS))
# relay's headers for the daemon, the CLI and the tests (the modules include none).
RELAY_INC = -Irelay $(RELAY_CFLAGS)
OIDC_INC  = -Ioidc $(OIDC_CFLAGS)
# --no-undefined makes an accidental libcurl dependency of a module a link
# error; a sanitized module takes the ASan runtime from the executable, so it
# is left out there.
NOUNDEF  := -Wl,--no-undefined
ifeq ($(SAN),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
NOUNDEF  :=
endif
# SAN=thread: ThreadSanitizer, for the daemon (the component with threads).
ifeq ($(SAN),thread)
CFLAGS   += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=thread
NOUNDEF  :=
endif
LDFLAGS  += -Wl,-z,relro,-z,now

COMMON_SRC := $(sort $(wildcard common/*.c))
ENGINE_SRC := $(sort $(foreach d,$(ENGINE_DIRS),$(wildcard $(d)/*.c)))
RELAY_SRC  := $(sort $(wildcard relay/*.c))
OIDC_SRC   := $(sort $(wildcard oidc/*.c))
NSS_SRC    := $(sort $(wildcard nss_module/*.c))
PAM_SRC    := $(sort $(wildcard pam_module/*.c))
DAEMON_SRC := $(sort $(wildcard daemon/*.c))
# check-user decides with pam_scim's own code
CLI_SRC    := $(sort $(wildcard cli/*.c)) pam_module/pam_decide.c
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC   := $(sort $(wildcard tests/tools/*.c))

obj = $(patsubst %.c,$(OBJ)/%.o,$(1))

LIBCOMMON := $(OBJ)/libcommon.a
LIBENGINE := $(OBJ)/libengine.a
LIBRELAY  := $(OBJ)/librelay.a
LIBOIDC   := $(OBJ)/liboidc.a
NSS_SO    := $(O)/nss_module/libnss_scim.so.2
PAM_SO    := $(O)/pam_module/pam_scim.so
DAEMON    := $(O)/daemon/scimbridged
CLI       := $(O)/cli/scimbridge
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/bin/%,$(UNIT_SRC))
TOOL_BINS := $(patsubst tests/tools/%.c,$(O)/tests/bin/%,$(TOOL_SRC))

.PHONY: all check deps demo bench fuzz install uninstall clean format format-check lint tests asan tsan
all: $(NSS_SO) $(PAM_SO) $(DAEMON) $(CLI)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Only the relay's and oidc's users see their headers; only the engine's
# users see the engine's.
$(foreach d,$(ENGINE_DIRS) relay oidc daemon cli tests,$(OBJ)/$(d)/%.o): CFLAGS += $(ENGINE_INC)
$(OBJ)/relay/%.o $(OBJ)/daemon/%.o $(OBJ)/cli/%.o $(OBJ)/tests/%.o: CFLAGS += $(RELAY_INC)
$(OBJ)/oidc/%.o $(OBJ)/daemon/%.o $(OBJ)/cli/%.o $(OBJ)/tests/%.o: CFLAGS += $(OIDC_INC)

$(LIBOIDC): $(call obj,$(OIDC_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBRELAY): $(call obj,$(RELAY_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# Both archives are remade when the Makefile changes: a file moved between
# common/ and a room must leave the archive it left.
$(LIBCOMMON): $(call obj,$(COMMON_SRC)) Makefile
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)

# The engine: linked into the daemon, the CLI and the tests, never the modules.
$(LIBENGINE): $(call obj,$(ENGINE_SRC)) Makefile
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $(filter %.o,$^)

# The modules link libcommon statically and nothing network-related:
# --no-undefined turns an accidental libcurl dependency into a link error.
$(NSS_SO): $(call obj,$(NSS_SRC)) $(LIBCOMMON) nss_module/exports.map
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $(call obj,$(NSS_SRC)) $(LIBCOMMON) $(LDFLAGS) \
	  -Wl,-soname,libnss_scim.so.2 -Wl,--version-script=nss_module/exports.map \
	  $(NOUNDEF) -pthread

$(PAM_SO): $(call obj,$(PAM_SRC)) $(LIBCOMMON) pam_module/exports.map
	@mkdir -p $(dir $@)
	$(CC) -shared -o $@ $(call obj,$(PAM_SRC)) $(LIBCOMMON) $(LDFLAGS) \
	  -Wl,--version-script=pam_module/exports.map $(NOUNDEF) -lpam -lqrencode -pthread

$(DAEMON): $(call obj,$(DAEMON_SRC)) $(LIBOIDC) $(LIBRELAY) $(LIBENGINE) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDFLAGS) $(PKG_LIBS) $(RELAY_LIBS) $(OIDC_LIBS) -pthread

$(CLI): $(call obj,$(CLI_SRC)) $(LIBOIDC) $(LIBRELAY) $(LIBENGINE) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDFLAGS) $(PKG_LIBS) $(RELAY_LIBS) $(OIDC_LIBS) -pthread

$(O)/tests/bin/test_%: $(OBJ)/tests/unit/test_%.o $(LIBOIDC) $(LIBRELAY) $(LIBENGINE) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDFLAGS) $(CMOCKA_LIBS) $(PKG_LIBS) $(RELAY_LIBS) $(OIDC_LIBS) -pthread

# The map suites share their fixtures (tests/unit/map_fixture.c): an extra
# prerequisite, which $^ lists after the archives, hence the rule above
# links the objects first.
$(filter $(O)/tests/bin/test_map_%,$(UNIT_BINS)): $(OBJ)/tests/unit/map_fixture.o

# The daemon's rate limit, tested on its own.
$(O)/tests/bin/test_limits: $(OBJ)/tests/unit/test_limits.o $(OBJ)/daemon/limits.o $(LIBENGINE) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDFLAGS) $(CMOCKA_LIBS) $(PKG_LIBS) -pthread

# Offline mode's transitions, with the status writer as the test's seam.
$(O)/tests/bin/test_tenant_state: $(OBJ)/tests/unit/test_tenant_state.o \
  $(OBJ)/daemon/tenant_state.o $(LIBENGINE) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDFLAGS) $(CMOCKA_LIBS) $(PKG_LIBS) -pthread

# The CLI's terminal escaping of tenant text.
$(O)/tests/bin/test_cli_escape: $(OBJ)/tests/unit/test_cli_escape.o $(OBJ)/cli/escape.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDFLAGS) $(CMOCKA_LIBS) $(PKG_LIBS) -pthread

$(O)/tests/bin/%: $(OBJ)/tests/tools/%.o $(LIBOIDC) $(LIBRELAY) $(LIBENGINE) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LDFLAGS) $(PKG_LIBS) $(RELAY_LIBS) $(OIDC_LIBS) $(PAMTEST_LIBS) -lpam -ldl -pthread

tests: all $(UNIT_BINS) $(TOOL_BINS)

# ASan+UBSan build of everything, in its own tree; the runner uses it.
asan:
	$(MAKE) O=build/asan SAN=1 CC=clang tests

# The daemon, the NSS module and its probe with TSan, in their own tree;
# the runner uses them.
tsan:
	$(MAKE) O=build/tsan SAN=thread CC=clang build/tsan/daemon/scimbridged \
	  build/tsan/nss_module/libnss_scim.so.2 build/tsan/tests/bin/nssprobe

fuzz-build:
	$(MAKE) -f tests/fuzz/fuzz.mk

deps:
	scripts/deps.sh

JOBS ?= $(shell nproc 2>/dev/null || echo 2)

check: deps
	$(MAKE) -j$(JOBS) tests
	$(MAKE) lint format-check
	$(MAKE) -j$(JOBS) asan
	$(MAKE) -j$(JOBS) tsan
	$(MAKE) -j$(JOBS) fuzz-build
	tests/run.sh

# A target that needs `deps` builds in a new make, which reads the Makefile
# again once the libraries are there (and never races deps under -j).
demo: deps
	$(MAKE) all
	scripts/demo.sh

bench: deps
	$(MAKE) all
	$(MAKE) -f bench/bench.mk run

fuzz: deps
	$(MAKE) -f tests/fuzz/fuzz.mk run FUZZ_SECONDS=$${FUZZ_SECONDS:-300}

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PAMDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 0644 $(NSS_SO) $(DESTDIR)$(LIBDIR)/libnss_scim.so.2
	install -m 0644 $(PAM_SO) $(DESTDIR)$(PAMDIR)/pam_scim.so
	install -m 0755 $(DAEMON) $(DESTDIR)$(SBINDIR)/scimbridged
	install -m 0755 $(CLI) $(DESTDIR)$(BINDIR)/scimbridge
	scripts/install-extras.sh "$(DESTDIR)" "$(PREFIX)" "$(MANDIR)" "$(SYSCONFDIR)"

# Takes pam_scim.so out of the PAM stacks (pam-auth-update --remove scim)
# before removing any file, then removes every file install wrote but the
# admin's config; see the script.
uninstall:
	scripts/uninstall.sh "$(DESTDIR)" "$(PREFIX)" "$(MANDIR)" "$(SYSCONFDIR)" \
	  "$(LIBDIR)" "$(PAMDIR)" "$(SBINDIR)" "$(BINDIR)"

format:
	clang-format -i $(COMMON_SRC) $(ENGINE_SRC) $(NSS_SRC) $(PAM_SRC) $(DAEMON_SRC) $(CLI_SRC) $(RELAY_SRC) $(OIDC_SRC) \
	  $(wildcard common/*.h $(addsuffix /*.h,$(ENGINE_DIRS)) nss_module/*.h pam_module/*.h daemon/*.h cli/*.h relay/*.h oidc/*.h)

format-check:
	clang-format --dry-run -Werror $(COMMON_SRC) $(ENGINE_SRC) $(NSS_SRC) $(PAM_SRC) $(DAEMON_SRC) $(CLI_SRC) $(RELAY_SRC) $(OIDC_SRC) \
	  $(wildcard common/*.h $(addsuffix /*.h,$(ENGINE_DIRS)) nss_module/*.h pam_module/*.h daemon/*.h cli/*.h relay/*.h oidc/*.h)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE -Icommon $(ENGINE_INC) -Irelay -Ioidc \
	  common $(ENGINE_DIRS) nss_module pam_module daemon cli relay oidc

clean:
	rm -rf build tests/bin tests/fuzz/bin bench/bin $(NSS_SO) $(PAM_SO) $(DAEMON) $(CLI)

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
