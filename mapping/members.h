/* members.h — a listed group's members resolved to users as each page of
 * Groups arrives: members found among the users (and not typed Group) become
 * indexes in sb_scim_group.member_users, so the ids of a million memberships
 * are never all in memory at once. The listing calls it on each group as
 * it is read (sb_scim_list_groups_each); the parser leaves members as ids. */
#ifndef SB_MEMBERS_H
#define SB_MEMBERS_H

#include <stddef.h>

#include "err.h"
#include "idindex.h"
#include "scim_types.h"

/* Resolves g's members against user_ids (SCIM user id → index into the
 * users the listing is made against); the rest stay in members, their
 * block shrunk to what remains. */
int sb_members_resolve(struct sb_scim_group *g, const struct sb_idindex *user_ids,
		       struct sb_err *err);
/* The listing's hook (sb_scim_list_groups_each): ctx is the const struct
 * sb_idindex *. */
int sb_members_resolve_group(void *ctx, struct sb_scim_group *g, struct sb_err *err);

#endif
