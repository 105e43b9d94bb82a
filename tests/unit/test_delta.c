/* test_delta.c — patch-from deltas (relay/delta.c): base + delta gives the
 * target byte for byte (an insertion that shifts everything after it, a
 * changed byte, identical files, an empty base, two generations of a real
 * cache file); a small change gives a small
 * delta; and every bad input is refused with no output: a delta applied to a
 * base it was not made from (checksum), to a shorter base, truncated, with a
 * flipped bit, over the input bound, or decoding past the release's size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache_format.h"
#include "cache_writer.h"
#include "cachexform.h"
#include "delta.h"
#include "relay_testlib.h"

#define N (1u << 20)

struct fx {
	uint8_t *base, *target, *d;
	size_t tl, dl;
};

/* The target: the base with 16 bytes inserted at 40% and one byte changed at
 * 70%, as a renamed user shifts a cache's records. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sb_err err = {0};
	size_t at = N / 10 * 4;

	f->base = make_buf(N, 1);
	f->tl = N + 16;
	f->target = malloc(f->tl);
	memcpy(f->target, f->base, at);
	memcpy(f->target + at, "Renamed  User   ", 16);
	memcpy(f->target + at + 16, f->base + at, N - at);
	f->target[N / 10 * 7] ^= 1;
	if (sb_delta_create(f->base, N, f->target, f->tl, SB_DELTA_LEVEL, &f->d, &f->dl, &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->base);
	free(f->target);
	free(f->d);
	free(f);
	return 0;
}

static void refused(const uint8_t *base, size_t base_len, const uint8_t *d, size_t dl,
		    size_t max_in, size_t size, const char *want_msg)
{
	struct sb_err err = {0};
	uint8_t *out = (uint8_t *)1;

	assert_int_equal(sb_delta_apply(base, base_len, d, dl, max_in, size, &out, &err), -1);
	assert_null(out);
	if (want_msg && !strstr(err.msg, want_msg))
		fail_msg("message \"%s\" does not say \"%s\"", err.msg, want_msg);
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	struct sb_err err = {0};
	uint8_t *out = NULL;

	assert_int_equal(sb_delta_apply(f->base, N, f->d, f->dl, f->dl, f->tl, &out, &err), 0);
	assert_memory_equal(out, f->target, f->tl);
	free(out);
}

/* Two small changes to 1 MiB: the delta is a few hundred bytes, not a copy. */
static void test_small_change_small_delta(void **state)
{
	struct fx *f = *state;

	if (f->dl > 2048)
		fail_msg("delta of 2 changes is %zu bytes", f->dl);
}

static void test_identical_and_empty_base(void **state)
{
	struct fx *f = *state;
	struct sb_err err = {0};
	uint8_t *d = NULL, *out = NULL;
	size_t dl;

	assert_int_equal(sb_delta_create(f->base, N, f->base, N, 3, &d, &dl, &err), 0);
	assert_int_equal(sb_delta_apply(f->base, N, d, dl, dl, N, &out, &err), 0);
	assert_memory_equal(out, f->base, N);
	free(out);
	free(d);
	/* From nothing (a first install) a delta is a snapshot. */
	assert_int_equal(sb_delta_create(NULL, 0, f->target, f->tl, 3, &d, &dl, &err), 0);
	assert_int_equal(sb_delta_apply(NULL, 0, d, dl, dl, f->tl, &out, &err), 0);
	assert_memory_equal(out, f->target, f->tl);
	free(out);
	free(d);
}

/* The subscriber's cache is not the generation the delta starts from. */
static void test_wrong_base(void **state)
{
	struct fx *f = *state;
	uint8_t *other = make_buf(N, 1);

	other[N / 2] ^= 0x20; /* one byte differs from the real base */
	refused(other, N, f->d, f->dl, f->dl, f->tl, "checksum mismatch");
	free(other);
	other = make_buf(N, 2); /* another base altogether */
	refused(other, N, f->d, f->dl, f->dl, f->tl, NULL);
	free(other);
	refused(f->base, N / 2, f->d, f->dl, f->dl, f->tl, NULL); /* a truncated base */
	refused(NULL, 0, f->d, f->dl, f->dl, f->tl, NULL);	  /* none */
}

static void test_truncated_and_flipped(void **state)
{
	struct fx *f = *state;
	uint8_t *copy = malloc(f->dl);

	refused(f->base, N, f->d, f->dl - 1, f->dl, f->tl, "truncated");
	refused(f->base, N, f->d, 6, f->dl, f->tl, "truncated");
	for (size_t at = 16; at < f->dl; at += 7) {
		memcpy(copy, f->d, f->dl);
		copy[at] ^= 0x04;
		refused(f->base, N, copy, f->dl, f->dl, f->tl, NULL);
	}
	free(copy);
}

