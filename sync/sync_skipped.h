/* sync_skipped.h — private to sync/: a skipped entry reported with its name
 * (the mapping reports only the SCIM id), and the users freed once mapped. */
#ifndef SB_SYNC_SKIPPED_H
#define SB_SYNC_SKIPPED_H

#include <stddef.h>

#include "sync.h"

/* The mapping reports a skipped entry by SCIM id; the admin wants the name
 * too. The index is built on the first skip only, so a clean sync pays
 * nothing for it. */
struct skip_relay {
	sb_sync_skipped_fn fn;
	void *ctx;
	const struct sb_scim_users *users; /* NULL once freed (drop_users) */
	const struct sb_scim_groups *groups;
	const struct sb_scim_user **uidx;
	const struct sb_scim_group **gidx;
	size_t nu, ng;
	int built_users, built_groups;
};

/* The mapping's skipped hook (sb_map_opts.skipped); arg is a skip_relay. */
void sb_sync_skip_relay(void *arg, const char *kind, const char *scim_id, const char *reason);

/* The users as the tenant sent them are not needed once mapped: freeing
 * them before the groups are mapped lowers a 100,000-user sync's peak. */
struct drop_users_ctx {
	struct sb_scim_users *users;
	struct skip_relay *relay;
};

/* The mapping's users_mapped hook; arg is a drop_users_ctx. */
void sb_sync_drop_users(void *arg);

#endif
