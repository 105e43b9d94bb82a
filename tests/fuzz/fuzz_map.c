/* fuzz_map.c — users, groups and previous id assignments built from fuzz
 * input go through the mapping; whatever the tenant sends, what comes out
 * must hold the invariants the cache and the modules rely on (abort() on a
 * violation): no forbidden id and every id inside its range, valid,
 * unreserved and unique names, unique uids and gids, a user private group's
 * gid equal to its user's uid, members in range, sorted and unique, each
 * user's gids sorted, unique, without the primary gid and all of served
 * groups, previous assignments never given to another SCIM id.
 *
 * Input: a flags byte (domain filter, named primary group, uid attribute),
 * then records split at NUL bytes: user id, userName, displayName, uid value,
 * a control byte (bit 0 inactive, bit 1 add a group holding this user and one
 * more member, bit 2 that member is typed Group, bit 3 add a prior entry). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "log.h"
#include "map.h"
#include "names.h"

#define ID_MIN 200000u
#define ID_MAX 200400u

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
	if (!out)
		abort();
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + n + (s + n < end);
	return out;
}

static void check_sorted_unique(const uint32_t *v, size_t n, uint32_t bound)
{
	for (size_t k = 0; k < n; k++)
		if (v[k] >= bound || (k > 0 && v[k - 1] >= v[k]))
			abort();
}

static void check_ids_unique(const struct sb_dataset *ds)
{
	for (size_t i = 0; i < ds->n_users; i++)
		for (size_t k = 0; k < i; k++)
			if (ds->users[k].uid == ds->users[i].uid ||
			    strcmp(ds->users[k].name, ds->users[i].name) == 0)
				abort();
	for (size_t g = 0; g < ds->n_groups; g++)
		for (size_t k = 0; k < g; k++)
			if (ds->groups[k].gid == ds->groups[g].gid ||
			    strcmp(ds->groups[k].name, ds->groups[g].name) == 0)
				abort();
}

static const struct sb_group *group_by_gid(const struct sb_dataset *ds, uint32_t gid)
{
	for (size_t g = 0; g < ds->n_groups; g++)
		if (ds->groups[g].gid == gid)
			return &ds->groups[g];
	return NULL;
}

static void check_user(const struct sb_dataset *ds, size_t i, int upg)
{
	const struct sb_user *u = &ds->users[i];
	const struct sb_group *pg = group_by_gid(ds, u->gid);

	if (sb_id_forbidden(u->uid) || u->uid < ID_MIN || u->uid > ID_MAX ||
	    !sb_name_valid(u->name) || sb_name_reserved(u->name, NULL) || strpbrk(u->gecos, ":,\n\r") ||
	    strlen(u->gecos) > SB_GECOS_MAX || u->home[0] != '/' || strpbrk(u->home, ":\n"))
		abort();
	if (upg && (u->gid != u->uid || !pg || !(pg->flags & SB_GROUP_UPG) || pg->n_members != 1 ||
		    pg->members[0] != i || strcmp(pg->name, u->name) != 0))
		abort();
	check_sorted_unique(u->gids, u->n_gids, UINT32_MAX);
	/* a named primary group that lists the user is in its gids, as
	 * initgroups returns every group listing the user; a private one never */
	for (size_t k = 0; k < u->n_gids; k++)
		if ((upg && u->gids[k] == u->gid) || !group_by_gid(ds, u->gids[k]))
			abort();
}

static void check_group(const struct sb_dataset *ds, size_t g)
{
	const struct sb_group *gr = &ds->groups[g];

	if (sb_id_forbidden(gr->gid) || gr->gid < ID_MIN || gr->gid > ID_MAX ||
	    !sb_name_valid(gr->name) || sb_name_reserved(gr->name, NULL))
		abort();
	if (!(gr->flags & SB_GROUP_UPG))
		for (size_t i = 0; i < ds->n_users; i++)
			if (ds->users[i].uid == gr->gid)
				abort();
	check_sorted_unique(gr->members, gr->n_members, (uint32_t)ds->n_users);
}

/* Whether prior entry p is the first claim on its id (the mapper drops the
 * later ones, and entries without a SCIM id). */
static int first_claim(const struct sb_map_opts *o, size_t p)
{
	if (!o->prior[p].scim_id[0])
		return 0;
	for (size_t q = 0; q < p; q++)
		if (o->prior[q].id == o->prior[p].id && o->prior[q].scim_id[0])
			return 0;
	return 1;
}

