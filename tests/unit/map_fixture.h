/* map_fixture.h — what the test_map_*.c suites share: one test's world
 * (struct map_case: config, tenant, local files, dataset, log) set up and
 * torn down around each case, a tenant built entry by entry, lookups into
 * the mapped dataset, and a capture of the log lines sb_map_build writes. */
#ifndef SB_TEST_MAP_FIXTURE_H
#define SB_TEST_MAP_FIXTURE_H

#include <stdint.h>

#include "map.h"

/* One case's world. map_setup gives the base config, an empty tenant and
 * local files with no tenant names in them; map_teardown frees whatever
 * the case left, also after a failed assertion (the temp files go too). */
struct map_case {
	struct sb_config cfg;
	struct sb_scim_users u;
	struct sb_scim_users later; /* a second sync's users, when a case has one */
	struct sb_scim_groups g;
	struct sb_map_opts o;	  /* what sb_map_build is given */
	struct sb_map_opts local; /* the temp files behind it */
	struct sb_dataset ds;
	struct sb_dataset first; /* an earlier sync's dataset, for o.prior */
	struct sb_map_report rep;
	struct sb_err err;
	char *log;
};

int map_setup(void **state);
int map_teardown(void **state);
#define map_test(f) cmocka_unit_test_setup_teardown(f, map_setup, map_teardown)

/* new local files in place of the case's (group_text NULL: root and users) */
void case_local(struct map_case *c, const char *passwd_text, const char *group_text);
/* sb_map_build of users into out (freed first) with the case's config,
 * groups and options */
int case_build(struct map_case *c, const struct sb_scim_users *users, struct sb_dataset *out);
/* the same for c->u into c->ds; the _logged one keeps the log in c->log */
int case_map(struct map_case *c);
int case_map_logged(struct map_case *c);

/* the defaults the suites start from: okta.example.com, ids from 200000,
 * "ALL USERS" ignored */
void base_config(struct sb_config *cfg);
void add_user(struct sb_scim_users *a, const char *id, const char *name, const char *domain,
	      int active);
void add_group(struct sb_scim_groups *a, const char *id, const char *display, int n,
	       const char **members);
void set_member_group(struct sb_scim_groups *g, size_t gi, size_t mi);
void free_tenant(struct sb_scim_users *u, struct sb_scim_groups *g);

const struct sb_user *user(const struct sb_dataset *ds, const char *name);
const struct sb_group *group(const struct sb_dataset *ds, const char *name);
const struct sb_group *group_by_gid(const struct sb_dataset *ds, uint32_t gid);
char *members_of(const struct sb_dataset *ds, const struct sb_group *g);
void assert_members(const struct sb_dataset *ds, const char *group_name, const char *want);

void capture_start(void);
char *capture_end(void);
int lines_with(const char *text, ...);

/* what the skipped callback was told, by kind */
struct skips {
	int users, groups;
};

void count_skip(void *ctx, const char *kind, const char *scim_id, const char *reason);

#endif
