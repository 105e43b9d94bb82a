/* pam_decide.c — pam_scim's account decision:
 *   a local account (in /etc/passwd) is not ours: PAM_USER_UNKNOWN, always,
 *     so a broken cache can never lock root out;
 *   not in the cache: ask the daemon (a user created since the last sync),
 *     else PAM_USER_UNKNOWN;
 *   live_check: the daemon asks the tenant now (ACCT_OK / EXPIRED / DENIED);
 *   tenant unreachable (the daemon says so, at once while it is offline):
 *     the cached state if the cache is younger than offline_grace, else
 *     PAM_AUTHINFO_UNAVAIL;
 *   daemon not running, not answering, or refusing the caller (BUSY: su
 *     or sudo run by a user over their limits): daemon_down = deny refuses
 *     (PAM_AUTHINFO_UNAVAIL), daemon_down = cache decides as offline. */
#include "pam_decide.h"

#include <security/pam_modules.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cache_reader.h"
#include "daemon_ask.h"
#include "localdb.h"
#include "proto.h"
#include "serve.h"

static void set(struct pam_decision *d, int code, bool tell, const char *fmt, const char *a)
{
	d->pam_code = code;
	d->tell_user = tell;
	snprintf(d->reason, sizeof(d->reason), fmt, a);
}

static bool is_local(const char *user)
{
	struct sb_localdb db;
	bool local;

	if (sb_localdb_load(&db, "/etc/passwd", "/nonexistent", NULL) < 0)
		return false;
	local = sb_strmap_get(&db.names, user, NULL);
	sb_localdb_free(&db);
	return local;
}

const char *pam_scim_config_path(const char *arg)
{
	return arg ? arg : sb_config_module_path();
}

bool pam_scim_is_local(const char *user)
{
	return !strcmp(user, "root") || is_local(user);
}

static bool in_allowed_groups(const struct sb_config *cfg, const struct sb_cache *c,
			      const struct sb_user_view *u)
{
	struct sb_group_view g;

	if (cfg->allowed_groups.n == 0)
		return true;
	for (size_t i = 0; i < cfg->allowed_groups.n; i++) {
		const char *want = cfg->allowed_groups.v[i];

		if (sb_cache_group_by_gid(c, u->gid, &g) && strcmp(g.name, want) == 0)
			return true;
		for (uint32_t k = 0; k < u->n_gids; k++)
			if (sb_cache_group_by_gid(c, u->gids[k], &g) && strcmp(g.name, want) == 0)
				return true;
	}
	return false;
}

/* The decision from the cache alone. offline says why the daemon or the
 * tenant could not answer (NULL: live_check = no): offline_grace applies then. */
static void decide_cached(const struct sb_config *cfg, const struct sb_cache *c,
			  const struct sb_user_view *u, const char *offline, struct pam_decision *d)
{
	struct sb_cache_info info;
	time_t age;

	sb_cache_get_info(c, &info);
	age = time(NULL) - (time_t)info.sync_time;
	if (offline && age > (time_t)cfg->offline_grace) {
		snprintf(d->reason, sizeof(d->reason),
			 "%.120s and the cache is %lds old (offline_grace %us)", offline, (long)age,
			 cfg->offline_grace);
		d->pam_code = PAM_AUTHINFO_UNAVAIL;
		return;
	}
	if (!(u->flags & SB_USER_ACTIVE))
		set(d, PAM_ACCT_EXPIRED, true, "%s", "Your account has been deactivated.");
	else if (!in_allowed_groups(cfg, c, u))
		set(d, PAM_PERM_DENIED, false, "%s", "not a member of any allowed_groups (cached)");
	else if (!offline)
		set(d, PAM_SUCCESS, false, "%s", "active (cached)");
	else
		set(d, PAM_SUCCESS, false, "active (cached: %.200s)", offline);
}

static int live_code(uint16_t status)
{
	switch (status) {
	case SB_RESP_ACCT_OK:
		return PAM_SUCCESS;
	case SB_RESP_ACCT_EXPIRED:
		return PAM_ACCT_EXPIRED;
	case SB_RESP_ACCT_DENIED:
		return PAM_PERM_DENIED;
	case SB_RESP_ACCT_UNKNOWN:
		return PAM_USER_UNKNOWN;
	default:
		return -1;
	}
}

/* The request: the name, then our allowed_groups one per line, so the
 * daemon checks membership live against this service's own list. false if
 * it does not fit, or the name holds a newline (SB_REQ_ACCOUNT then, and the
 * groups are checked from the cache). */
static bool account_key(const struct sb_config *cfg, const char *user, char *key, size_t size)
{
	size_t n;

	if (strchr(user, '\n'))
		return false; /* never a directory name; must not add a group */
	n = (size_t)snprintf(key, size, "%s", user);

	for (size_t i = 0; i < cfg->allowed_groups.n && n < size; i++)
		n += (size_t)snprintf(key + n, size - n, "\n%s", cfg->allowed_groups.v[i]);
	return n < size;
}

/* The daemon did not answer (not running, no answer in time) or refused
 * to (why says which). Not an unreachable tenant: daemon_down says what to
 * do. */