/* A previous assignment is never given to another SCIM id of either kind. */
static void check_prior(const struct sb_dataset *ds, const struct sb_map_opts *o)
{
	for (size_t p = 0; p < o->n_prior; p++) {
		const struct sb_idmap_entry *e = &o->prior[p];

		if (!first_claim(o, p))
			continue;
		for (size_t i = 0; i < ds->n_users; i++)
			if (ds->users[i].uid == e->id &&
			    (e->kind != SB_ID_USER || strcmp(ds->users[i].scim_id, e->scim_id)))
				abort();
		for (size_t g = 0; g < ds->n_groups; g++)
			if (ds->groups[g].scim_id && ds->groups[g].gid == e->id &&
			    (e->kind != SB_ID_GROUP || strcmp(ds->groups[g].scim_id, e->scim_id)))
				abort();
	}
}

static void add_record(struct sb_scim_users *users, struct sb_scim_groups *groups,
		       struct sb_idmap_entry *prior, size_t *n_prior, const uint8_t **p,
		       const uint8_t *end)
{
	struct sb_scim_user *u = &users->v[users->n++];
	uint8_t ctl;

	u->id = field(p, end);
	u->user_name = field(p, end);
	u->display_name = field(p, end);
	u->uid_value = field(p, end);
	u->soft_deleted = SB_UNSET;
	ctl = *p < end ? *(*p)++ : 0;
	u->active = ctl & 1 ? SB_FALSE : SB_TRUE;
	if ((ctl & 2) && groups->n < 8) {
		struct sb_scim_group *g = &groups->v[groups->n++];

		g->id = field(p, end);
		g->display_name = field(p, end);
		g->members = calloc(3, sizeof(*g->members));
		if (!g->members || !(g->members[0].value = strdup(u->id)))
			abort();
		g->members[1].value = field(p, end); /* perhaps another group: a cycle */
		g->members[1].is_group = (ctl & 4) != 0;
		g->n_members = 2;
	}
	if ((ctl & 8) && *n_prior < 8) {
		prior[*n_prior].scim_id = field(p, end);
		prior[*n_prior].id = ID_MIN + (ctl >> 4) * 20;
		prior[*n_prior].kind = ctl & 0x80 ? SB_ID_GROUP : SB_ID_USER;
		(*n_prior)++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *ignore[] = {"ALL USERS"};
	struct sb_config cfg = {.name_format = "%l",
				.home = "/home/%d/%u",
				.shell = "/bin/sh",
				.uid_min = ID_MIN,
				.uid_max = ID_MAX,
				.gid_min = ID_MIN,
				.gid_max = ID_MAX,
				.ignore_groups = {.v = ignore, .n = 1}};
	struct sb_idmap_entry prior[8] = {0};
	struct sb_map_opts opts = {.passwd_file = "/nonexistent", .group_file = "/nonexistent"};
	struct sb_scim_users users = {0};
	struct sb_scim_groups groups = {0};
	struct sb_dataset ds;
	const uint8_t *p = data, *end = data + size;
	uint8_t flags = size ? *p++ : 0;

	sb_log_init("fuzz_map", SB_LOG_NONE, 0);
	cfg.domain = flags & 1 ? "ex.com" : NULL;
	cfg.primary_group = flags & 2 ? "eng" : NULL;
	cfg.uid_attribute = flags & 4 ? "n" : NULL;
	users.v = calloc(16, sizeof(*users.v));
	groups.v = calloc(8, sizeof(*groups.v));
	if (!users.v || !groups.v)
		abort();
	while (p < end && users.n < 16)
		add_record(&users, &groups, prior, &opts.n_prior, &p, end);
	opts.prior = prior;
	if (sb_map_build(&cfg, &users, &groups, &opts, &ds, NULL, NULL) == 0) {
		check_ids_unique(&ds);
		for (size_t i = 0; i < ds.n_users; i++)
			check_user(&ds, i, !cfg.primary_group);
		for (size_t g = 0; g < ds.n_groups; g++)
			check_group(&ds, g);
		check_prior(&ds, &opts);
		sb_dataset_free(&ds);
	}
	for (size_t i = 0; i < opts.n_prior; i++)
		free(prior[i].scim_id);
	sb_scim_users_free(&users);
	sb_scim_groups_free(&groups);
	return 0;
}
