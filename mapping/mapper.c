/* mapper.c — the state one sb_map_build call shares (mapper.h): its setup
 * (local accounts, sticky ids from the previous cache) and teardown, and the
 * helpers the user and group mappings both use. Below map_user.c and
 * map_group.c; calls neither. */
#include "mapper.h"

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
	/* doubling for one more; exactly `need` for a reservation */
	ncap = *cap * 2 > need ? *cap * 2 : need;
	if (ncap < 16)
		ncap = 16;
	np = realloc(*arr, ncap * elem);
	if (!np)
		return -1;
	memset((char *)np + *cap * elem, 0, (ncap - *cap) * elem);
	*arr = np;
	*cap = ncap;
	return 0;
}

char *mapper_str(struct mapper *m, const char *s)
{
	return sb_arena_strdup(&m->out->arena, s);
}

char *mapper_keep(struct mapper *m, char *s)
{
	char *kept = mapper_str(m, s);

	free(s);
	return kept;
}

int mapper_add_idmap(struct mapper *m, const char *scim_id, uint32_t id, uint32_t kind)
{
	struct sb_dataset *ds = m->out;

	if (mapper_grow((void **)&ds->idmap, &m->cap_idmap, ds->n_idmap + 1, sizeof(*ds->idmap)))
		return -1;
	ds->idmap[ds->n_idmap++] =
	    (struct sb_idmap_entry){.scim_id = (char *)scim_id, .id = id, .kind = kind};
	return 0;
}

static int cmp_owner(const void *a, const void *b)
{
	uint32_t x = ((const struct prior_owner *)a)->id, y = ((const struct prior_owner *)b)->id;

	return x < y ? -1 : x > y;
}

bool mapper_prior_is(const struct mapper *m, uint32_t id, const char *scim_id, uint32_t kind)
{
	struct prior_owner key = {.id = id};
	const struct prior_owner *o =
	    bsearch(&key, m->owners, m->n_owners, sizeof(*m->owners), cmp_owner);
	const struct sb_idmap_entry *e;

	if (!o)
		return false;
	e = &m->opts->prior[o->prior];
	return e->kind == kind && strcmp(e->scim_id, scim_id) == 0;
}

/* Why a prior entry cannot be kept, or NULL. An id claimed twice can only
 * come from a damaged cache: the first claim stands. */
static const char *prior_refusal(const struct sb_idmap_entry *e, const struct sb_u32set *seen)
{
	if (!e->scim_id || !*e->scim_id)
		return "no SCIM id";
	if (e->kind != SB_ID_USER && e->kind != SB_ID_GROUP)
		return "unknown kind";
	if (sb_id_forbidden(e->id))
		return "a forbidden id";
	if (sb_u32set_has(seen, e->id))
		return "id already assigned to another entry";
	return NULL;
}

/* Earlier assignments are kept (and reserved) even for SCIM ids that are gone,
 * so an id is never handed to another account on this host. */
static int load_prior(struct mapper *m)
{
	const struct sb_map_opts *o = m->opts;
	struct sb_u32set seen = {0};
	size_t n = o ? o->n_prior : 0;
	int rc = -1;

	m->owners = calloc(n ? n : 1, sizeof(*m->owners));
	if (!m->owners)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct sb_idmap_entry *e = &o->prior[i];
		const char *why = prior_refusal(e, &seen);
		char a[80], *id;

		if (why) {
			sb_log(LOG_WARNING, "previous id assignment %u for %s dropped: %s", e->id,
			       mapper_printable(e->scim_id ? e->scim_id : "?", a, sizeof(a)), why);
			continue;
		}
		id = mapper_str(m, e->scim_id);
		if (!id || sb_u32set_add(&seen, e->id) < 0 || sb_idalloc_take(&m->ids, e->id) < 0 ||
		    sb_idindex_put(e->kind == SB_ID_GROUP ? &m->prior_group : &m->prior_user, id,
				   e->id) < 0 ||
		    mapper_add_idmap(m, id, e->id, e->kind) < 0)
			goto out;
		m->owners[m->n_owners++] = (struct prior_owner){.id = e->id, .prior = (uint32_t)i};
	}
	qsort(m->owners, m->n_owners, sizeof(*m->owners), cmp_owner);
	rc = 0;
out:
	sb_u32set_free(&seen);
	return rc;
}

/* Why the sticky id cannot be used this time, or NULL. It stays reserved
 * either way. */
static const char *sticky_refusal(const struct mapper *m, uint32_t id, uint32_t min, uint32_t max)
{
	if (id < min || id > max)
		return "outside the configured range";
	if (sb_u32set_has(&m->local.ids, id))
		return "now a local uid or gid";
	return NULL;
}

int mapper_sticky_or_hash(struct mapper *m, const char *scim_id, uint32_t kind, uint32_t min,
			  uint32_t max, uint32_t *id)
{
	struct sb_idindex *prior = kind == SB_ID_GROUP ? &m->prior_group : &m->prior_user;
	uint32_t old;

	if (sb_idindex_get(prior, scim_id, &old)) {
		const char *why = sticky_refusal(m, old, min, max);
		char a[80];

		if (!why) {
			*id = old;
			return 0;
		}
		sb_log(LOG_WARNING, "%s %s: previous id %u not reused (%s); assigning a new one",
		       kind == SB_ID_GROUP ? "group" : "user",
		       mapper_printable(scim_id, a, sizeof(a)), old, why);
	}
	m->ids.min = min;
	m->ids.max = max;
	*id = sb_idalloc_assign(&m->ids, scim_id);
	if (*id && mapper_add_idmap(m, scim_id, *id, kind) < 0)
		return -1;
	return 0;
}

int mapper_setup(struct mapper *m)
{
	const struct sb_map_opts *o = m->opts;
	const char *pw = o && o->passwd_file ? o->passwd_file : "/etc/passwd";
	const char *gr = o && o->group_file ? o->group_file : "/etc/group";
	const struct sb_config *c = m->cfg;

	if (c->uid_min > c->uid_max || c->gid_min > c->gid_max)
		return sb_err_set(m->err, SB_E_CONFIG,
				  "id ranges out of order: uid %u..%u, gid %u..%u", c->uid_min,
				  c->uid_max, c->gid_min, c->gid_max);
	if (!c->name_format || !c->home || !c->shell)
		return sb_err_set(m->err, SB_E_CONFIG, "name_format, home and shell must be set");
	if (sb_localdb_load(&m->local, pw, gr, m->err) < 0)
		return -1;
	m->shell = mapper_str(m, c->shell);
	if (!m->shell)
		return sb_err_set(m->err, SB_E_NOMEM, "out of memory");
	/* min/max are set per request (uid or gid range); the taken-set is shared. */
	sb_idalloc_init(&m->ids, c->uid_min, c->uid_max);
	for (size_t i = 0; i < m->local.ids.cap; i++)
		if (m->local.ids.slots[i] && sb_idalloc_take(&m->ids, m->local.ids.slots[i]) < 0)
			return sb_err_set(m->err, SB_E_NOMEM, "out of memory");
	if (load_prior(m) < 0)
		return sb_err_set(m->err, SB_E_NOMEM, "out of memory");
	return 0;
}

void mapper_teardown(struct mapper *m)
{
	sb_localdb_free(&m->local);
	sb_idalloc_free(&m->ids);
	sb_idindex_free(&m->prior_user);
	sb_idindex_free(&m->prior_group);
	free(m->owners);
	sb_strmap_free(&m->names);
	sb_idindex_free(&m->user_by_scim);
	free(m->ds_of_scim);
}
