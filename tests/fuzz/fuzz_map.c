/* fuzz_map.c — users and groups built from fuzz input go through the mapping;
 * whatever the tenant sends, what comes out must hold the invariants the
 * modules rely on: no id 0 or reserved id, valid names, members in range,
 * sorted unique gids. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "log.h"
#include "map.h"
#include "names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Splits the input at NUL bytes into fields. */
static char *field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *s = *p;
	size_t n = 0;
	char *out;

	while (s + n < end && s[n])
		n++;
	out = malloc(n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n + (s + n < end);
	return out;
}

static void check(const struct sb_dataset *ds)
{
	for (size_t i = 0; i < ds->n_users; i++) {
		const struct sb_user *u = &ds->users[i];

		if (sb_id_forbidden(u->uid) || u->uid < 200000 || !sb_name_valid(u->name) ||
		    sb_name_reserved(u->name) || strchr(u->gecos, ':') || strchr(u->gecos, '\n'))
			abort();
		for (size_t k = 1; k < u->n_gids; k++)
			if (u->gids[k - 1] >= u->gids[k])
				abort();
	}
	for (size_t g = 0; g < ds->n_groups; g++) {
		if (sb_id_forbidden(ds->groups[g].gid) || !sb_name_valid(ds->groups[g].name))
			abort();
		for (size_t k = 0; k < ds->groups[g].n_members; k++)
			if (ds->groups[g].members[k] >= ds->n_users)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *ignore[] = {"ALL USERS"};
	struct sb_config cfg = {.name_format = "%u",
				.home = "/home/%u",
				.shell = "/bin/sh",
				.uid_min = 200000,
				.uid_max = 200400,
				.gid_min = 200000,
				.gid_max = 200400,
				.uid_attribute = "n",
				.ignore_groups = {.v = ignore, .n = 1}};
	struct sb_map_opts opts = {.passwd_file = "/nonexistent", .group_file = "/nonexistent"};
	struct sb_scim_users users = {0};
	struct sb_scim_groups groups = {0};
	struct sb_dataset ds;
	const uint8_t *p = data, *end = data + size;

	sb_log_init("fuzz_map", SB_LOG_NONE, 0);

	users.v = calloc(16, sizeof(*users.v));
	groups.v = calloc(8, sizeof(*groups.v));
	while (p < end && users.n < 16) {
		struct sb_scim_user *u = &users.v[users.n++];

		u->id = field(&p, end);
		u->user_name = field(&p, end);
		u->display_name = field(&p, end);
		u->uid_value = field(&p, end);
		u->active = p < end && (*p & 1) ? SB_FALSE : SB_TRUE;
		u->soft_deleted = SB_UNSET;
		if (p < end && (*p++ & 2) && groups.n < 8) {
			struct sb_scim_group *g = &groups.v[groups.n++];

			g->id = field(&p, end);
			g->display_name = field(&p, end);
			g->members = calloc(3, sizeof(*g->members));
			g->members[0].value = strdup(u->id);
			g->members[1].value = field(&p, end); /* perhaps another group: a cycle */
			g->n_members = 2;
		}
	}
	if (sb_map_build(&cfg, &users, &groups, &opts, &ds, NULL, NULL) == 0) {
		check(&ds);
		sb_dataset_free(&ds);
	}
	sb_scim_users_free(&users);
	sb_scim_groups_free(&groups);
	return 0;
}
