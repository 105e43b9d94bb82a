/* live_pool.c — the HTTP clients for live tenant calls (account checks and
 * miss lookups). Each call is one attempt bounded by `timeout`, but one
 * shared client would still queue concurrent logins behind a slow tenant
 * until PAM gives up and falls back to the cached state; so up to
 * LIVE_CLIENTS calls run at once, each on its own client (own connection
 * and token). Slot 0 is made at start so that config and secret errors show
 * then; the others when first needed. A caller finding every slot busy
 * waits at most `timeout` for one. The clients are tiered (daemon.h): a
 * caller may take only the clients of its tier and those below, so misses,
 * which any user can cause by the dozen, and the su or sudo checks a user
 * can run by the dozen, never hold a client root's own checks (sshd,
 * login) need while PAM waits. Each caller takes the lowest free client it
 * may, leaving the higher ones to those only they can serve. */
#include <errno.h>
#include <time.h>

#include "daemon.h"

_Thread_local enum live_tier live_tier;

enum live_tier live_tier_for(uid_t real)
{
	return uid_privileged(real) ? LIVE_TIER_ROOT : LIVE_TIER_SETUID;
}

/* How many of the clients (from slot 0) the tier may take. */
static int tier_limit(enum live_tier t)
{
	switch (t) {
	case LIVE_TIER_ROOT:
		return LIVE_CLIENTS;
	case LIVE_TIER_SETUID:
		return LIVE_SHARED + LIVE_SETUID;
	default:
		return LIVE_SHARED;
	}
}

/* Live checks answer a login: one attempt, then PAM's cached fallback. */
static int live_new(struct daemon *d, int slot, struct sb_err *err)
{
	struct sb_client_opts opts = {.secret_owner = -1, .max_retries = -1};

	return sb_scim_client_new(&d->cfg, &opts, &d->live[slot], err);
}

int live_pool_init(struct daemon *d, struct sb_err *err)
{
	pthread_mutex_init(&d->live_lock, NULL);
	pthread_cond_init(&d->live_cond, NULL);
	return live_new(d, 0, err);
}

void live_release(struct daemon *d, int slot)
{
	pthread_mutex_lock(&d->live_lock);
	d->live_busy[slot] = false;
	/* every waiter: the one woken must be one the freed client may serve */
	pthread_cond_broadcast(&d->live_cond);
	pthread_mutex_unlock(&d->live_lock);
}

/* A free slot, marked busy, or -1 when none came free before `until`. */
static int take_slot(struct daemon *d, const struct timespec *until)
{
	int slot = -1, limit = tier_limit(live_tier);

	pthread_mutex_lock(&d->live_lock);
	for (;;) {
		for (int i = 0; i < limit && slot < 0; i++)
			if (!d->live_busy[i])
				slot = i;
		if (slot >= 0 ||
		    pthread_cond_timedwait(&d->live_cond, &d->live_lock, until) == ETIMEDOUT)
			break;
	}
	if (slot >= 0)
		d->live_busy[slot] = true;
	pthread_mutex_unlock(&d->live_lock);
	return slot;
}

struct sb_scim_client *live_acquire(struct daemon *d, int *slot, struct sb_err *err)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += d->cfg.timeout;
	*slot = take_slot(d, &until);
	if (*slot < 0) {
		/* SB_E_BUSY, not NETWORK: a full pool (perhaps held by anyone's miss
		 * lookups) says nothing of the tenant and must not put it offline,
		 * which would make every later root check decide from the cache */
		sb_err_set(err, SB_E_BUSY, "all %d live tenant connections busy for %u s",
			   tier_limit(live_tier), d->cfg.timeout);
		return NULL;
	}
	/* the slot is ours alone: its client is made without the lock */
	if (!d->live[*slot] && live_new(d, *slot, err) < 0) {
		live_release(d, *slot);
		return NULL;
	}
	return d->live[*slot];
}
