/* test_idmap.c — the id algorithm of docs/idmap.md: FNV-1a 32 against the
 * published test vectors, the worked examples of the documentation (values
 * computed outside this code), and the probe — taken ids, wrap-around,
 * forbidden ids, full and degenerate ranges — against a reference written
 * here the slow, obvious way (a 64-bit FNV loop and a plain scan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idmap.h"

/* FNV-1a 32 computed in 64-bit arithmetic and reduced, so it shares no code
 * and no overflow behaviour with sb_idmap_hash. */
static uint32_t ref_hash(const char *s)
{
	unsigned long long h = 2166136261ull;

	for (size_t i = 0; i < strlen(s); i++) {
		h = h ^ (unsigned char)s[i];
		h = (h * 16777619ull) % 4294967296ull;
	}
	return (uint32_t)h;
}

static int ref_forbidden(unsigned long long id)
{
	return id == 0 || id == 65534 || id == 65535 || id == 4294967295ull;
}

/* The documented probe, with the taken ids as a plain list. */
static uint32_t ref_assign(const char *sid, unsigned long long min, unsigned long long max,
			   const uint32_t *taken, size_t n_taken)
{
	unsigned long long span = max - min + 1, start = ref_hash(sid) % span;

	for (unsigned long long k = 0; k < span; k++) {
		unsigned long long id = min + (start + k) % span;
		int used = ref_forbidden(id);

		for (size_t i = 0; i < n_taken && !used; i++)
			used = taken[i] == id;
		if (!used)
			return (uint32_t)id;
	}
	return 0;
}

static void test_fnv1a_vectors(void **state)
{
	(void)state;
	/* Fowler/Noll/Vo's published FNV-1a 32 vectors */
	assert_int_equal(sb_idmap_hash(""), 0x811c9dc5u);
	assert_int_equal(sb_idmap_hash("a"), 0xe40c292cu);
	assert_int_equal(sb_idmap_hash("foobar"), 0xbf9cf968u);
	assert_int_equal(ref_hash("foobar"), 0xbf9cf968u);
	for (int i = 0; i < 200; i++) {
		char id[40];

		snprintf(id, sizeof(id), "%08x-5e1c-4c7a-9d1f-%012d", i * 2654435761u, i);
		assert_int_equal(sb_idmap_hash(id), ref_hash(id));
	}
}

/* The worked examples in docs/idmap.md (default range 200000..1999999999);
 * the numbers were computed with a separate script, not with this code. */
static void test_documented_examples(void **state)
{
	struct sb_idalloc a;

	(void)state;
	assert_int_equal(sb_idmap_hash("a3c1f0e2-5b7d-4e8a-9f10-2b3c4d5e6f70"), 0x4b759eedu);
	sb_idalloc_init(&a, 200000, 1999999999);
	assert_int_equal(sb_idalloc_assign(&a, "a3c1f0e2-5b7d-4e8a-9f10-2b3c4d5e6f70"),
			 1266199597u);
	assert_int_equal(sb_idalloc_assign(&a, "id-alice"), 1349614897u);
	assert_int_equal(sb_idalloc_assign(&a, "1b2f7c48-1d0e-4bd4-a2a7-6e5c1f0b9d33"),
			 1874086050u);
	/* the same SCIM id again: its first choice is taken, the next one up */
	assert_int_equal(sb_idalloc_assign(&a, "id-alice"), 1349614898u);
	sb_idalloc_free(&a);
}

static void test_probe_matches_reference(void **state)
{
	struct sb_idalloc a;
	uint32_t taken[64];
	size_t n = 0;

	(void)state;
	/* a small range so most assignments collide and wrap around */
	sb_idalloc_init(&a, 300000, 300049);
	for (int i = 0; i < 50; i++) {
		char sid[16];
		uint32_t want, got;

		snprintf(sid, sizeof(sid), "u%d", i);
		want = ref_assign(sid, 300000, 300049, taken, n);
		got = sb_idalloc_assign(&a, sid);
		assert_int_equal(got, want);
		assert_true(got >= 300000 && got <= 300049);
		taken[n++] = got;
	}
	assert_int_equal(sb_idalloc_assign(&a, "one-too-many"), 0);
	sb_idalloc_free(&a);
}

