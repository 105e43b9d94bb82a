/* map_user.c — SCIM users → POSIX users: domain filter, login names, uids
 * (attribute, sticky, hashed — in that order of passes so the result does not
 * depend on the order the tenant listed users), GECOS, home, shell, keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "map_internal.h"
#include "names.h"

struct cand {
	const struct sb_scim_user *su;
	char *login;	     /* malloc'd while names are judged */
	const char *scim_id; /* the dataset's copy, once the login is accepted */
	uint32_t uid;
};

const char *sb_map_user_domain(const struct sb_scim_user *u)
{
	const char *at = u->user_name ? strchr(u->user_name, '@') : NULL;

	if (u->domain)
		return u->domain;
	return at ? at + 1 : NULL;
}

bool sb_map_user_in_domain(const struct sb_scim_user *u, const char *domain)
{
	const char *d = sb_map_user_domain(u);

	/* A user with no domain at all (SCIM 2.0 has no workspace extension
	 * and userName need not be an address) is not filtered out. */
	return !domain || !d || sb_ascii_iequal(d, domain);
}

/* By SCIM id; the userName breaks a tie (a duplicated id) so the outcome
 * does not depend on the order the tenant listed them in. */
static int cmp_cand(const void *a, const void *b)
{
	const struct sb_scim_user *x = ((const struct cand *)a)->su;
	const struct sb_scim_user *y = ((const struct cand *)b)->su;
	int r = strcmp(x->id, y->id);

	return r ? r : strcmp(x->user_name, y->user_name);
}

/* Why a login may not be served, or NULL if it may. */
static const char *login_refusal(struct mapper *m, const char *login)
{
	if (!login)
		return "name_format cannot be expanded";
	if (!sb_name_valid(login))
		return "not a portable POSIX name";
	if (sb_name_reserved(login, &m->cfg->reserved_names))
		return "reserved system name";
	if (sb_strmap_get(&m->local.names, login, NULL))
		return "collides with a local account or group";
	if (sb_strmap_get(&m->names, login, NULL))
		return "same login as another tenant user";
	return NULL;
}

/* Why an attribute uid cannot be used, or NULL. An id the previous cache
 * gave to another SCIM id stays theirs even if the HR system has handed the
 * same number to someone new: files on disk still carry it. */
static const char *attr_refusal(const struct mapper *m, const struct cand *c, uint32_t id)
{
	if (id < m->cfg->uid_min || id > m->cfg->uid_max)
		return "outside uid_min..uid_max";
	if (sb_id_forbidden(id))
		return "a forbidden id";
	if (sb_u32set_has(&m->local.ids, id))
		return "a local uid or gid";
	if (sb_idalloc_taken(&m->ids, id) && !mapper_prior_is(m, id, c->scim_id, SB_ID_USER))
		return "already in use";
	return NULL;
}

/* Pass A: a usable uid attribute value wins (and is recorded, so it is
 * never handed to another SCIM id later). */
static int uid_from_attribute(struct mapper *m, struct cand *c)
{
	const char *v = c->su->uid_value;
	uint32_t id = 0;
	const char *why;
	char pid[48], pv[48];

	if (!m->cfg->uid_attribute || !v)
		return 0;
	why = sb_id_parse(v, &id) ? attr_refusal(m, c, id) : "not a positive decimal number";
	if (why) {
		sb_log(LOG_WARNING, "user %s (%s): %s value '%s' is %s; using a hashed uid",
		       mapper_printable(c->scim_id, pid, sizeof(pid)), c->login,
		       m->cfg->uid_attribute, mapper_printable(v, pv, sizeof(pv)), why);
		return 0;
	}
	if (sb_idalloc_take(&m->ids, id) < 0)
		return -1;
	c->uid = id;
	if (mapper_prior_is(m, id, c->scim_id, SB_ID_USER))
		return 0;
	return mapper_add_idmap(m, c->scim_id, id, SB_ID_USER);
}

/* Pass B: sticky, then hashed. */
static int uid_assign(struct mapper *m, struct cand *c)
{
	return mapper_sticky_or_hash(m, c->scim_id, SB_ID_USER, m->cfg->uid_min, m->cfg->uid_max,
				     &c->uid);
}

static char *gecos_of(const struct sb_scim_user *u)
{
	char buf[512];

	if (u->display_name && *u->display_name)
		return sb_gecos_clean(u->display_name);
	if (u->name_formatted && *u->name_formatted)
		return sb_gecos_clean(u->name_formatted);
	snprintf(buf, sizeof(buf), "%s%s%s", u->given_name ? u->given_name : "",
		 u->given_name && u->family_name ? " " : "", u->family_name ? u->family_name : "");
	return sb_gecos_clean(buf);
}

static int copy_keys(struct mapper *m, struct sb_user *u, const struct sb_scim_user *su)
{
	if (!su->n_ssh_keys)
		return 0;
	u->ssh_keys = sb_arena_calloc(&m->out->arena, su->n_ssh_keys, sizeof(char *));
	if (!u->ssh_keys)
		return -1;
	for (size_t i = 0; i < su->n_ssh_keys; i++) {
		u->ssh_keys[i] = mapper_str(m, su->ssh_keys[i]);
		if (!u->ssh_keys[i])
			return -1;
		u->n_ssh_keys++;
	}
	return 0;
}

