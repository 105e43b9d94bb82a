/* tenant_ops.c — the two questions that go to the tenant on demand:
 *   a name the cache misses (a user created since the last sync): fetched by
 *     filter, merged into the kept data, the cache rewritten;
 *   a live account check for PAM: GET Users/{id}, so a user Okta has just
 *     deactivated is refused at the next login without waiting for a sync,
 *     and, when the caller names allowed_groups, the user's groups (one
 *     filtered GET, account_groups.c), so a removal from a group counts too.
 * While the tenant is offline (tenant_state.c) both answer UNAVAIL at once;
 * only root's own account checks (live_tier ROOT) mark it offline, never a
 * call an unprivileged or remote caller, or a user's su or sudo, caused.
 * A merge is refused until one full sync has succeeded: the kept data must
 * be the whole tenant, or a rewrite would drop everyone else from the cache.
 * Any local user can ask for any name, so a miss costs a cache write only
 * when the tenant's answer changes the kept data (merge_users), and a name
 * the mapping could never serve (upper case, reserved, not a POSIX name)
 * is answered without asking the tenant: otherwise every spelling of
 * "ALICE" would be a new tenant call and a rewrite of the whole cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_reader.h"
#include "daemon.h"
#include "log.h"
#include "names.h"
#include "proto.h"

/* The userName filters that can find login `name`, when name_format can be
 * inverted: %u is the userName itself (an address is not a POSIX name, so
 * `name` has no "@"); %l is the userName or its local part, so "name" or
 * "name@anything". Workspace ONE documents eq co sw gt ge lt le and no `or`:
 * two requests, eq and sw "name@", and the answers matched exactly
 * (keep_exact). Returns how many filters were built (0: none can be). */
static int filters_for(const struct sb_config *cfg, const char *name, char *out[2])
{
	char at[300];

	out[0] = out[1] = NULL;
	if (strcmp(cfg->name_format, "%u") != 0 && strcmp(cfg->name_format, "%l") != 0)
		return 0;
	out[0] = sb_scim_filter_eq("userName", name);
	if (!out[0] || strcmp(cfg->name_format, "%l") != 0)
		return out[0] ? 1 : 0;
	snprintf(at, sizeof(at), "%s@", name);
	out[1] = sb_scim_filter_op("userName", "sw", at);
	return out[1] ? 2 : 1;
}

/* Drops the users whose login is not `name` (sw "name@" may match more, a
 * server that ignores filters may send anyone): only the user asked for is
 * merged. */
static void keep_exact(const struct sb_config *cfg, const char *name, struct sb_scim_users *u)
{
	size_t k = 0;

	for (size_t i = 0; i < u->n; i++) {
		char *login = sb_format_login(cfg->name_format, u->v[i].user_name, u->v[i].domain);

		if (login && !strcmp(login, name))
			u->v[k++] = u->v[i];
		else
			sb_scim_user_free(&u->v[i]);
		free(login);
	}
	u->n = k;
}

/* Every user the filters find, or -1 with err set. */
static int fetch_named(struct sb_scim_client *client, char *const filters[2], int n,
		       struct sb_scim_users *found, struct sb_err *err)
{
	for (int i = 0; i < n; i++)
		if (sb_scim_list_users(client, filters[i], found, err) < 0)
			return -1;
	return 0;
}

bool cache_has_user(const struct sb_config *cfg, const char *name, char *scim_id, size_t id_size,
		    uint32_t *flags)
{
	struct sb_cache *c;
	struct sb_user_view u;
	bool found = false;

	if (sb_cache_open(cfg->cache_path, &c, NULL) < 0)
		return false;
	sb_cache_set_id_min(c, cfg->uid_min, cfg->gid_min);
	sb_cache_allow_primary_gid(c, sb_config_primary_gid(cfg, NULL));
	if (sb_cache_user_by_name(c, name, &u)) {
		found = true;
		if (scim_id)
			snprintf(scim_id, id_size, "%s", u.scim_id);
		if (flags)
			*flags = u.flags;
	}
	sb_cache_close(c);
	return found;
}

/* Folds a miss lookup's answer into the kept data; rewrites the cache only
 * if that changed something (or an earlier write failed). */
