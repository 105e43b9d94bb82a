/* dataset.h — the POSIX view of the tenant: what map_* produces and
 * cache_writer stores. Everything here is public (the cache is 0644). */
#ifndef SB_DATASET_H
#define SB_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define SB_USER_ACTIVE 0x1u /* login allowed: active, userStatus 1, not soft-deleted */

#define SB_GROUP_UPG 0x1u /* a user private group synthesised for a user */

enum sb_id_kind { SB_ID_USER = 1, SB_ID_GROUP = 2 };

struct sb_user {
	char *name, *gecos, *home, *shell, *scim_id;
	uint32_t uid, gid, flags;
	char **ssh_keys;
	size_t n_ssh_keys;
	uint32_t *gids; /* the gids of the groups listing the user (nested groups
			   flattened), sorted, unique; never the private group */
	size_t n_gids;
};

struct sb_group {
	char *name, *scim_id; /* scim_id NULL for a user private group */
	uint32_t gid, flags;
	uint32_t *members; /* indexes into sb_dataset.users: direct and nested members */
	size_t n_members;
};

/* A SCIM id → POSIX id assignment. Kept across syncs (and for ids no longer in
 * the tenant) so that an id once given is never given to another SCIM id. */
struct sb_idmap_entry {
	char *scim_id;
	uint32_t id;
	uint32_t kind; /* enum sb_id_kind */
};

struct sb_dataset {
	struct sb_user *users;
	size_t n_users;
	struct sb_group *groups;
	size_t n_groups;
	struct sb_idmap_entry *idmap;
	size_t n_idmap;
	int64_t sync_time; /* unix seconds of the tenant read this came from */
	/* Every string and array the entries point to (names, ids, keys, gids,
	 * members) is allocated here, never with malloc: sb_dataset_free frees
	 * the arena and the three entry arrays, nothing else. Two entries may
	 * share a string (a private group's name is its user's). */
	struct sb_arena arena;
};

void sb_dataset_free(struct sb_dataset *ds);

#endif