static int emit_user(struct mapper *m, struct cand *c)
{
	struct sb_dataset *ds = m->out;
	const struct sb_scim_user *su = c->su;
	struct sb_user *u;

	if (mapper_grow((void **)&ds->users, &m->cap_users, ds->n_users + 1, sizeof(*u)))
		return -1;
	u = &ds->users[ds->n_users++];
	u->name = mapper_str(m, c->login);
	u->home =
	    mapper_keep(m, sb_format_home(m->cfg->home, c->login, sb_map_user_domain(su), c->uid));
	u->uid = u->gid = c->uid;
	u->gecos = mapper_keep(m, gecos_of(su));
	u->shell = (char *)m->shell;
	u->scim_id = (char *)c->scim_id;
	u->flags = sb_scim_user_login_allowed(su) ? SB_USER_ACTIVE : 0;
	if (!u->name || !u->home || !u->gecos || copy_keys(m, u, su) < 0)
		return -1;
	if (sb_idindex_put(&m->user_by_scim, u->scim_id, (uint32_t)(ds->n_users - 1)) < 0)
		return -1;
	m->rep->users_mapped++;
	if (!(u->flags & SB_USER_ACTIVE))
		m->rep->users_inactive++;
	return 0;
}

/* In-domain users with an id, sorted by SCIM id, duplicates dropped. */
static struct cand *candidates(struct mapper *m, const struct sb_scim_users *users, size_t *n)
{
	struct cand *c = calloc(users->n ? users->n : 1, sizeof(*c));
	size_t k = 0;

	if (!c)
		return NULL;
	for (size_t i = 0; i < users->n; i++) {
		const struct sb_scim_user *su = &users->v[i];

		if (!su->id || !*su->id || !su->user_name) {
			mapper_skip(m, "user", su->id, su->user_name, "no SCIM id or userName");
			m->rep->users_skipped++;
			continue;
		}
		if (!sb_map_user_in_domain(su, m->cfg->domain)) {
			m->rep->users_other_domain++;
			continue;
		}
		c[k++].su = su;
	}
	qsort(c, k, sizeof(*c), cmp_cand);
	*n = k;
	return c;
}

/* Checked before any id is given, so a user we cannot serve takes none; the
 * uid only adds digits, which cannot make a path invalid. */
static bool home_usable(const struct mapper *m, const struct cand *c)
{
	char *home = sb_format_home(m->cfg->home, c->login, sb_map_user_domain(c->su), 0);

	free(home);
	return home != NULL;
}

static int name_users(struct mapper *m, struct cand *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *why;

		if (i > 0 && strcmp(c[i].su->id, c[i - 1].su->id) == 0) {
			mapper_skip(m, "user", c[i].su->id, c[i].su->user_name,
				    "duplicate SCIM id");
			m->rep->users_skipped++;
			continue;
		}
		c[i].login = sb_format_login(m->cfg->name_format, c[i].su->user_name,
					     sb_map_user_domain(c[i].su));
		why = login_refusal(m, c[i].login);
		if (!why && !home_usable(m, &c[i]))
			why = "home template gives an invalid path";
		if (why) {
			mapper_skip(m, "user", c[i].su->id,
				    c[i].login ? c[i].login : c[i].su->user_name, why);
			m->rep->users_skipped++;
			free(c[i].login);
			c[i].login = NULL;
			continue;
		}
		c[i].scim_id = mapper_str(m, c[i].su->id);
		if (!c[i].scim_id || sb_strmap_put(&m->names, c[i].login, 1) < 0)
			return -1;
	}
	return 0;
}

/* For every SCIM user, the dataset user its id became — through the id, so
 * a duplicated id resolves as it would by name. */
static int index_scim_positions(struct mapper *m, const struct sb_scim_users *users)
{
	m->ds_of_scim = malloc((users->n + 1) * sizeof(*m->ds_of_scim));
	if (!m->ds_of_scim)
		return -1;
	m->n_scim_users = users->n;
	for (size_t i = 0; i < users->n; i++)
		if (!users->v[i].id ||
		    !sb_idindex_get(&m->user_by_scim, users->v[i].id, &m->ds_of_scim[i]))
			m->ds_of_scim[i] = UINT32_MAX;
	return 0;
}

int map_users(struct mapper *m, const struct sb_scim_users *users)
{
	size_t n = 0;
	struct cand *c = candidates(m, users, &n);
	int rc = -1;

	m->rep->users_in = users->n;
	if (!c)
		return sb_err_set(m->err, SB_E_NOMEM, "out of memory mapping users");
	if (sb_idindex_reserve(&m->user_by_scim, n) < 0 ||
	    mapper_grow((void **)&m->out->users, &m->cap_users, n, sizeof(*m->out->users)) < 0 ||
	    name_users(m, c, n) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (c[i].login && uid_from_attribute(m, &c[i]) < 0)
			goto out;
	for (size_t i = 0; i < n; i++)
		if (c[i].login && !c[i].uid && uid_assign(m, &c[i]) < 0)
			goto out;
	for (size_t i = 0; i < n; i++) {
		if (!c[i].login)
			continue;
		if (!c[i].uid) {
			mapper_skip(m, "user", c[i].su->id, c[i].login, "uid range is full");
			m->rep->users_skipped++;
			continue;
		}
		if (emit_user(m, &c[i]) < 0)
			goto out;
	}
	if (index_scim_positions(m, users) < 0)
		goto out;
	rc = 0;
out:
	/* names points at the candidates' logins, freed below: the map is
	 * rebuilt on the dataset's copies for the groups. */
	sb_strmap_free(&m->names);
	for (size_t i = 0; i < m->out->n_users; i++)
		if (sb_strmap_put(&m->names, m->out->users[i].name, 1) < 0)
			rc = -1;
	for (size_t i = 0; i < n; i++)
		free(c[i].login);
	free(c);
	if (rc < 0 && m->err && m->err->kind == SB_E_NONE)
		sb_err_set(m->err, SB_E_NOMEM, "out of memory mapping users");
	return rc;
}