static uint16_t merge_found(struct daemon *d, struct sb_scim_users *found, const char *name)
{
	struct sb_err err = {0};
	uint16_t st = SB_RESP_NOTFOUND;
	int changed;

	pthread_mutex_lock(&d->data_lock);
	if (!d->have_data) {
		st = SB_RESP_UNAVAIL;
	} else if ((changed = merge_users(&d->users, found)) < 0) {
		sb_log(LOG_ERR, "lookup %s: out of memory merging the answer", name);
		st = SB_RESP_UNAVAIL;
	} else if ((changed > 0 || d->unwritten) && commit_locked(d, &err) < 0) {
		sb_log(LOG_ERR, "lookup %s: cannot update the cache: %s", name, err.msg);
		st = SB_RESP_UNAVAIL;
	}
	pthread_mutex_unlock(&d->data_lock);
	return st;
}

uint16_t op_lookup_user(struct daemon *d, uid_t caller, const char *name, char *msg,
			size_t msg_size)
{
	struct sb_scim_users found = {0};
	struct sb_scim_client *client;
	struct sb_err err = {0};
	char *filters[2], why[400];
	uint16_t st = SB_RESP_NOTFOUND;
	int slot, rc, nf;

	/* Login names are lower case (sb_format_login): with this check every
	 * name reaching the negative cache is already in its one spelling. */
	if (!sb_name_valid(name) || sb_name_reserved(name, &d->cfg.reserved_names))
		return SB_RESP_NOTFOUND;
	if (cache_has_user(&d->cfg, name, NULL, 0, NULL))
		return SB_RESP_FOUND;
	if (neg_cached(&d->limits, name, d->cfg.negative_ttl))
		return SB_RESP_NOTFOUND;
	if (!limit_allow(&d->limits, caller))
		return SB_RESP_BUSY;
	if (d->cfg.role == SB_ROLE_SUBSCRIBER) /* never the tenant */
		return relay_lookup(d, name);
	if (tenant_offline(d, msg, msg_size))
		return SB_RESP_UNAVAIL;
	nf = filters_for(&d->cfg, name, filters);
	if (nf == 0)
		return SB_RESP_NOTFOUND;
	client = live_acquire(d, &slot, &err);
	rc = client ? fetch_named(client, filters, nf, &found, &err) : -1;
	if (client)
		live_release(d, slot);
	free(filters[0]);
	free(filters[1]);
	keep_exact(&d->cfg, name, &found);
	if (rc == 0 && found.n == 0 && sync_filters_doubted(d, why, sizeof(why)))
		sb_log(LOG_WARNING,
		       "lookup %s: not found, but the tenant may not apply filters (%s): a user "
		       "created since the last full read appears at the next one",
		       name, why);
	if (rc < 0) {
		sb_scim_users_free(&found);
		/* Not tenant_failed: anyone may cause misses (sshd's remote names
		 * too) and choose ones that fail; offline would make root's checks
		 * decide from a cache that may call a deactivated user active. */
		snprintf(msg, msg_size, "%.200s", err.msg);
		sb_log(LOG_WARNING, "lookup %s: %s", name, err.msg);
		return SB_RESP_UNAVAIL;
	}
	if (found.n)
		st = merge_found(d, &found, name);
	sb_scim_users_free(&found);
	if (st == SB_RESP_NOTFOUND && cache_has_user(&d->cfg, name, NULL, 0, NULL)) {
		sb_log(LOG_INFO, "lookup %s: new tenant user added to the cache", name);
		return SB_RESP_FOUND;
	}
	if (st == SB_RESP_NOTFOUND)
		neg_add(&d->limits, name);
	return st;
}

/* Keeps memory and the cache in step with what the live check saw. */
static void remember(struct daemon *d, struct sb_scim_user *fresh, bool state_changed)
{
	struct sb_scim_users one = {.v = fresh, .n = 1, .cap = 1};
	struct sb_err err = {0};

	pthread_mutex_lock(&d->data_lock);
	if (d->have_data && merge_users(&d->users, &one) >= 0 && state_changed &&
	    commit_locked(d, &err) < 0)
		sb_log(LOG_ERR, "account check: cannot update the cache: %s", err.msg);
	pthread_mutex_unlock(&d->data_lock);
	if (one.n)
		sb_scim_user_free(fresh);
}

/* The decision and its reason in the log: refusals and failures at info or
 * above, allowed logins at debug (no line per login on a busy host). */
