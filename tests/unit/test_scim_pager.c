/* test_scim_pager.c — the paging state machine against honest and lying
 * servers: short pages, the extra page past a full last page (empty, or
 * echoing known resources as SCIMMY does), and every contradiction that must
 * fail the listing (changing totals, duplicates, too many, empty too early). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scim_pager.h"

#define URL "https://t/Users"

/* The pager keeps pointers to the ids (the client's ids live in the parsed
 * resources), so they must outlive the listing: one static pool. */
static char pool[64][16];

/* Feeds ids "u<from>".."u<from+n-1>"; returns sb_pager_step's result. */
static int feed(struct sb_pager *p, long total, int from, int n, long page, bool *echo,
		struct sb_err *err)
{
	char *ids[64];

	for (int i = 0; i < n; i++) {
		snprintf(pool[from + i], sizeof(pool[0]), "u%d", from + i);
		ids[i] = pool[from + i];
	}
	return sb_pager_step(p, total, ids, (size_t)n, page, URL, echo, err);
}

static void test_short_pages_advance_by_what_came(void **state)
{
	struct sb_pager p;
	struct sb_err err = {0};
	bool echo;

	(void)state;
	sb_pager_init(&p);
	assert_int_equal(p.start, 1);
	assert_true(sb_pager_more(&p));
	assert_int_equal(feed(&p, 7, 0, 3, 5, &echo, &err), 0); /* server capped at 3 */
	assert_int_equal(p.start, 4);
	assert_true(sb_pager_more(&p));
	assert_int_equal(feed(&p, 7, 3, 4, 5, &echo, &err), 0);
	assert_false(echo);
	assert_false(sb_pager_more(&p)); /* 7 of 7 on a short page: no extra page */
	sb_pager_free(&p);
}

static void test_full_last_page_asks_once_more(void **state)
{
	struct sb_pager p;
	struct sb_err err = {0};
	bool echo;

	(void)state;
	sb_pager_init(&p);
	assert_int_equal(feed(&p, 4, 0, 2, 2, &echo, &err), 0);
	assert_int_equal(feed(&p, 4, 2, 2, 2, &echo, &err), 0);
	assert_true(sb_pager_more(&p));
	assert_int_equal(sb_pager_total(&p), 4);
	assert_int_equal(p.start, 5);
	assert_int_equal(feed(&p, 4, 0, 0, 2, &echo, &err), 0); /* empty: the total was true */
	assert_true(echo);
	assert_false(sb_pager_more(&p));
	assert_int_equal(p.got, 4);
	sb_pager_free(&p);

	sb_pager_init(&p); /* SCIMMY echoes known resources past the end */
	assert_int_equal(feed(&p, 2, 0, 2, 2, &echo, &err), 0);
	assert_int_equal(feed(&p, 2, 0, 2, 2, &echo, &err), 0);
	assert_true(echo);
	assert_false(sb_pager_more(&p));
	sb_pager_free(&p);

	sb_pager_init(&p); /* unseen resources past the end: total too small */
	assert_int_equal(feed(&p, 2, 0, 2, 2, &echo, &err), 0);
	assert_int_equal(feed(&p, 2, 2, 1, 2, &echo, &err), -1);
	assert_int_equal(err.kind, SB_E_PROTOCOL);
	assert_non_null(strstr(err.msg, "past totalResults 2"));
	sb_pager_free(&p);
}

static void test_lies_are_errors(void **state)
{
	struct sb_pager p;
	struct sb_err err = {0};
	bool echo;

	(void)state;
	sb_pager_init(&p); /* totalResults changes */
	assert_int_equal(feed(&p, 10, 0, 5, 5, &echo, &err), 0);
	assert_int_equal(feed(&p, 12, 5, 5, 5, &echo, &err), -1);
	assert_non_null(strstr(err.msg, "GET " URL ": totalResults changed from 10 to 12"));
	sb_pager_free(&p);

	sb_pager_init(&p); /* a duplicate id across pages */
	assert_int_equal(feed(&p, 10, 0, 5, 5, &echo, &err), 0);
	assert_int_equal(feed(&p, 10, 4, 5, 5, &echo, &err), -1);
	assert_non_null(strstr(err.msg, "duplicate id u4"));
	sb_pager_free(&p);

	sb_pager_init(&p); /* more resources than promised */
	assert_int_equal(feed(&p, 3, 0, 5, 5, &echo, &err), -1);
	assert_non_null(strstr(err.msg, "more than totalResults 3"));
	sb_pager_free(&p);

	sb_pager_init(&p); /* an empty page before the total */
	assert_int_equal(feed(&p, 10, 0, 5, 5, &echo, &err), 0);
	assert_int_equal(feed(&p, 10, 5, 0, 5, &echo, &err), -1);
	assert_non_null(strstr(err.msg, "empty page after 5 resources"));
	sb_pager_free(&p);

	sb_pager_init(&p); /* a negative total */
	assert_int_equal(feed(&p, -1, 0, 0, 5, &echo, &err), -1);
	assert_int_equal(err.kind, SB_E_PROTOCOL);
	sb_pager_free(&p);
}

static void test_empty_tenant(void **state)
{
	struct sb_pager p;
	struct sb_err err = {0};
	bool echo;

	(void)state;
	sb_pager_init(&p);
	assert_int_equal(feed(&p, 0, 0, 0, 5, &echo, &err), 0);
	assert_false(sb_pager_more(&p));
	sb_pager_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_short_pages_advance_by_what_came),
	    cmocka_unit_test(test_full_last_page_asks_once_more),
	    cmocka_unit_test(test_lies_are_errors),
	    cmocka_unit_test(test_empty_tenant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
