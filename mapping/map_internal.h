/* map_internal.h — the user and group mappings sb_map_build (map.c) runs,
 * over the shared state of mapper.h. Not for use outside the mapping. */
#ifndef SB_MAP_INTERNAL_H
#define SB_MAP_INTERNAL_H

#include "mapper.h"

/* map_user.c */
int map_users(struct mapper *m, const struct sb_scim_users *users);
/* map_group.c */
int map_groups(struct mapper *m, const struct sb_scim_groups *groups);

/* What map_groups keeps while it runs, shared with map_group_members.c. */
struct gstate {
	const struct sb_scim_groups *in;
	struct sb_idindex by_scim; /* SCIM group id → index in `in` (first in `order`) */
	uint32_t *out_index;	   /* index in `in` → dataset group index + 1 (0: not mapped) */
	uint32_t *stamp;	   /* DFS visit marks, one per SCIM group */
	uint32_t *order;	   /* indexes in `in` with an id, sorted by cmp_idx_by_id */
	size_t n_order;
};
/* map_group_members.c: the groups' members (nested flattened), then each
 * user's supplementary gids; -1 only for out of memory. */
int map_group_fill_members(struct mapper *m, struct gstate *st);
int map_group_fill_user_gids(struct mapper *m);

#endif
