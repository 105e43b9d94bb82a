/* map.c — sb_map_build: sets up the shared state (local accounts, sticky ids
 * from the previous cache) and runs the user then the group mapping. */
#include "map_internal.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Tenant text goes into logs: control characters become '?' and long values
 * are cut, so a name cannot forge log lines or flood them. */
const char *mapper_printable(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; s && *s && n + 4 < size; s++)
		buf[n++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
	if (s && *s)
		buf[n++] = '.', buf[n++] = '.', buf[n++] = '.';
	buf[n] = '\0';
	return buf;
}

void mapper_skip(struct mapper *m, const char *kind, const char *scim_id, const char *name,
		 const char *reason)
{
	char a[80], b[80];

	sb_log(LOG_WARNING, "skipped %s %s (%s): %s", kind,
	       mapper_printable(scim_id ? scim_id : "?", a, sizeof(a)),
	       mapper_printable(name ? name : "no name", b, sizeof(b)), reason);
	if (m->opts && m->opts->skipped)
		m->opts->skipped(m->opts->skipped_ctx, kind, scim_id, reason);
}

int mapper_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*arr, ncap * elem);
	if (!np)
		return -1;
	memset((char *)np + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = np;
	*cap = ncap;
	return 0;
}

int mapper_add_idmap(struct mapper *m, const char *scim_id, uint32_t id, uint32_t kind)
{
	struct sb_dataset *ds = m->out;
	char *dup;

	if (mapper_grow((void **)&ds->idmap, &m->cap_idmap, ds->n_idmap + 1, sizeof(*ds->idmap)))
		return -1;
	dup = strdup(scim_id);
	if (!dup)
		return -1;
	ds->idmap[ds->n_idmap++] = (struct sb_idmap_entry){.scim_id = dup, .id = id, .kind = kind};
	return 0;
}

/* Earlier assignments are kept (and reserved) even for SCIM ids that are gone,
 * so an id is never handed to another account on this host. */
static int load_prior(struct mapper *m)
{
	const struct sb_map_opts *o = m->opts;

	for (size_t i = 0; o && i < o->n_prior; i++) {
		const struct sb_idmap_entry *e = &o->prior[i];
		struct sb_strmap *map = e->kind == SB_ID_GROUP ? &m->prior_group : &m->prior_user;

		if (!e->scim_id || sb_id_forbidden(e->id) || sb_strmap_get(map, e->scim_id, NULL))
			continue;
		if (sb_idalloc_take(&m->ids, e->id) < 0 ||
		    sb_strmap_put(map, e->scim_id, e->id) < 0 ||
		    mapper_add_idmap(m, e->scim_id, e->id, e->kind) < 0)
			return -1;
	}
	return 0;
}

static int setup(struct mapper *m)
{
	const struct sb_map_opts *o = m->opts;
	const char *pw = o && o->passwd_file ? o->passwd_file : "/etc/passwd";
	const char *gr = o && o->group_file ? o->group_file : "/etc/group";
	uint32_t lo = m->cfg->uid_min < m->cfg->gid_min ? m->cfg->uid_min : m->cfg->gid_min;
	uint32_t hi = m->cfg->uid_max > m->cfg->gid_max ? m->cfg->uid_max : m->cfg->gid_max;

	if (sb_localdb_load(&m->local, pw, gr, m->err) < 0)
		return -1;
	sb_idalloc_init(&m->ids, lo, hi);
	for (size_t i = 0; i < m->local.ids.cap; i++)
		if (m->local.ids.slots[i] && sb_idalloc_take(&m->ids, m->local.ids.slots[i]) < 0)
			return sb_err_set(m->err, SB_E_NOMEM, "out of memory");
	if (load_prior(m) < 0)
		return sb_err_set(m->err, SB_E_NOMEM, "out of memory");
	return 0;
}

static void teardown(struct mapper *m)
{
	sb_localdb_free(&m->local);
	sb_idalloc_free(&m->ids);
	sb_strmap_free(&m->prior_user);
	sb_strmap_free(&m->prior_group);
	sb_strmap_free(&m->names);
	sb_strmap_free(&m->user_by_scim);
}

int sb_map_build(const struct sb_config *cfg, const struct sb_scim_users *users,
		 const struct sb_scim_groups *groups, const struct sb_map_opts *opts,
		 struct sb_dataset *out, struct sb_map_report *rep, struct sb_err *err)
{
	struct sb_map_report dummy = {0};
	struct mapper m = {.cfg = cfg, .opts = opts, .out = out, .err = err};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	m.rep = rep ? rep : &dummy;
	memset(m.rep, 0, sizeof(*m.rep));
	m.upg = !cfg->primary_group || !*cfg->primary_group;
	if (setup(&m) < 0)
		goto out;
	if (map_users(&m, users) < 0 || map_groups(&m, groups) < 0)
		goto out;
	if (m.rep->users_other_domain)
		sb_log(LOG_INFO, "%zu users of other domains than %s not mapped",
		       m.rep->users_other_domain, cfg->domain ? cfg->domain : "(any)");
	rc = 0;
out:
	teardown(&m);
	if (rc < 0)
		sb_dataset_free(out);
	return rc;
}
