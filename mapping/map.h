/* map.h — SCIM users and groups → POSIX users and groups (DESIGN.md
 * "SCIM → POSIX"): names, ids (idmap.h), primary and supplementary groups,
 * GECOS, home, shell, the active flag. Pure: no I/O except reading the local
 * passwd/group files named in the options (never through NSS). Every
 * skipped entry is logged once with its SCIM id and the reason. */
#ifndef SB_MAP_H
#define SB_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "dataset.h"
#include "err.h"
#include "scim_types.h"

struct sb_map_opts {
	const char *passwd_file; /* local accounts whose names/ids we never shadow; */
	const char *group_file;	 /* NULL means /etc/passwd and /etc/group */
	/* Assignments from the previous cache (sticky ids); may be NULL/0. */
	const struct sb_idmap_entry *prior;
	size_t n_prior;
	/* Called for each skipped entry (after logging); may be NULL. */
	void (*skipped)(void *ctx, const char *kind, const char *scim_id, const char *reason);
	void *skipped_ctx;
	/* Called once the users are mapped, before the groups; from then on the
	 * mapping reads nothing of `users` (nor reports a skipped user), so a
	 * caller that owns them may free them here. May be NULL. */
	void (*users_mapped)(void *ctx);
	void *users_mapped_ctx;
};

struct sb_map_report {
	size_t users_in, users_mapped, users_inactive, users_skipped, users_other_domain;
	size_t groups_in, groups_mapped, groups_skipped, groups_ignored;
};

/* The user's domain as the mapping sees it: the workspace extension's, else
 * the part of userName after '@', else NULL. */
const char *sb_map_user_domain(const struct sb_scim_user *u);
/* Whether the mapping serves u under the configured domain (NULL: every
 * user): a user without a domain is served; else compared ignoring ASCII case. */
bool sb_map_user_in_domain(const struct sb_scim_user *u, const char *domain);

int sb_map_build(const struct sb_config *cfg, const struct sb_scim_users *users,
		 const struct sb_scim_groups *groups, const struct sb_map_opts *opts,
		 struct sb_dataset *out, struct sb_map_report *rep, struct sb_err *err);

#endif
