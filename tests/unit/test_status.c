/* test_status.c — the status file beside the cache: written atomically
 * 0644, read back field by field, one line even when the message quotes a
 * tenant that put newlines in it, and a clear NOTFOUND before any sync. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync.h"

struct fixture {
	char dir[64];
	char cache[128];
	struct sb_config cfg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_status.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->cache, sizeof(f->cache), "%s/cache", f->dir);
	f->cfg.cache_path = f->cache;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_missing_is_notfound(void **state)
{
	struct fixture *f = *state;
	struct sb_sync_status st;
	struct sb_err err = {0};

	assert_int_equal(sb_status_read(&f->cfg, &st, &err), -1);
	assert_int_equal(err.kind, SB_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "cache.status"));
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct sb_sync_status in = {.last_attempt = 1700000100,
				    .last_success = 1700000000,
				    .ok = 0,
				    .users = 12345,
				    .groups = 67,
				    .skipped = 8};
	struct sb_sync_status out;
	struct sb_err err = {0};
	char path[160];
	struct stat sb;

	snprintf(in.message, sizeof(in.message), "http: 500 from\nthe tenant\r=x");
	assert_int_equal(sb_status_write(&f->cfg, &in, &err), 0);
	snprintf(path, sizeof(path), "%s.status", f->cache);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(sb_status_read(&f->cfg, &out, &err), 0);
	assert_int_equal(out.last_attempt, in.last_attempt);
	assert_int_equal(out.last_success, in.last_success);
	assert_int_equal(out.ok, 0);
	assert_int_equal(out.users, 12345);
	assert_int_equal(out.groups, 67);
	assert_int_equal(out.skipped, 8);
	/* Control characters escaped (sb_text_escape), so one key per line
	 * survives and no terminal control reaches `status`. */
	assert_string_equal(out.message, "http: 500 from\\x0athe tenant\\x0d=x");
	assert_string_equal(out.reads, ""); /* none written, none read */

	/* The daemon's kind of reads (issue 18), escaped the same way. */
	snprintf(in.reads, sizeof(in.reads), "full reads only: the tenant\nignores filters");
	assert_int_equal(sb_status_write(&f->cfg, &in, &err), 0);
	assert_int_equal(sb_status_read(&f->cfg, &out, &err), 0);
	assert_string_equal(out.reads, "full reads only: the tenant\\x0aignores filters");
	assert_string_equal(out.message, "http: 500 from\\x0athe tenant\\x0d=x");
}

static void test_replace_leaves_no_temp(void **state)
{
	struct fixture *f = *state;
	struct sb_sync_status st = {.ok = 1, .users = 1};
	struct sb_err err = {0};
	struct dirent *de;
	DIR *d;
	int n = 0;

	for (int i = 0; i < 5; i++) {
		st.users = (uint64_t)i;
		assert_int_equal(sb_status_write(&f->cfg, &st, &err), 0);
	}
	d = opendir(f->dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	assert_int_equal(n, 1);
	assert_int_equal(sb_status_read(&f->cfg, &st, &err), 0);
	assert_int_equal(st.users, 4);
	assert_int_equal(st.ok, 1);
}

/* The one writer: a sync with counts, then the tenant going offline (no
 * counts, not a sync), then back: the counts of the served cache stay, the
 * last result follows the tenant, and the last failure stays. */
static void test_update_keeps_counts_and_last_failure(void **state)
{
	struct fixture *f = *state;
	struct sb_map_report counts = {.users_mapped = 42, .groups_mapped = 7, .users_skipped = 1};
	struct sb_sync_status st;
	struct sb_err err = {0};

	assert_int_equal(sb_status_update(&f->cfg, true, 1, &counts, "42 users", &err), 0);
	assert_int_equal(sb_status_read(&f->cfg, &st, &err), 0);
	assert_int_equal(st.ok, 1);
	assert_int_equal(st.users, 42);
	assert_int_equal(st.groups, 7);
	assert_int_equal(st.skipped, 1);
	assert_true(st.last_success > 0);
	assert_int_equal(st.last_failure, 0);

	assert_int_equal(sb_status_update(&f->cfg, false, 0, NULL, "account check: timeout", &err),
			 0);
	assert_int_equal(sb_status_read(&f->cfg, &st, &err), 0);
	assert_int_equal(st.ok, 0);
	assert_string_equal(st.message, "account check: timeout");
	assert_int_equal(st.users, 42);
	assert_true(st.last_failure > 0);
	assert_string_equal(st.failure, "account check: timeout");

	assert_int_equal(sb_status_update(&f->cfg, false, 1, NULL, "back online", &err), 0);
	assert_int_equal(sb_status_read(&f->cfg, &st, &err), 0);
	assert_int_equal(st.ok, 1);
	assert_int_equal(st.users, 42);
	assert_string_equal(st.failure, "account check: timeout");
}

static void test_unwritable_dir_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct sb_sync_status st = {.ok = 1};
	struct sb_err err = {0};

	f->cfg.cache_path = "/nonexistent-dir/cache";
	assert_int_equal(sb_status_write(&f->cfg, &st, &err), -1);
	assert_int_equal(err.kind, SB_E_IO);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/cache.status"));
	f->cfg.cache_path = f->cache;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_missing_is_notfound, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_replace_leaves_no_temp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unwritable_dir_is_an_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_keeps_counts_and_last_failure, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
