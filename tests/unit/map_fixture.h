/* map_fixture.h — what the test_map_*.c suites share: a base config, a
 * tenant built entry by entry, local passwd/group files, lookups into the
 * mapped dataset, and a capture of the log lines sb_map_build writes. */
#ifndef SB_TEST_MAP_FIXTURE_H
#define SB_TEST_MAP_FIXTURE_H

#include <stdint.h>

#include "map.h"

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

struct sb_map_opts local_files(const char *passwd_text, const char *group_text);
struct sb_map_opts local_opts(const char *passwd_text);
void drop_local(struct sb_map_opts *o);

void capture_start(void);
char *capture_end(void);
int lines_with(const char *text, ...);

/* what the skipped callback was told, by kind */
struct skips {
	int users, groups;
};

void count_skip(void *ctx, const char *kind, const char *scim_id, const char *reason);

#endif
