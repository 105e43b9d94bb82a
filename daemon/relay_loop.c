/* relay_loop.c — scimbridged with role = subscriber (DESIGN.md "Fleet"):
 * no tenant client at all. The relay thread checks relay_url's release
 * (relay/subscribe.c: conditional GET, verify, install) every
 * relay_poll_interval ±10%, and once more before a PAM account decision, so
 * a deactivation the publisher has published refuses the next login. The
 * login's check is shared: logins that come while a check is in flight wait
 * for that one, and a check that ended less than CHECK_REUSE_MS ago is
 * reused, so a login storm costs the relay at most one request a second.
 * A login waits at most `timeout` for its check; a relay that does not
 * answer in time, answers with anything that does not verify, or serves a
 * release past valid_until is an unreachable directory: the installed
 * cache decides while the last verified release is younger than
 * offline_grace, else the answer is UNAVAIL (pam_scim: the same grace over
 * the cache's age, which is older, so PAM_AUTHINFO_UNAVAIL). Miss lookups
 * read the cache after a (shared) check; nothing here reaches the tenant. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_reader.h"
#include "daemon.h"
#include "log.h"
#include "proto.h"
#include "subscribe.h"

#define CHECK_REUSE_MS 1000

/* What one decision sees. */
struct verdict {
	bool fresh; /* a verified, unexpired release, checked for this login */
	uint64_t generation;
	time_t verified;
	char why[460];
};

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static struct timespec mono_in(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	return t;
}

void relay_checks_init(struct relay_checks *r)
{
	pthread_condattr_t ca;

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
}

int relay_init(struct daemon *d)
{
	struct relay_checks *r = &d->relay;
	struct sb_relay_state st;

	/* What the last run of the daemon (or `scimbridge sync`) verified:
	 * offline_grace counts from there if the relay is down at start. After
	 * a failed check the file keeps no time of the last good one: the
	 * installed release's creation is earlier, so the grace is not longer. */
	if (sb_relay_state_read(&d->cfg, &st, NULL) == 0) {
		r->generation = st.generation;
		r->created = st.created;
		r->valid_until = st.valid_until;
		r->verified = (time_t)(st.ok ? st.checked : st.created);
		sb_text_escape(st.result, r->why, sizeof(r->why));
	}
	sb_log(LOG_INFO, "subscriber of %s: generation %llu installed; no tenant client",
	       d->cfg.relay_url, (unsigned long long)r->generation);
	return 0;
}

static void log_check(int rc, bool was_ok, const struct sb_err *err,
		      const struct sb_subscribe_report *rep)
{
	if (rc < 0)
		sb_log(was_ok ? LOG_WARNING : LOG_DEBUG,
		       "relay: %s; deciding from generation %llu within offline_grace", err->msg,
		       (unsigned long long)rep->generation);
	else if (!was_ok)
		sb_log(LOG_NOTICE, "relay: reached again, generation %llu verified",
		       (unsigned long long)rep->generation);
	if (rc == 0 && rep->action != SB_SUB_UNCHANGED)
		sb_log(LOG_INFO,
		       "relay: generation %llu installed from the %s (%llu bytes, %ld "
		       "requests)",
		       (unsigned long long)rep->generation,
		       rep->action == SB_SUB_DELTA ? "delta" : "snapshot",
		       (unsigned long long)rep->bytes, rep->requests);
}

