/* test_sync.c — sb_sync_commit: ids are sticky across syncs because they are
 * read back from the cache being replaced (not recomputed), a missing cache
 * is a first sync, and a corrupt one is ignored rather than fatal. (A failed
 * write keeping the old cache is tests/e2e/faults_diskfull.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_reader.h"
#include "cache_writer.h"
#include "idmap.h"
#include "sync.h"

struct fx {
	char dir[64], cache[128];
	struct sb_config cfg;
	struct sb_scim_users users;
	struct sb_scim_groups groups;
};

static void add_user(struct sb_scim_users *a, const char *id, const char *name)
{
	struct sb_scim_user *u;

	a->v = realloc(a->v, (a->n + 1) * sizeof(*a->v));
	assert_non_null(a->v);
	u = &a->v[a->n++];
	memset(u, 0, sizeof(*u));
	u->id = strdup(id);
	u->user_name = strdup(name);
	u->domain = strdup("okta.example.com");
	u->active = SB_TRUE;
	u->soft_deleted = SB_UNSET;
	a->cap = a->n;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_sync.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->cache, sizeof(f->cache), "%s/cache", f->dir);
	sb_config_defaults(&f->cfg);
	free(f->cfg.cache_path);
	f->cfg.cache_path = strdup(f->cache);
	free(f->cfg.domain);
	f->cfg.domain = strdup("okta.example.com");
	add_user(&f->users, "id-alice", "alice");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[256];

	sb_scim_users_free(&f->users);
	sb_scim_groups_free(&f->groups);
	sb_config_free(&f->cfg);
	snprintf(cmd, sizeof(cmd), "chmod -R u+w %s; rm -rf %s", f->dir, f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static uint32_t uid_in_cache(const char *path, const char *name)
{
	struct sb_cache *c = NULL;
	struct sb_user_view v;
	uint32_t uid = 0;

	assert_int_equal(sb_cache_open(path, &c, NULL), 0);
	if (sb_cache_user_by_name(c, name, &v))
		uid = v.uid;
	sb_cache_close(c);
	return uid;
}

/* A cache that gave id-alice a uid the hash would not give: the next sync
 * must keep it. */
static void write_prior(const char *path, uint32_t uid)
{
	struct sb_idmap_entry e = {.scim_id = "id-alice", .id = uid, .kind = SB_ID_USER};
	struct sb_dataset ds = {.idmap = &e, .n_idmap = 1, .sync_time = 1};

	assert_int_equal(sb_cache_write(path, &ds, NULL), 0);
}

static void test_first_sync_hashes(void **state)
{
	struct fx *f = *state;
	struct sb_sync_report rep = {0};
	struct sb_err err = {0};
	struct sb_idalloc a;
	uint32_t want;

	assert_int_equal(sb_sync_commit(&f->cfg, &f->users, &f->groups, NULL, &rep, &err), 0);
	sb_idalloc_init(&a, f->cfg.uid_min, f->cfg.uid_max);
	want = sb_idalloc_assign(&a, "id-alice");
	sb_idalloc_free(&a);
	assert_int_equal(uid_in_cache(f->cache, "alice"), want);
	assert_int_equal(rep.map.users_mapped, 1);
}

static void test_prior_ids_are_sticky(void **state)
{
	struct fx *f = *state;
	struct sb_err err = {0};

	write_prior(f->cache, 345678);
	assert_int_equal(sb_sync_commit(&f->cfg, &f->users, &f->groups, NULL, NULL, &err), 0);
	assert_int_equal(uid_in_cache(f->cache, "alice"), 345678);
	/* and again from the cache this sync wrote */
	assert_int_equal(sb_sync_commit(&f->cfg, &f->users, &f->groups, NULL, NULL, &err), 0);
	assert_int_equal(uid_in_cache(f->cache, "alice"), 345678);
}

static void test_corrupt_cache_is_ignored(void **state)
{
	struct fx *f = *state;
	struct sb_err err = {0};
	FILE *fp = fopen(f->cache, "w");

	assert_non_null(fp);
	fputs("not a cache at all, but long enough to look at the header of it", fp);
	fclose(fp);
	assert_int_equal(sb_sync_commit(&f->cfg, &f->users, &f->groups, NULL, NULL, &err), 0);
	assert_int_not_equal(uid_in_cache(f->cache, "alice"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_first_sync_hashes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prior_ids_are_sticky, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_cache_is_ignored, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
