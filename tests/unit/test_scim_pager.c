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
	sb_pager_init(&p, 0);
	assert_int_equal(p.start, 1);
	assert_true(sb_pager_more(&p));
	assert_int_equal(feed(&p, 7, 0, 3, 5, &echo, &err), 0); /* server capped at 3 */
	assert_int_equal(p.start, 4);
	assert_true(sb_pager_more(&p));
	assert_int_equal(feed(&p, 7, 3, 3, 5, &echo, &err), 0);
	assert_int_equal(feed(&p, 7, 6, 1, 5, &echo, &err), 0);
	assert_false(echo);
	assert_false(sb_pager_more(&p)); /* 7 of 7 on a page shorter than 3: the end */
	sb_pager_free(&p);

	sb_pager_init(&p, 0); /* a full page, then a short one at the total */
	assert_int_equal(feed(&p, 7, 0, 5, 5, &echo, &err), 0);
	assert_int_equal(feed(&p, 7, 5, 2, 5, &echo, &err), 0);
	assert_false(sb_pager_more(&p));
	sb_pager_free(&p);
}

/* One short page that claims to be everything: the server may cap count and
 * state the page's length as the total (scim2-server: 50 of 60), so the page
 * past it is read, unless this server has returned longer pages before. */
static void test_short_single_page_is_checked(void **state)
{
	struct sb_pager p;
	struct sb_err err = {0};
	bool echo;

	(void)state;
	sb_pager_init(&p, 0);
	assert_int_equal(feed(&p, 3, 0, 3, 5, &echo, &err), 0);
	assert_true(sb_pager_more(&p));
	assert_int_equal(p.start, 4);
	assert_int_equal(feed(&p, 3, 0, 0, 5, &echo, &err), 0);
	assert_false(sb_pager_more(&p));
	assert_false(p.understated);
	sb_pager_free(&p);

	sb_pager_init(&p, 10); /* the server returned 10 before: 3 is no cap */
	assert_int_equal(feed(&p, 3, 0, 3, 5, &echo, &err), 0);
	assert_false(sb_pager_more(&p));
	sb_pager_free(&p);

	sb_pager_init(&p, 3); /* 3 may be the cap */
	assert_int_equal(feed(&p, 3, 0, 3, 5, &echo, &err), 0);
	assert_true(sb_pager_more(&p));
	sb_pager_free(&p);
}

/* scim2-server: count capped at 50, totalResults = the page's length. */
static void test_cap_with_page_length_as_total(void **state)
{
	static char big[64][8];
	char *ids[64];
	struct sb_pager p;
	struct sb_err err = {0};
	bool echo;

	(void)state;
	for (int i = 0; i < 60; i++) {
		snprintf(big[i], sizeof(big[0]), "c%d", i);
		ids[i] = big[i];
	}
	sb_pager_init(&p, 0);
	assert_int_equal(sb_pager_step(&p, 50, ids, 50, 100, URL, &echo, &err), 0);
	assert_true(sb_pager_more(&p));
	assert_int_equal(p.start, 51);
	assert_int_equal(sb_pager_step(&p, 10, ids + 50, 10, 100, URL, &echo, &err), 0);
	assert_false(echo);
	assert_true(p.understated);
	assert_true(sb_pager_more(&p)); /* read on until nothing new */
	assert_int_equal(sb_pager_step(&p, 0, ids, 0, 100, URL, &echo, &err), 0);
	assert_false(sb_pager_more(&p));
	assert_int_equal(p.got, 60);
	assert_int_equal(sb_pager_total(&p), 60);
	sb_pager_free(&p);
}

/* Workspace ONE answers a startIndex past the end with 404. */
static void test_404_past_the_end(void **state)
{
	struct sb_pager p;
	struct sb_err err = {0};
	bool echo;

	(void)state;
	sb_pager_init(&p, 0);
	assert_int_equal(feed(&p, 4, 0, 2, 2, &echo, &err), 0);
	assert_false(sb_pager_end_on_404(&p)); /* mid-list: an error */
	assert_true(sb_pager_more(&p));
	assert_int_equal(feed(&p, 4, 2, 2, 2, &echo, &err), 0);
	assert_true(sb_pager_end_on_404(&p)); /* past a full last page: the end */
	assert_false(sb_pager_more(&p));
	assert_int_equal(p.got, 4);
	sb_pager_free(&p);
}