static uint16_t decided(const char *name, uint16_t st, const char *msg)
{
	const char *what = st == SB_RESP_ACCT_OK	? "allowed"
			   : st == SB_RESP_UNAVAIL	? "cannot decide"
			   : st == SB_RESP_ACCT_UNKNOWN ? "not ours"
							: "refused";

	sb_log(st == SB_RESP_ACCT_OK   ? LOG_DEBUG
	       : st == SB_RESP_UNAVAIL ? LOG_WARNING
				       : LOG_INFO,
	       "account check %s: %s: %s", name, what, msg);
	return st;
}

static void list_groups(const struct sb_strlist *groups, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < groups->n && n < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? ", " : "", groups->v[i]);
}

/* The user (GET Users/{id}) and, when groups are given, the groups they
 * are in (one filtered GET), on one live client. gr: 1 in, 0 not, -1 error. */
static int ask_tenant(struct daemon *d, const char *scim_id, const struct sb_strlist *groups,
		      struct sb_scim_user *u, int *gr, char *which, size_t which_size,
		      struct sb_err *err)
{
	struct sb_scim_client *client;
	int slot, rc;

	*gr = 1;
	client = live_acquire(d, &slot, err);
	if (!client)
		return -1;
	/* a login queued for a connection while another found the tenant down */
	if (tenant_offline(d, err->msg, sizeof(err->msg))) {
		live_release(d, slot);
		err->kind = SB_E_NETWORK;
		return -1;
	}
	rc = sb_scim_get_user(client, scim_id, u, err);
	if (rc == 0 && groups && groups->n && sb_scim_user_login_allowed(u))
		*gr = live_in_groups(d, client, scim_id, groups, which, which_size, err);
	live_release(d, slot);
	return rc;
}

uint16_t op_account(struct daemon *d, const char *name, const struct sb_strlist *groups, char *msg,
		    size_t msg_size)
{
	struct sb_scim_user u = {0};
	struct sb_err err = {0};
	char scim_id[256], which[256] = "";
	uint32_t flags = 0;
	const char *refusal;
	bool allowed;
	int rc, gr;

	if (d->cfg.role == SB_ROLE_SUBSCRIBER) /* from the relay's cache */
		return relay_account(d, name, groups, msg, msg_size);
	if (!cache_has_user(&d->cfg, name, scim_id, sizeof(scim_id), &flags) &&
	    !(op_lookup_user(d, 0, name, msg, msg_size) == SB_RESP_FOUND &&
	      cache_has_user(&d->cfg, name, scim_id, sizeof(scim_id), &flags))) {
		snprintf(msg, msg_size, "not a directory user");
		return decided(name, SB_RESP_ACCT_UNKNOWN, msg);
	}
	if (tenant_offline(d, msg, msg_size))
		return decided(name, SB_RESP_UNAVAIL, msg);
	rc = ask_tenant(d, scim_id, groups, &u, &gr, which, sizeof(which), &err);
	if (rc == 0 && gr < 0 && !tenant_unreachable(&err)) {
		sb_log(LOG_WARNING, "account check %s: groups from the cache: %s", name, err.msg);
		gr = cached_in_groups(d, name, groups, which, sizeof(which));
	}
	if (rc < 0 && err.kind == SB_E_NOTFOUND) {
		snprintf(msg, msg_size, "deleted");
		return decided(name, SB_RESP_ACCT_EXPIRED, msg);
	}
	if (rc < 0 || gr < 0) {
		if (live_tier == LIVE_TIER_ROOT) /* root's own: see op_lookup_user */
			tenant_failed(d, "account check", &err);
		snprintf(msg, msg_size, "%.200s", err.msg);
		if (rc == 0)
			sb_scim_user_free(&u);
		return decided(name, SB_RESP_UNAVAIL, msg);
	}
	refusal = sb_scim_user_refusal(&u);
	allowed = !refusal;
	snprintf(msg, msg_size, "%s", refusal ? refusal : "active");
	remember(d, &u, allowed != !!(flags & SB_USER_ACTIVE)); /* u is gone */
	if (!allowed)
		return decided(name, SB_RESP_ACCT_EXPIRED, msg);
	if (!gr) {
		list_groups(groups, which, sizeof(which));
		snprintf(msg, msg_size, "not in allowed_groups (%.200s)", which);
		return decided(name, SB_RESP_ACCT_DENIED, msg);
	}
	if (*which)
		snprintf(msg, msg_size, "active, in allowed group %.200s", which);
	return decided(name, SB_RESP_ACCT_OK, msg);
}
