/* map_group.c — SCIM groups → POSIX groups: names from displayName, gids
 * (sticky, then hashed), user private groups; the members and each user's
 * supplementary gid list are map_group_members.c's. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "map_internal.h"
#include "names.h"

static bool ignored(const struct mapper *m, const char *display)
{
	const struct sb_strlist *l = &m->cfg->ignore_groups;

	for (size_t i = 0; display && i < l->n; i++)
		if (sb_ascii_iequal(l->v[i], display))
			return true;
	return false;
}

static const char *group_refusal(struct mapper *m, const char *name)
{
	if (!sb_name_valid(name))
		return "displayName is not a portable POSIX group name";
	if (sb_name_reserved(name, &m->cfg->reserved_names))
		return "reserved system name";
	if (sb_strmap_get(&m->local.names, name, NULL))
		return "collides with a local account or group";
	if (sb_strmap_get(&m->names, name, NULL))
		return "same name as a tenant user or another group";
	return NULL;
}

static struct sb_group *new_group(struct mapper *m)
{
	struct sb_dataset *ds = m->out;

	if (mapper_grow((void **)&ds->groups, &m->cap_groups, ds->n_groups + 1,
			sizeof(*ds->groups)))
		return NULL;
	return &ds->groups[ds->n_groups++];
}

static int add_upgs(struct mapper *m)
{
	for (size_t i = 0; m->upg && i < m->out->n_users; i++) {
		struct sb_user *u = &m->out->users[i];
		struct sb_group *g = new_group(m);

		if (!g || !(g->members = sb_arena_calloc(&m->out->arena, 1, sizeof(uint32_t))))
			return -1;
		g->name = u->name; /* shared: both live in the dataset's arena */
		g->gid = u->uid;
		g->flags = SB_GROUP_UPG;
		g->members[0] = (uint32_t)i;
		g->n_members = 1;
	}
	return 0;
}

/* By SCIM id; displayName breaks a tie (a duplicated id) so the outcome does
 * not depend on the order the tenant listed them in. */
static int cmp_idx_by_id(const void *a, const void *b, void *ctx)
{
	const struct sb_scim_groups *in = ctx;
	const struct sb_scim_group *x = &in->v[*(const uint32_t *)a];
	const struct sb_scim_group *y = &in->v[*(const uint32_t *)b];
	int r = strcmp(x->id, y->id);

	if (r || x->display_name == y->display_name)
		return r;
	if (!x->display_name || !y->display_name)
		return x->display_name ? 1 : -1;
	return strcmp(x->display_name, y->display_name);
}

/* Why SCIM group k (of the sorted order) is not served, or NULL. */
static const char *group_skip_reason(struct mapper *m, const struct gstate *st, size_t k,
				     const char *name)
{
	const uint32_t *order = st->order;

	if (k > 0 && strcmp(st->in->v[order[k]].id, st->in->v[order[k - 1]].id) == 0)
		return "duplicate SCIM id";
	return group_refusal(m, name);
}

/* name is malloc'd and taken over; scim_id is the dataset's copy. */
static int emit_group(struct mapper *m, struct gstate *st, uint32_t in_idx, char *name,
		      const char *scim_id, uint32_t gid)
{
	struct sb_group *g = new_group(m);

	if (!g || !(g->name = mapper_keep(m, name)))
		return -1;
	g->gid = gid;
	g->scim_id = (char *)scim_id;
	if (sb_strmap_put(&m->names, g->name, 1) < 0)
		return -1;
	st->out_index[in_idx] = (uint32_t)m->out->n_groups;
	m->rep->groups_mapped++;
	return 0;
}