/* One sb_subscribe, without the lock; its outcome recorded with it. */
static void check_once(struct daemon *d)
{
	struct relay_checks *r = &d->relay;
	struct sb_subscribe_report rep;
	struct sb_relay_state st;
	struct sb_err err = {0};
	int rc = sb_subscribe(&d->cfg, &rep, &err);
	bool got = sb_relay_state_read(&d->cfg, &st, NULL) == 0;
	bool was_ok;

	pthread_mutex_lock(&r->lock);
	was_ok = !r->checked || r->ok;
	r->checked = true;
	r->ok = rc == 0;
	if (got) {
		r->generation = st.generation;
		r->created = st.created;
		r->valid_until = st.valid_until;
	}
	if (rc == 0)
		r->verified = time(NULL);
	sb_text_escape(rc == 0 ? "" : err.msg, r->why, sizeof(r->why));
	clock_gettime(CLOCK_MONOTONIC, &r->ended);
	r->running = false;
	r->done++;
	/* logged before the logins waiting for this check are woken: what
	 * they answer then follows the log line that explains it */
	log_check(rc, was_ok, &err, &rep);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

static unsigned jittered_ms(unsigned seconds)
{
	long base = (long)seconds * 1000, span = base / 10;

	return (unsigned)(span ? base - span + random() % (2 * span + 1) : base);
}

void *relay_thread(void *arg)
{
	struct daemon *d = arg;
	struct relay_checks *r = &d->relay;
	struct timespec next = mono_in(0);

	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	while (!d->stopping) {
		pthread_mutex_lock(&r->lock);
		while (!r->requested && !d->stopping) /* relay_wake on stop */
			if (pthread_cond_timedwait(&r->cond, &r->lock, &next) == ETIMEDOUT)
				break;
		r->requested = false;
		r->running = true;
		pthread_mutex_unlock(&r->lock);
		if (d->stopping)
			break;
		check_once(d);
		next = mono_in(jittered_ms(d->cfg.relay_poll_interval));
	}
	return NULL;
}

void relay_request(struct daemon *d)
{
	struct relay_checks *r = &d->relay;

	pthread_mutex_lock(&r->lock);
	r->requested = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

void relay_wake(struct daemon *d)
{
	struct relay_checks *r = &d->relay;

	pthread_mutex_lock(&r->lock);
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

/* A check for this decision: the one in flight, one that ended under
 * CHECK_REUSE_MS ago, or a new one; waits up to wait_ms for it. */
static void check_for(struct daemon *d, long wait_ms, struct verdict *v)
{
	struct relay_checks *r = &d->relay;
	struct timespec deadline = mono_in(wait_ms);
	unsigned long target;
	bool answered = true;

	pthread_mutex_lock(&r->lock);
	if (r->running || !r->checked || ms_since(&r->ended) >= CHECK_REUSE_MS) {
		target = r->done + 1;
		if (!r->running) {
			r->requested = true;
			pthread_cond_broadcast(&r->cond);
		}
		while (r->done < target && !d->stopping)
			if (pthread_cond_timedwait(&r->cond, &r->lock, &deadline) == ETIMEDOUT)
				break;
		answered = r->done >= target;
	}
	v->generation = r->generation;
	v->verified = r->verified;
	v->fresh = answered && r->ok && (int64_t)time(NULL) < r->valid_until;
	if (!answered)
		snprintf(v->why, sizeof(v->why), "the relay did not answer within %ld s",
			 wait_ms / 1000);
	else if (!r->ok)
		snprintf(v->why, sizeof(v->why), "%s", r->why);
	else if (!v->fresh)
		snprintf(v->why, sizeof(v->why), "release generation %llu expired",
			 (unsigned long long)r->generation);
	else
		v->why[0] = '\0';
	pthread_mutex_unlock(&r->lock);
}

uint16_t relay_lookup(struct daemon *d, const char *name)
{
	struct verdict v;

	/* perhaps published since the last poll: the relay, never the tenant */
	check_for(d, (long)d->cfg.timeout * 1000, &v);
	if (cache_has_user(&d->cfg, name, NULL, 0, NULL))
		return SB_RESP_FOUND;
	neg_add(&d->limits, name);
	return SB_RESP_NOTFOUND;
}

/* The relay cannot vouch for the cache now: within offline_grace of the
 * last verified release the cache decides (*offline set), else UNAVAIL. */
static int unverified(const struct daemon *d, const char *name, const struct verdict *v,
		      char *offline, size_t size, char *msg, size_t msg_size)
{
	long long age = (long long)(time(NULL) - v->verified);

	if (!v->verified || age > (long long)d->cfg.offline_grace) {
		snprintf(msg, msg_size,
			 "relay unreachable (%.200s); the last verified release is %s%lld s old "
			 "(offline_grace %u s)",
			 v->why, v->verified ? "" : "none, ", v->verified ? age : 0LL,
			 d->cfg.offline_grace);
		sb_log(LOG_WARNING, "account check %s: cannot decide: %s", name, msg);
		return -1;
	}
	snprintf(offline, size, "; relay unreachable (%.200s), generation %llu verified %lld s ago",
		 v->why, (unsigned long long)v->generation, age);
	sb_log(LOG_WARNING,
	       "account check %s: relay unreachable (%s): deciding from generation %llu, "
	       "verified %lld s ago (offline_grace %u s)",
	       name, v->why, (unsigned long long)v->generation, age, d->cfg.offline_grace);
	return 0;
}

uint16_t relay_account(struct daemon *d, const char *name, const struct sb_strlist *groups,
		       char *msg, size_t msg_size)
{
	struct verdict v;
	char offline[300] = "", which[256] = "";
	uint32_t flags = 0;
	uint16_t st;

	check_for(d, (long)d->cfg.timeout * 1000, &v);
	if (!cache_has_user(&d->cfg, name, NULL, 0, &flags)) {
		snprintf(msg, msg_size, "not a directory user");
		return SB_RESP_ACCT_UNKNOWN;
	}
	if (!v.fresh && unverified(d, name, &v, offline, sizeof(offline), msg, msg_size) < 0)
		return SB_RESP_UNAVAIL;
	if (!(flags & SB_USER_ACTIVE)) {
		/* pam_scim shows this one to the user: the generation goes to the log */
		snprintf(msg, msg_size, "deactivated");
		st = SB_RESP_ACCT_EXPIRED;
	} else if (groups && groups->n &&
		   !cached_in_groups(d, name, groups, which, sizeof(which))) {
		snprintf(msg, msg_size,
			 "not in allowed_groups, from the relay's generation %llu%.300s",
			 (unsigned long long)v.generation, offline);
		st = SB_RESP_ACCT_DENIED;
	} else {
		snprintf(msg, msg_size, "active%s%.200s, from the relay's generation %llu%.300s",
			 *which ? ", in allowed group " : "", which,
			 (unsigned long long)v.generation, offline);
		st = SB_RESP_ACCT_OK;
	}
	if (st == SB_RESP_ACCT_EXPIRED)
		sb_log(LOG_INFO,
		       "account check %s: refused: %s, from the relay's generation %llu%s", name,
		       msg, (unsigned long long)v.generation, offline);
	else
		sb_log(st == SB_RESP_ACCT_OK ? LOG_DEBUG : LOG_INFO, "account check %s: %s: %s",
		       name, st == SB_RESP_ACCT_OK ? "allowed" : "refused", msg);
	return st;
}

int relay_sync_now(struct daemon *d, int wait_s, char *msg, size_t msg_size)
{
	struct relay_checks *r = &d->relay;
	struct verdict v;

	pthread_mutex_lock(&r->lock);
	r->ended.tv_sec = 0; /* SB_REQ_SYNC: never a reused result */
	r->ended.tv_nsec = 0;
	pthread_mutex_unlock(&r->lock);
	check_for(d, (long)wait_s * 1000, &v);
	if (!v.fresh) {
		snprintf(msg, msg_size, "relay check failed, generation %llu kept: %.400s",
			 (unsigned long long)v.generation, v.why);
		return -1;
	}
	snprintf(msg, msg_size, "relay check: generation %llu verified",
		 (unsigned long long)v.generation);
	return 0;
}

void relay_status_text(struct daemon *d, char *out, size_t size)
{
	struct relay_checks *r = &d->relay;
	long long now = (long long)time(NULL);

	pthread_mutex_lock(&r->lock);
	snprintf(out, size,
		 "role=subscriber\nrelay_generation=%llu\nrelay_release_age=%lld\n"
		 "relay_valid_for=%lld\nrelay_verified_ago=%lld\nrelay_last_check=%s\n",
		 (unsigned long long)r->generation, r->created ? now - (long long)r->created : -1LL,
		 r->valid_until ? (long long)r->valid_until - now : 0LL,
		 r->verified ? now - (long long)r->verified : -1LL,
		 !r->checked ? "none since start"
		 : r->ok     ? "ok"
			     : r->why);
	pthread_mutex_unlock(&r->lock);
}
