/* tenant_state.c — offline mode, as SSSD's: after root's live check or a
 * sync fails to reach the tenant (network error, timeout, 5xx, 429), the tenant
 * is marked offline and every live question is answered UNAVAIL at once, so
 * pam_scim decides from the cache without paying `timeout` on each login.
 * A probe thread asks the tenant for one small page every PROBE_S seconds
 * (bounded by `timeout`, on a live client); its success, or any successful
 * sync, puts the tenant back online and live checks resume. Transitions
 * are logged and written to the status file, one at a time (transition
 * lock): a status write waits for data_lock, which a cache write may hold
 * for seconds, so without it "offline" could land after a later "back
 * online" and the status file would say offline for as long as the tenant
 * stays up. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "sync.h"

#define PROBE_S 5

/* transition_lock is held across a transition and its status write; taken
 * before state_lock, never while data_lock or state_lock is held. */
void tenant_state_init(struct daemon *d)
{
	pthread_mutex_init(&d->state_lock, NULL);
	pthread_mutex_init(&d->transition_lock, NULL);
	pthread_cond_init(&d->probe_cond, NULL);
}

void tenant_state_wake(struct daemon *d)
{
	pthread_mutex_lock(&d->state_lock);
	pthread_cond_broadcast(&d->probe_cond);
	pthread_mutex_unlock(&d->state_lock);
}

/* One second, or less if the daemon stops (tenant_state_wake). */
static void nap(struct daemon *d)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	pthread_mutex_lock(&d->state_lock);
	while (!d->stopping)
		if (pthread_cond_timedwait(&d->probe_cond, &d->state_lock, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&d->state_lock);
}

bool tenant_unreachable(const struct sb_err *err)
{
	return err->kind == SB_E_NETWORK ||
	       (err->kind == SB_E_HTTP && (err->http_status >= 500 || err->http_status == 429));
}

bool tenant_offline(struct daemon *d, char *msg, size_t msg_size)
{
	bool off;

	pthread_mutex_lock(&d->state_lock);
	off = d->offline;
	if (off && msg)
		snprintf(msg, msg_size, "tenant offline for %lld s (%.200s)",
			 (long long)(time(NULL) - d->offline_since), d->offline_why);
	pthread_mutex_unlock(&d->state_lock);
	return off;
}

void tenant_failed(struct daemon *d, const char *what, const struct sb_err *err)
{
	char why[sizeof(d->offline_why)];
	bool was;

	if (!tenant_unreachable(err) || tenant_offline(d, NULL, 0))
		return; /* no transition: no wait for one being written */
	snprintf(why, sizeof(why), "%s: %.200s", what, err->msg);
	pthread_mutex_lock(&d->transition_lock);
	pthread_mutex_lock(&d->state_lock);
	was = d->offline;
	if (!was) {
		d->offline = true;
		d->offline_since = time(NULL);
		/* status shows it on an admin's terminal; it may quote the tenant */
		sb_text_escape(why, d->offline_why, sizeof(d->offline_why));
	}
	pthread_mutex_unlock(&d->state_lock);
	if (!was) {
		sb_log(LOG_WARNING,
		       "tenant offline: %s; deciding from the cache until a probe (every %d s) "
		       "reaches it",
		       why, PROBE_S);
		status_record(d, 0, false, why);
	}
	pthread_mutex_unlock(&d->transition_lock);
}

void tenant_reached(struct daemon *d, const char *what)
{
	long long secs;
	char msg[160];
	bool was;

	if (!tenant_offline(d, NULL, 0))
		return;
	pthread_mutex_lock(&d->transition_lock);
	pthread_mutex_lock(&d->state_lock);
	was = d->offline;
	d->offline = false;
	secs = (long long)(time(NULL) - d->offline_since);
	pthread_mutex_unlock(&d->state_lock);
	if (was) {
		snprintf(msg, sizeof(msg), "tenant back online (%s) after %lld s offline", what,
			 secs);
		sb_log(LOG_NOTICE, "%s; live checks resume", msg);
		status_record(d, 1, false, msg);
	}
	pthread_mutex_unlock(&d->transition_lock);
}

/* One small GET: the first page of one user. */
static int probe(struct daemon *d, struct sb_err *err)
{
	struct sb_scim_users one = {0};
	struct sb_scim_client *c;
	long total = 0;
	int slot, rc;

	c = live_acquire(d, &slot, err);
	if (!c)
		return -1;
	rc = sb_scim_probe(c, "Users", 1, &one, &total, err);
	live_release(d, slot);
	sb_scim_users_free(&one);
	return rc;
}

/* Offline: a probe every PROBE_S seconds. Online: nothing (1 s ticks, so
 * a new offline spell waits a whole PROBE_S before its first probe). */
void *probe_thread(void *arg)
{
	struct daemon *d = arg;
	unsigned waited = 0;

	/* the probe ends root's offline spell: others' lookups must not hold
	 * every client it could use */
	live_tier = LIVE_TIER_ROOT;
	while (!d->stopping) {
		struct sb_err err = {0};

		nap(d);
		if (d->stopping)
			break;
		if (!tenant_offline(d, NULL, 0)) {
			waited = 0;
			continue;
		}
		if (++waited < PROBE_S)
			continue;
		waited = 0;
		if (probe(d, &err) == 0)
			tenant_reached(d, "probe");
		else
			sb_log(LOG_DEBUG, "probe: tenant still unreachable: %s", err.msg);
	}
	return NULL;
}
