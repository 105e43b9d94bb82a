/* test_snapshot.c — relay snapshots (relay/snapshot.c): a round trip gives the
 * same bytes; every frame outside the release's bounds is refused with a
 * message that names what was wrong (too large on the wire, truncated, a bit
 * flipped, a size claim other than the release's, a frame that lies about its
 * size, trailing bytes, no checksum, not zstd); SHA-256 and by-hash names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zstd.h>

#include "relay_testlib.h"
#include "snapshot.h"

#define N (1u << 20)

struct fx {
	uint8_t *plain, *z;
	size_t zl;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sb_err err = {0};

	f->plain = make_buf(N, 1);
	if (sb_snapshot_compress(f->plain, N, SB_SNAPSHOT_LEVEL, &f->z, &f->zl, &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->plain);
	free(f->z);
	free(f);
	return 0;
}

/* Decompresses in with the release's bounds; expects a refusal whose message
 * contains want_msg, and no output. */
static void refused(const uint8_t *in, size_t len, size_t max_in, size_t size, const char *want_msg)
{
	struct sb_err err = {0};
	uint8_t *out = (uint8_t *)1;

	assert_int_equal(sb_snapshot_decompress(in, len, max_in, size, &out, &err), -1);
	assert_null(out);
	if (!strstr(err.msg, want_msg))
		fail_msg("message \"%s\" does not say \"%s\"", err.msg, want_msg);
}

static void test_round_trip(void **state)
{
	struct fx *f = *state;
	struct sb_err err = {0};
	uint8_t *out = NULL;

	assert_true(f->zl < N / 4);
	assert_int_equal(sb_snapshot_decompress(f->z, f->zl, f->zl, N, &out, &err), 0);
	assert_memory_equal(out, f->plain, N);
	free(out);
}

static void test_empty_round_trip(void **state)
{
	struct sb_err err = {0};
	uint8_t *z = NULL, *out = NULL;
	size_t zl;

	(void)state;
	assert_int_equal(sb_snapshot_compress("", 0, 3, &z, &zl, &err), 0);
	assert_int_equal(sb_snapshot_decompress(z, zl, zl, 0, &out, &err), 0);
	assert_non_null(out);
	free(out);
	refused(z, zl, zl, 1, "claims 0 bytes");
	free(z);
}

static void test_input_over_bound(void **state)
{
	struct fx *f = *state;

	refused(f->z, f->zl, f->zl - 1, N, "over the");
}

static void test_truncated(void **state)
{
	struct fx *f = *state;
	const size_t cuts[] = {0, 3, 5, 12, f->zl / 2, f->zl - 4, f->zl - 1};

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		struct sb_err err = {0};
		uint8_t *out = (uint8_t *)1;

		assert_int_equal(sb_snapshot_decompress(f->z, cuts[i], f->zl, N, &out, &err), -1);
		assert_null(out);
		if (!strstr(err.msg, "truncated") && !strstr(err.msg, "not a zstd frame"))
			fail_msg("cut at %zu: \"%s\"", cuts[i], err.msg);
	}
}

/* A flipped bit anywhere past the header: corrupt or checksum mismatch. */
static void test_bit_flip(void **state)
{
	struct fx *f = *state;
	uint8_t *copy = malloc(f->zl);

	for (size_t at = 20; at < f->zl; at += f->zl / 37) {
		struct sb_err err = {0};
		uint8_t *out = (uint8_t *)1;

		memcpy(copy, f->z, f->zl);
		copy[at] ^= 0x10;
		assert_int_equal(sb_snapshot_decompress(copy, f->zl, f->zl, N, &out, &err), -1);
		assert_null(out);
		if (!strstr(err.msg, "corrupt") && !strstr(err.msg, "checksum"))
			fail_msg("flip at %zu: \"%s\"", at, err.msg);
	}
	free(copy);
}

static void test_claims_other_size(void **state)
{
	struct fx *f = *state;

	refused(f->z, f->zl, f->zl, N - 1, "claims 1048576 bytes; the release says 1048575");
	refused(f->z, f->zl, f->zl, N + 1, "claims");
}

/* A frame that declares N-1 bytes and holds N: the release says N-1, and
 * decoding must stop at the bound rather than write past it. */
static void test_output_over_bound(void **state)
{
	struct fx *f = *state;
	uint8_t *copy = malloc(f->zl);

	memcpy(copy, f->z, f->zl);
	assert_int_equal(set_fcs(copy, N - 1), 0);
	refused(copy, f->zl, f->zl, N - 1, "more than the 1048575 bytes allowed");
	free(copy);
}

static void test_trailing_and_foreign(void **state)
{
	struct fx *f = *state;
	uint8_t *copy = malloc(f->zl + 8);
	/* a skippable frame: magic 0x184D2A50, length 4, payload */
	static const uint8_t skippable[12] = {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4};

	memcpy(copy, f->z, f->zl);
	memset(copy + f->zl, 0, 8);
	refused(copy, f->zl + 8, f->zl + 8, N, "8 bytes after its frame");
	refused((const uint8_t *)"this is no zstd frame", 21, 100, N, "not a zstd frame");
	refused(skippable, sizeof(skippable), 100, N, "skippable");
	free(copy);
}

/* A frame with no checksum could not tell a delta's wrong base: refused. */
static void test_no_checksum(void **state)
{
	struct fx *f = *state;
	size_t cap = ZSTD_compressBound(N), zl;
	uint8_t *z = malloc(cap);

	zl = ZSTD_compress(z, cap, f->plain, N, 3); /* content size, no checksum */
	assert_false(ZSTD_isError(zl));
	refused(z, zl, zl, N, "no content checksum");
	free(z);
}

static void test_sha256_and_name(void **state)
{
	char hex[SB_SHA256_HEXLEN + 1], name[SB_BYHASH_NAME_LEN];

	(void)state;
	assert_int_equal(sb_sha256_hex("abc", 3, hex), 0);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(sb_byhash_name(hex, name), 0);
	assert_string_equal(
	    name,
	    "by-hash/SHA256/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(sb_byhash_name("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF6"
					"1F20015AD",
					name),
			 -1);
	assert_int_equal(sb_byhash_name("../../etc/passwd", name), -1);
	assert_int_equal(sb_byhash_name("", name), -1);
	hex[63] = '\0';
	assert_int_equal(sb_byhash_name(hex, name), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),	      cmocka_unit_test(test_empty_round_trip),
	    cmocka_unit_test(test_input_over_bound),  cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_bit_flip),	      cmocka_unit_test(test_claims_other_size),
	    cmocka_unit_test(test_output_over_bound), cmocka_unit_test(test_trailing_and_foreign),
	    cmocka_unit_test(test_no_checksum),	      cmocka_unit_test(test_sha256_and_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
