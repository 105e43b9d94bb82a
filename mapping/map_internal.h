/* map_internal.h — the user and group mappings sb_map_build (map.c) runs,
 * over the shared state of mapper.h. Not for use outside the mapping. */
#ifndef SB_MAP_INTERNAL_H
#define SB_MAP_INTERNAL_H

#include "mapper.h"

/* map_user.c */
int map_users(struct mapper *m, const struct sb_scim_users *users);
/* map_group.c */
int map_groups(struct mapper *m, const struct sb_scim_groups *groups);

#endif
