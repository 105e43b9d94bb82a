/* test_arena.c — the bump arena under the dataset and the JSON parser:
 * alignment, requests larger than a chunk, reset keeping one ordinary chunk,
 * and strdup/calloc edge cases. Run under ASan as well (make check). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

static void test_alignment(void **state)
{
	struct sb_arena a = {.chunk_size = 4096};

	(void)state;
	for (size_t i = 1; i < 200; i++) {
		char *c = sb_arena_alloc(&a, i % 7 + 1, 1);
		uint64_t *q = sb_arena_calloc(&a, i % 5 + 1, sizeof(uint64_t));
		void *p16 = sb_arena_alloc(&a, 3, 16);

		assert_non_null(c);
		assert_non_null(q);
		assert_int_equal((uintptr_t)q % 8, 0);
		assert_int_equal((uintptr_t)p16 % 16, 0);
		for (size_t k = 0; k < i % 5 + 1; k++)
			assert_int_equal(q[k], 0);
		memset(c, 0xff, i % 7 + 1); /* ASan: within bounds */
	}
	sb_arena_free(&a);
	assert_null(a.head);
}

static void test_big_and_reset(void **state)
{
	struct sb_arena a = {.chunk_size = 4096};
	char *small, *big, *after;

	(void)state;
	small = sb_arena_strdup(&a, "first");
	big = sb_arena_alloc(&a, 100000, 8); /* its own chunk */
	after = sb_arena_strdup(&a, "second");
	assert_non_null(big);
	memset(big, 1, 100000);
	/* the ordinary chunk's room was not abandoned for the big one */
	assert_ptr_equal(after, small + strlen("first") + 1);
	assert_string_equal(small, "first");
	sb_arena_reset(&a);
	/* one ordinary chunk kept, empty: the next string starts it again */
	assert_ptr_equal(sb_arena_strdup(&a, "x"), small);
	sb_arena_free(&a);
}

static void test_edges(void **state)
{
	struct sb_arena a = {0};

	(void)state;
	assert_null(sb_arena_strdup(&a, NULL));
	assert_string_equal(sb_arena_strdup(&a, ""), "");
	assert_null(sb_arena_calloc(&a, SIZE_MAX / 2, 4)); /* overflow refused */
	assert_non_null(sb_arena_calloc(&a, 0, 4));
	sb_arena_reset(&a);
	sb_arena_free(&a);
	sb_arena_free(&a); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alignment),
	    cmocka_unit_test(test_big_and_reset),
	    cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
