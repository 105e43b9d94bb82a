/* test_limits.c — the daemon's rate limit (daemon/limits.c): one exact
 * bucket per uid (1000 and 1128, equal modulo 128, no longer reset each
 * other), root's misses in a bucket of their own, and a full table of spent
 * buckets that new uids cannot churn to reset someone's bucket; and one
 * bucket all uids but root share. Each case uses its own uids: the cases
 * share one struct limits, as the daemon's threads do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../daemon/daemon.h"

static struct limits lim;

/* Calls allowed in a row for uid, up to max. */
static int drain(uid_t uid, int max)
{
	int n = 0;

	while (n < max && limit_allow(&lim, uid))
		n++;
	return n;
}

static void test_exact_buckets(void **state)
{
	(void)state;
	assert_int_equal(drain(1000, 1000), (int)LIMIT_BURST);
	/* 1128 gets its own burst, and 1000 stays spent: a shared slot would
	 * have reset 1000's bucket to a full burst */
	assert_int_equal(drain(1128, 1000), (int)LIMIT_BURST);
	assert_true(drain(1000, 1000) < (int)LIMIT_BURST / 2);
	assert_true(drain(1128, 1000) < (int)LIMIT_BURST / 2);
}

static void test_root_bucket_is_separate(void **state)
{
	(void)state;
	limit_set_total(&lim, LIMIT_TOTAL_RATE, LIMIT_TOTAL_BURST);
	/* root's misses are bounded too (spent by test_total_bucket), and
	 * spending them costs no one else */
	assert_true(drain(0, 1000) < (int)LIMIT_BURST / 2);
	assert_int_equal(drain(2000, 1000), (int)LIMIT_BURST);
}

static void test_no_reset_by_churn(void **state)
{
	(void)state;
	limit_set_total(&lim, 1e9, 1e9); /* the per-uid table alone */
	assert_int_equal(drain(3000, 1000), (int)LIMIT_BURST);
	/* thousands of new uids, each spending its burst: the table fills
	 * with spent buckets, none of them 3000's */
	for (uid_t u = 100000; u < 100000 + 2 * LIMIT_BUCKETS; u++)
		drain(u, 1000);
	assert_true(drain(3000, 1000) < (int)LIMIT_BURST / 2);
	/* and a new uid finds no room while every bucket is spent */
	assert_true(drain(999999, 1000) < (int)LIMIT_BURST / 2);
	limit_set_total(&lim, LIMIT_TOTAL_RATE, LIMIT_TOTAL_BURST);
}

static void test_total_bucket(void **state)
{
	int sum = 0;

	(void)state;
	limit_set_total(&lim, LIMIT_TOTAL_RATE, LIMIT_TOTAL_BURST);
	/* 20 fresh uids would have 1,000 calls; together they get the shared
	 * burst (and what it refills meanwhile) */
	for (uid_t u = 5000; u < 5020; u++)
		sum += drain(u, 1000);
	assert_true(sum >= (int)LIMIT_TOTAL_BURST);
	assert_true(sum < (int)LIMIT_TOTAL_BURST + 50);
	/* root's misses are not in it: its own burst, whole (first use) */
	assert_int_equal(drain(0, 1000), (int)LIMIT_BURST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_buckets),
	    cmocka_unit_test(test_total_bucket),
	    cmocka_unit_test(test_root_bucket_is_separate),
	    cmocka_unit_test(test_no_reset_by_churn),
	};

	limits_init(&lim);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