static void daemon_down(const struct sb_config *cfg, const struct sb_cache *c,
			const struct sb_user_view *u, const char *why, struct pam_decision *d)
{
	if (cfg->daemon_down == SB_DOWN_CACHE) {
		decide_cached(cfg, c, u, why, d);
		return;
	}
	snprintf(d->reason, sizeof(d->reason), "%.200s; daemon_down = deny", why);
	d->pam_code = PAM_AUTHINFO_UNAVAIL;
}

static void decide_live(const struct sb_config *cfg, const struct sb_cache *c,
			const struct sb_user_view *u, const char *user, struct pam_decision *d)
{
	struct sb_err err = {0};
	char msg[200] = "", key[SB_PROTO_MAX_KEY + 1], why[240];
	bool groups_live = account_key(cfg, user, key, sizeof(key));
	/* The daemon may wait up to timeout for a free connection, then make
	 * two requests of up to timeout each (the user, its groups). */
	const struct sb_proto_req req = {.socket_path = cfg->socket_path,
					 .type =
					     groups_live ? SB_REQ_ACCOUNT_GROUPS : SB_REQ_ACCOUNT,
					 .key = groups_live ? key : user,
					 .key_len = strlen(groups_live ? key : user),
					 .timeout_ms = (int)cfg->timeout * 3000 + 1000};
	struct sb_proto_reply reply = {
	    .status = SB_RESP_UNAVAIL, .msg = msg, .msg_size = sizeof(msg)};
	uint16_t status;
	int code;

	/* Trust boundary: the daemon's answer, believed only from root or our
	 * own uid (proto.c checks SO_PEERCRED); its message goes to the log
	 * and, for an expired account, to the user. */
	if (sb_proto_call(&req, &reply, &err) < 0) {
		snprintf(why, sizeof(why), "%s (%.150s)",
			 sb_proto_no_daemon(&err) ? "daemon not running" : "daemon not answering",
			 err.msg);
		daemon_down(cfg, c, u, why, d);
		return;
	}
	status = reply.status;
	/* BUSY: the daemon's limits refused this caller — su or sudo run by a
	 * user who spent their own rate or connections, perhaps on purpose, the
	 * user being the one checked. Never the cache by default. */
	if (status == SB_RESP_BUSY) {
		snprintf(why, sizeof(why), "daemon busy (%.150s)", *msg ? msg : "rate limit");
		daemon_down(cfg, c, u, why, d);
		return;
	}
	if ((code = live_code(status)) < 0) {
		snprintf(why, sizeof(why), "%s%.200s",
			 status == SB_RESP_UNAVAIL ? "directory unreachable: " : "no live answer: ",
			 *msg ? msg : "daemon cannot decide");
		decide_cached(cfg, c, u, why, d);
		return;
	}
	if (code == PAM_SUCCESS && !groups_live && !in_allowed_groups(cfg, c, u)) {
		set(d, PAM_PERM_DENIED, false, "%s",
		    "active, but not a member of any allowed_groups (cached)");
		return;
	}
	d->pam_code = code;
	d->tell_user = code == PAM_ACCT_EXPIRED;
	if (code == PAM_ACCT_EXPIRED)
		snprintf(d->reason, sizeof(d->reason), "Your account has been %s.",
			 *msg ? msg : "deactivated");
	else
		snprintf(d->reason, sizeof(d->reason), "%s (live)",
			 *msg ? msg : "directory says so");
}

/* 1: found; 0: not a directory user; -1: neither a cache nor a daemon. */
static int lookup(const struct sb_config *cfg, const char *user, struct sb_cache **c,
		  struct sb_user_view *u)
{
	/* Perhaps created in the tenant since the last sync: the daemon fetches
	 * it and rewrites the cache. */
	const struct sb_daemon_ask a = {.socket_path = cfg->socket_path,
					.type = SB_REQ_USER_BY_NAME,
					.key = user,
					.timeout_ms = (int)cfg->timeout * 1000 + 500,
					.want = SB_RESP_FOUND};

	if (sb_cache_open_cfg(cfg, c, NULL) == 0 && sb_cache_user_by_name(*c, user, u))
		return 1;
	switch (sb_daemon_ask_remap(cfg, &a, c)) {
	case SB_REMAP_AGAIN:
		return sb_cache_user_by_name(*c, user, u);
	case SB_REMAP_STALE:
		return 0;
	default:
		return *c ? 0 : -1;
	}
}

void pam_scim_decide(const struct sb_config *cfg, const char *user, bool debug,
		     struct pam_decision *d)
{
	struct sb_cache *c = NULL;
	struct sb_user_view u;
	int found;

	(void)debug;
	memset(d, 0, sizeof(*d));
	if (pam_scim_is_local(user)) {
		set(d, PAM_USER_UNKNOWN, false, "%s", "a local account, not a directory user");
		return;
	}
	found = lookup(cfg, user, &c, &u);
	if (found < 0)
		set(d, PAM_AUTHINFO_UNAVAIL, false, "no cache at %s and no daemon",
		    cfg->cache_path);
	else if (!found || !sb_user_servable(&u))
		set(d, PAM_USER_UNKNOWN, false, "%s", "not a directory user");
	else if (cfg->live_check)
		decide_live(cfg, c, &u, user, d);
	else
		decide_cached(cfg, c, &u, NULL, d);
	sb_cache_close(c);
}