static void test_bounds(void **state)
{
	struct fx *f = *state;
	uint8_t *copy = malloc(f->dl);

	refused(f->base, N, f->d, f->dl, f->dl - 1, f->tl, "over the");
	refused(f->base, N, f->d, f->dl, f->dl, f->tl - 1, "claims");
	memcpy(copy, f->d, f->dl);
	assert_int_equal(set_fcs(copy, f->tl - 1), 0);
	refused(f->base, N, copy, f->dl, f->dl, f->tl - 1, "more than the");
	free(copy);
}

enum change { NONE, RENAME, REMOVE };

/* Users "u0".."u{n-1}" (every third with an ssh key) with their private
 * groups, all of them in the groups
 * "staff" and "odd" or "even"; user 1 renamed (RENAME) or absent (REMOVE,
 * which moves every later user's index); written as a real cache file at
 * path; returns its bytes. */
static uint8_t *real_cache(const char *path, size_t n, enum change change, size_t *len)
{
	struct sb_dataset ds = {0};
	struct sb_err err = {0};
	FILE *f;
	uint8_t *buf;
	char s[64];

	if (change == REMOVE)
		n--;
	ds.users = calloc(n, sizeof(*ds.users));
	ds.groups = calloc(n + 3, sizeof(*ds.groups));
	ds.n_users = n;
	ds.n_groups = n + 3;
	for (size_t j = 0; j < 3; j++) {
		struct sb_group *g = &ds.groups[n + j];

		g->name = sb_arena_strdup(&ds.arena, j == 0 ? "staff" : j == 1 ? "even" : "odd");
		g->scim_id = sb_arena_strdup(&ds.arena, g->name);
		g->gid = 5000 + (uint32_t)j;
		g->members = sb_arena_calloc(&ds.arena, n, sizeof(uint32_t));
	}
	for (size_t i = 0; i < n; i++) {
		struct sb_user *u = &ds.users[i];
		struct sb_group *g = &ds.groups[i];
		size_t id = change == REMOVE && i >= 1 ? i + 1 : i;

		snprintf(s, sizeof(s), "u%zu", id);
		u->name = g->name = sb_arena_strdup(&ds.arena, s);
		snprintf(s, sizeof(s),
			 id == 1 && change == RENAME ? "Renamed User %zu" : "User %zu", id);
		u->gecos = sb_arena_strdup(&ds.arena, s);
		u->home = sb_arena_strdup(&ds.arena, "/home/u");
		u->shell = sb_arena_strdup(&ds.arena, "/bin/sh");
		u->uid = u->gid = g->gid = 10000 + (uint32_t)id;
		u->flags = SB_USER_ACTIVE;
		snprintf(s, sizeof(s), "scim-%zu", id);
		u->scim_id = sb_arena_strdup(&ds.arena, s);
		if (id % 3 == 0) {
			snprintf(s, sizeof(s), "ssh-ed25519 AAAAkey%zu u%zu@host", id, id);
			u->ssh_keys = sb_arena_calloc(&ds.arena, 1, sizeof(char *));
			u->ssh_keys[0] = sb_arena_strdup(&ds.arena, s);
			u->n_ssh_keys = 1;
		}
		g->flags = SB_GROUP_UPG;
		g->members = sb_arena_calloc(&ds.arena, 1, sizeof(uint32_t));
		g->members[0] = (uint32_t)i;
		g->n_members = 1;
		u->gids = sb_arena_calloc(&ds.arena, 2, sizeof(uint32_t));
		u->gids[0] = 5000;
		u->gids[1] = 5001 + (uint32_t)(id % 2);
		u->n_gids = 2;
		ds.groups[n].members[ds.groups[n].n_members++] = (uint32_t)i;
		g = &ds.groups[n + 1 + id % 2];
		g->members[g->n_members++] = (uint32_t)i;
	}
	assert_int_equal(sb_cache_write(path, &ds, &err), 0);
	sb_dataset_free(&ds);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	*len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*len);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

/* Two generations of a real cache (a rename shifts the records after it):
 * the delta gives generation B's file byte for byte. */
static void test_real_cache(void **state)
{
	char dir[] = "/tmp/test_delta.XXXXXX", path[64];
	struct sb_err err = {0};
	uint8_t *a, *b, *d = NULL, *out = NULL;
	size_t la, lb, dl;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cache", dir);
	a = real_cache(path, 500, NONE, &la);
	b = real_cache(path, 500, RENAME, &lb);
	assert_true(la != lb);
	assert_int_equal(sb_delta_create(a, la, b, lb, SB_DELTA_LEVEL, &d, &dl, &err), 0);
	assert_int_equal(sb_delta_apply(a, la, d, dl, dl, lb, &out, &err), 0);
	assert_memory_equal(out, b, lb);
	free(out);
	refused(b, lb, d, dl, dl, lb, "checksum mismatch"); /* B is not the base */
	free(a);
	free(b);
	free(d);
	unlink(path);
	rmdir(dir);
}