/* Names and gids for the SCIM groups, in SCIM-id order for determinism. */
static int name_groups(struct mapper *m, struct gstate *st)
{
	const struct sb_scim_groups *in = st->in;

	for (size_t k = 0; k < st->n_order; k++) {
		const struct sb_scim_group *sg = &in->v[st->order[k]];
		const char *why, *scim_id = NULL;
		uint32_t gid = 0;
		char *name;

		if (ignored(m, sg->display_name)) {
			m->rep->groups_ignored++;
			continue;
		}
		name = sb_group_name_from_display(sg->display_name);
		if (!name)
			return -1;
		why = group_skip_reason(m, st, k, name);
		if (!why && (!(scim_id = mapper_str(m, sg->id)) ||
			     mapper_sticky_or_hash(m, scim_id, SB_ID_GROUP, m->cfg->gid_min,
						   m->cfg->gid_max, &gid) < 0)) {
			free(name);
			return -1;
		}
		if (!why && !gid)
			why = "gid range is full";
		if (why) {
			mapper_skip(m, "group", sg->id, sg->display_name, why);
			m->rep->groups_skipped++;
			free(name);
			continue;
		}
		if (emit_group(m, st, st->order[k], name, scim_id, gid) < 0)
			return -1;
	}
	return 0;
}

static int set_named_primary(struct mapper *m)
{
	const char *name = m->cfg->primary_group;
	uint32_t gid = 0;
	bool found = false;

	for (size_t g = 0; g < m->out->n_groups && !found; g++)
		if (strcmp(m->out->groups[g].name, name) == 0) {
			gid = m->out->groups[g].gid;
			found = true;
		}
	if (!found)
		found = sb_strmap_get(&m->local.groups, name, &gid);
	if (!found || gid == 0)
		return sb_err_set(m->err, SB_E_CONFIG,
				  "primary_group '%s' is neither a tenant group nor a local group "
				  "(and may not be gid 0)",
				  name);
	for (size_t u = 0; u < m->out->n_users; u++)
		m->out->users[u].gid = gid;
	return 0;
}

/* The SCIM groups in SCIM-id order, and id → index built in that order so a
 * duplicated id resolves to the same group wherever it is referenced. */
static int index_groups(struct mapper *m, struct gstate *st)
{
	const struct sb_scim_groups *in = st->in;

	st->order = malloc((in->n ? in->n : 1) * sizeof(*st->order));
	if (!st->order || sb_idindex_reserve(&st->by_scim, in->n) < 0)
		return -1;
	for (size_t i = 0; i < in->n; i++) {
		if (in->v[i].id && *in->v[i].id) {
			st->order[st->n_order++] = (uint32_t)i;
			continue;
		}
		mapper_skip(m, "group", NULL, in->v[i].display_name, "no SCIM id");
		m->rep->groups_skipped++;
	}
	qsort_r(st->order, st->n_order, sizeof(*st->order), cmp_idx_by_id, (void *)in);
	for (size_t k = 0; k < st->n_order; k++)
		if (sb_idindex_put(&st->by_scim, in->v[st->order[k]].id, st->order[k]) < 0)
			return -1;
	return 0;
}

int map_groups(struct mapper *m, const struct sb_scim_groups *groups)
{
	struct gstate st = {.in = groups};
	size_t n = groups->n ? groups->n : 1;
	int rc = -1;

	m->rep->groups_in = groups->n;
	st.out_index = calloc(n, sizeof(uint32_t));
	st.stamp = calloc(n, sizeof(uint32_t));
	if (!st.out_index || !st.stamp)
		goto out;
	if (index_groups(m, &st) < 0 ||
	    mapper_grow((void **)&m->out->groups, &m->cap_groups,
			(m->upg ? m->out->n_users : 0) + groups->n, sizeof(*m->out->groups)) < 0)
		goto out;
	if (add_upgs(m) < 0 || name_groups(m, &st) < 0 || map_group_fill_members(m, &st) < 0)
		goto out;
	if (!m->upg && set_named_primary(m) < 0)
		goto done;
	if (map_group_fill_user_gids(m) < 0)
		goto out;
	rc = 0;
	goto done;
out:
	sb_err_set(m->err, SB_E_NOMEM, "out of memory mapping groups");
done:
	sb_idindex_free(&st.by_scim);
	free(st.out_index);
	free(st.stamp);
	free(st.order);
	return rc;
}