static void test_pre_taken_ids_skipped(void **state)
{
	struct sb_idalloc a;
	uint32_t first, pre[2];

	(void)state;
	sb_idalloc_init(&a, 200000, 1999999999);
	first = 200000 + ref_hash("id-x") % 1999800000u;
	pre[0] = first;
	pre[1] = first + 1;
	sb_idalloc_take(&a, pre[0]);
	sb_idalloc_take(&a, pre[1]);
	assert_true(sb_idalloc_taken(&a, first));
	assert_int_equal(sb_idalloc_assign(&a, "id-x"), first + 2);
	assert_int_equal(ref_assign("id-x", 200000, 1999999999, pre, 2), first + 2);
	sb_idalloc_free(&a);
}

static void test_forbidden_skipped(void **state)
{
	struct sb_idalloc a;
	char sid[16];
	int found = 0;

	(void)state;
	/* find a SCIM id whose first choice in 65534..65536 is 65534 */
	for (int i = 0; i < 1000 && !found; i++) {
		snprintf(sid, sizeof(sid), "p%d", i);
		found = ref_hash(sid) % 3 == 0;
	}
	assert_true(found);
	sb_idalloc_init(&a, 65534, 65536);
	assert_int_equal(sb_idalloc_assign(&a, sid), 65536); /* 65534, 65535 skipped */
	assert_int_equal(sb_idalloc_assign(&a, "anything"), 0);
	sb_idalloc_free(&a);
	/* only forbidden ids in range */
	sb_idalloc_init(&a, 65534, 65535);
	assert_int_equal(sb_idalloc_assign(&a, "x"), 0);
	sb_idalloc_free(&a);
	/* 0 at the bottom, 4294967295 at the top never come out */
	sb_idalloc_init(&a, 0, 1);
	assert_int_equal(sb_idalloc_assign(&a, "a"), 1);
	assert_int_equal(sb_idalloc_assign(&a, "b"), 0);
	sb_idalloc_free(&a);
	sb_idalloc_init(&a, 4294967294u, 4294967295u);
	assert_int_equal(sb_idalloc_assign(&a, "a"), 4294967294u);
	assert_int_equal(sb_idalloc_assign(&a, "b"), 0);
	sb_idalloc_free(&a);
	/* a reversed range gives nothing rather than looping */
	sb_idalloc_init(&a, 10, 5);
	assert_int_equal(sb_idalloc_assign(&a, "a"), 0);
	sb_idalloc_free(&a);
	assert_true(sb_id_forbidden(0));
	assert_true(sb_id_forbidden(65534));
	assert_true(sb_id_forbidden(65535));
	assert_true(sb_id_forbidden(4294967295u));
	assert_false(sb_id_forbidden(65533));
	assert_false(sb_id_forbidden(200000));
}

static void test_id_parse(void **state)
{
	const char *bad[] = {"-5", "-0", "0", "00",	    "abc",	   "12ab", "0x10", "+5",
			     " 5", "5 ", "",  "4294967296", "99999999999", "1e6",  "3.0"};
	uint32_t v = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sb_id_parse(bad[i], &v))
			fail_msg("accepted '%s'", bad[i]);
	}
	assert_false(sb_id_parse(NULL, &v));
	assert_true(sb_id_parse("300000", &v));
	assert_int_equal(v, 300000);
	assert_true(sb_id_parse("007", &v));
	assert_int_equal(v, 7);
	assert_true(sb_id_parse("4294967295", &v)); /* parses; forbidden is checked apart */
	assert_int_equal(v, 4294967295u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fnv1a_vectors),
	    cmocka_unit_test(test_documented_examples),
	    cmocka_unit_test(test_probe_matches_reference),
	    cmocka_unit_test(test_pre_taken_ids_skipped),
	    cmocka_unit_test(test_forbidden_skipped),
	    cmocka_unit_test(test_id_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
