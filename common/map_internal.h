/* map_internal.h — the state one sb_map_build call shares between
 * map_user.c and map_group.c. Not for use outside the mapping. */
#ifndef SB_MAP_INTERNAL_H
#define SB_MAP_INTERNAL_H

#include "hashmap.h"
#include "idmap.h"
#include "localdb.h"
#include "map.h"

struct mapper {
	const struct sb_config *cfg;
	const struct sb_map_opts *opts;
	struct sb_map_report *rep;
	struct sb_dataset *out;
	struct sb_err *err;
	struct sb_localdb local;
	struct sb_idalloc ids;	      /* one taken-set for uids and gids */
	struct sb_strmap prior_user;  /* scim id → uid from earlier syncs */
	struct sb_strmap prior_group; /* scim id → gid */
	struct sb_strmap names;	      /* every name served (users, groups) */
	struct sb_strmap user_by_scim;
	size_t cap_users, cap_groups, cap_idmap;
	bool upg;
};

void mapper_skip(struct mapper *m, const char *kind, const char *scim_id, const char *name,
		 const char *reason);
/* Tenant text made safe for a log line (control characters → '?', cut). */
const char *mapper_printable(const char *s, char *buf, size_t size);
int mapper_add_idmap(struct mapper *m, const char *scim_id, uint32_t id, uint32_t kind);
int mapper_grow(void **arr, size_t *cap, size_t need, size_t elem);
/* map_user.c */
int map_users(struct mapper *m, const struct sb_scim_users *users);
/* map_group.c */
int map_groups(struct mapper *m, const struct sb_scim_groups *groups);

#endif