static void test_full_last_page_asks_once_more(void **state)
{
	struct sb_pager p;
	struct sb_err err = {0};
	bool echo;

	(void)state;
	sb_pager_init(&p, 0);
	assert_int_equal(feed(&p, 4, 0, 2, 2, &echo, &err), 0);
	assert_int_equal(feed(&p, 4, 2, 2, 2, &echo, &err), 0);
	assert_true(sb_pager_more(&p));
	assert_int_equal(sb_pager_total(&p), 4);
	assert_int_equal(p.start, 5);
	assert_int_equal(feed(&p, 4, 0, 0, 2, &echo, &err), 0); /* empty: the total was true */
	assert_false(echo); /* nothing to drop */
	assert_false(sb_pager_more(&p));
	assert_int_equal(p.got, 4);
	sb_pager_free(&p);

	sb_pager_init(&p, 0); /* SCIMMY echoes known resources past the end */
	assert_int_equal(feed(&p, 2, 0, 2, 2, &echo, &err), 0);
	assert_int_equal(feed(&p, 2, 0, 2, 2, &echo, &err), 0);
	assert_true(echo);
	assert_false(sb_pager_more(&p));
	sb_pager_free(&p);

	sb_pager_init(&p, 0); /* unseen resources past the end: total too small */
	assert_int_equal(feed(&p, 2, 0, 2, 2, &echo, &err), 0);
	assert_int_equal(feed(&p, 2, 2, 2, 2, &echo, &err), 0);
	assert_true(p.understated);
	assert_true(sb_pager_more(&p));
	assert_int_equal(feed(&p, 2, 4, 1, 2, &echo, &err), 0);
	assert_true(sb_pager_more(&p)); /* a short page is no proof of the end */
	assert_int_equal(feed(&p, 2, 0, 2, 2, &echo, &err), 0); /* echoes: the end */
	assert_true(echo);
	assert_false(sb_pager_more(&p));
	assert_int_equal(p.got, 5);
	sb_pager_free(&p);

	sb_pager_init(&p, 0); /* a duplicate among unseen ones past the end */
	assert_int_equal(feed(&p, 2, 0, 2, 2, &echo, &err), 0);
	assert_int_equal(feed(&p, 2, 1, 2, 2, &echo, &err), -1);
	assert_non_null(strstr(err.msg, "duplicate id u1"));
	sb_pager_free(&p);
}

static void test_lies_are_errors(void **state)
{
	struct sb_pager p;
	struct sb_err err = {0};
	bool echo;

	(void)state;
	sb_pager_init(&p, 0); /* totalResults changes */
	assert_int_equal(feed(&p, 10, 0, 5, 5, &echo, &err), 0);
	assert_int_equal(feed(&p, 12, 5, 5, 5, &echo, &err), -1);
	assert_non_null(strstr(err.msg, "GET " URL ": totalResults changed from 10 to 12"));
	sb_pager_free(&p);

	sb_pager_init(&p, 0); /* a duplicate id across pages */
	assert_int_equal(feed(&p, 10, 0, 5, 5, &echo, &err), 0);
	assert_int_equal(feed(&p, 10, 4, 5, 5, &echo, &err), -1);
	assert_non_null(strstr(err.msg, "duplicate id u4"));
	sb_pager_free(&p);

	sb_pager_init(&p, 0); /* more resources than promised */
	assert_int_equal(feed(&p, 3, 0, 5, 5, &echo, &err), -1);
	assert_non_null(strstr(err.msg, "more than totalResults 3"));
	sb_pager_free(&p);

	sb_pager_init(&p, 0); /* an empty page before the total */
	assert_int_equal(feed(&p, 10, 0, 5, 5, &echo, &err), 0);
	assert_int_equal(feed(&p, 10, 5, 0, 5, &echo, &err), -1);
	assert_non_null(strstr(err.msg, "empty page after 5 resources"));
	sb_pager_free(&p);

	sb_pager_init(&p, 0); /* a negative total */
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
	sb_pager_init(&p, 0);
	assert_int_equal(feed(&p, 0, 0, 0, 5, &echo, &err), 0);
	assert_false(sb_pager_more(&p));
	sb_pager_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_short_pages_advance_by_what_came),
	    cmocka_unit_test(test_short_single_page_is_checked),
	    cmocka_unit_test(test_cap_with_page_length_as_total),
	    cmocka_unit_test(test_404_past_the_end),
	    cmocka_unit_test(test_full_last_page_asks_once_more),
	    cmocka_unit_test(test_lies_are_errors),
	    cmocka_unit_test(test_empty_tenant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