/* The relay's cache deltas: a rename (records shift) or a removed user
 * (records and user indexes shift) costs about its own bytes, not one per
 * shifted reference; the rewrite undoes exactly; a base that is not a cache
 * is refused by name. */
static void check_cache_delta(enum change change)
{
	char dir[] = "/tmp/test_delta.XXXXXX", path[64];
	struct sb_err err = {0};
	uint8_t *a, *b, *d = NULL, *pd = NULL, *out = (uint8_t *)1, *copy;
	size_t la, lb, dl, pdl;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cache", dir);
	a = real_cache(path, 3000, NONE, &la);
	b = real_cache(path, 3000, change, &lb);
	copy = malloc(lb);
	memcpy(copy, b, lb);
	assert_int_equal(sb_cache_xform(copy, lb, &err), 0);
	assert_memory_not_equal(copy, b, lb);
	assert_int_equal(sb_cache_unxform(copy, lb, &err), 0);
	assert_memory_equal(copy, b, lb);
	assert_int_equal(sb_cache_delta_create(a, la, b, lb, SB_DELTA_LEVEL, &d, &dl, &err), 0);
	assert_int_equal(sb_delta_create(a, la, b, lb, SB_DELTA_LEVEL, &pd, &pdl, &err), 0);
	print_message("cache delta %zu bytes, plain delta %zu\n", dl, pdl);
	if (dl * 4 > pdl)
		fail_msg("cache delta %zu bytes, plain delta %zu", dl, pdl);
	assert_int_equal(sb_cache_delta_apply(a, la, d, dl, dl, lb, &out, &err), 0);
	assert_memory_equal(out, b, lb);
	free(out);
	out = (uint8_t *)1;
	assert_int_equal(sb_cache_delta_apply(b, lb, d, dl, dl, lb, &out, &err), -1);
	assert_null(out);
	if (la == lb) /* B as the base: a base of A's size that is not A */
		assert_non_null(strstr(err.msg, "checksum mismatch"));
	memset(copy, 0, 64); /* no magic: not a cache */
	assert_int_equal(sb_cache_delta_apply(copy, lb, d, dl, dl, lb, &out, &err), -1);
	assert_null(out);
	assert_non_null(strstr(err.msg, "the base: not a version"));
	free(copy);
	free(a);
	free(b);
	free(d);
	free(pd);
	unlink(path);
	rmdir(dir);
}

static void test_cache_delta_rename(void **state)
{
	(void)state;
	check_cache_delta(RENAME);
}

static void test_cache_delta_remove(void **state)
{
	(void)state;
	check_cache_delta(REMOVE);
}

/* The rewrite reads a file before trusting it: damaged caches (bytes
 * flipped anywhere, header included) are rewritten or refused, never read
 * out of bounds (run under ASan by tests/run.sh). */
static void test_xform_damaged(void **state)
{
	char dir[] = "/tmp/test_delta.XXXXXX", path[64];
	uint8_t *a, *copy;
	size_t la;
	struct sb_cache_header h;
	uint32_t x = 12345;
	int refused_n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/cache", dir);
	a = real_cache(path, 300, NONE, &la);
	memcpy(&h, a, sizeof(h));
	copy = malloc(la);
	for (int round = 0; round < 2000; round++) {
		struct sb_err err = {0};

		memcpy(copy, a, la);
		for (int k = 0; k < 4; k++) {
			x = x * 1103515245u + 12345u;
			/* a third in the header, where the bounds come from; the rest
			 * in one section, chosen in turn */
			const struct sb_cache_section *sc = &h.sec[round % SB_SEC_COUNT];
			size_t at = round % 3 == 0 ? (x >> 8) % sizeof(h)
				    : sc->size	   ? sc->off + (x >> 8) % sc->size
						   : (x >> 8) % la;

			copy[at] ^= (uint8_t)(1u << (x >> 29));
		}
		if (sb_cache_xform(copy, la, &err) < 0)
			refused_n++;
		sb_cache_unxform(copy, la, &err);
	}
	print_message("%d of 2000 damaged caches refused\n", refused_n);
	assert_true(refused_n > 0);
	free(copy);
	free(a);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_small_change_small_delta),
	    cmocka_unit_test(test_identical_and_empty_base),
	    cmocka_unit_test(test_wrong_base),
	    cmocka_unit_test(test_truncated_and_flipped),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_real_cache),
	    cmocka_unit_test(test_cache_delta_rename),
	    cmocka_unit_test(test_cache_delta_remove),
	    cmocka_unit_test(test_xform_damaged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
