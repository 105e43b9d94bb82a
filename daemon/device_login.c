/* device_login.c — the daemon's side of device sign-in (DESIGN.md "Sign-in",
 * issue 17): SB_REQ_DEVICE_START and SB_REQ_DEVICE_POLL for pam_scim's
 * `auth`. The daemon does every HTTP request (discovery, device
 * authorization, token polling, the JWKS); the PAM module only ever holds an
 * opaque handle. The device_code stays here, in a table of at most
 * DEVICE_MAX pending sign-ins (d->dev, struct device_logins in daemon.h),
 * each dropped when it ends or expires.
 * A poll asked before the provider's interval has passed answers "pending"
 * without asking the provider, so no caller can make us break its
 * interval (or slow_down). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "names.h"
#include "oidc.h"
#include "proto.h"

/* Sign-ins one real uid other than root may have pending: su run by a user
 * is root's peer but must not fill the table for everyone else. */
#define DEVICE_PER_UID 4

static time_t mono_now(struct timespec *ts)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (ts)
		*ts = t;
	return t.tv_sec;
}

static long until_ms(const struct timespec *now, const struct timespec *then)
{
	return (then->tv_sec - now->tv_sec) * 1000 + (then->tv_nsec - now->tv_nsec) / 1000000;
}

static void entry_drop(struct device_entry *e)
{
	oidc_device_auth_free(&e->auth);
	explicit_bzero(e, sizeof(*e));
}

void device_logins_init(struct device_logins *dev)
{
	memset(dev, 0, sizeof(*dev));
	pthread_mutex_init(&dev->lock, NULL);
	pthread_mutex_init(&dev->prov_lock, NULL);
}

/* Ends expired entries; dev->lock held. */
static void sweep_locked(struct device_logins *dev)
{
	time_t now = mono_now(NULL);

	for (int i = 0; i < DEVICE_MAX; i++)
		if (dev->v[i].used && !dev->v[i].busy && now >= dev->v[i].expires)
			entry_drop(&dev->v[i]);
}

/* Discovery once; a failure is retried at the next sign-in. */
static int provider_get(struct daemon *d, struct sb_err *err)
{
	struct device_logins *dev = &d->dev;
	int rc = 0;

	pthread_mutex_lock(&dev->prov_lock);
	if (!dev->have_prov) {
		rc = oidc_discover(&d->cfg, &dev->prov, err);
		if (rc == 0) {
			dev->jwks_http.cfg = &d->cfg;
			dev->jwks_http.jwks_uri = dev->prov.jwks_uri;
			oidc_keys_init(&dev->keys, oidc_jwks_fetch_https, &dev->jwks_http);
			dev->have_prov = true;
		}
	}
	pthread_mutex_unlock(&dev->prov_lock);
	return rc;
}

/* Device sign-in is configured: ACCT_OK, or the status to answer with. */
static uint16_t device_enabled(struct daemon *d, char *msg, size_t msg_size)
{
	if (!d->cfg.device_login) {
		snprintf(msg, msg_size, "device_login = no");
		return SB_RESP_DENIED;
	}
	if (!d->cfg.oidc_issuer || !d->cfg.oidc_client_id) {
		snprintf(msg, msg_size, "oidc_issuer and oidc_client_id are not set");
		return SB_RESP_UNAVAIL;
	}
	return SB_RESP_ACCT_OK;
}

/* Before the provider has vouched for anyone, the name is whatever a
 * remote ssh client typed: the start is decided from the cache alone, so it
 * costs no tenant call and no live client and cannot put the tenant
 * offline (sshd's getpwnam before auth has already asked the daemon for a
 * name the cache lacked). The live check comes after the sign-in (finish). */
static uint16_t start_check(struct daemon *d, const char *user, char *msg, size_t msg_size)
{
	uint32_t flags = 0;
	uint16_t st = device_enabled(d, msg, msg_size);

	if (st != SB_RESP_ACCT_OK)
		return st;
	if (!cache_has_user(&d->cfg, user, NULL, 0, &flags)) {
		snprintf(msg, msg_size, "not a directory user");
		return SB_RESP_ACCT_UNKNOWN;
	}
	if (!(flags & SB_USER_ACTIVE)) {
		snprintf(msg, msg_size, "inactive");
		return SB_RESP_ACCT_EXPIRED;
	}
	return SB_RESP_ACCT_OK;
}

/* After the sign-in: the user must be an active directory user, live when
 * the tenant answers, as the caller's own account check. */
static uint16_t check_user(struct daemon *d, uid_t real, const char *user, char *msg,
			   size_t msg_size)
{
	uint16_t st = device_enabled(d, msg, msg_size);

	if (st != SB_RESP_ACCT_OK)
		return st;
	live_tier = live_tier_for(real);
	st = op_account(d, user, NULL, msg, msg_size);
	live_tier = LIVE_TIER_ANY;
	return st;
}

static void random_handle(char *out)
{
	unsigned char r[DEVICE_HANDLE_LEN / 2];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* never reached on Linux ≥ 3.17 with a seeded pool; refuse */
		out[0] = '\0';
		return;
	}
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/* A free slot for real uid `real`, or NULL; dev->lock held. */
static struct device_entry *slot_locked(struct device_logins *dev, uid_t real)
{
	struct device_entry *e = NULL;
	int mine = 0;

	for (int i = 0; i < DEVICE_MAX; i++) {
		if (!dev->v[i].used && !e)
			e = &dev->v[i];
		else if (dev->v[i].used && dev->v[i].real == real)
			mine++;
	}
	return real != 0 && mine >= DEVICE_PER_UID ? NULL : e;
}

/* Stores a started sign-in; false when the table (or the caller's share of
 * it) is full. */
static bool entry_add(struct device_logins *dev, const char *user, uid_t real,
		      struct oidc_device_auth *a, char *handle, char *msg, size_t msg_size)
{
	struct device_entry *e;
	struct timespec now;

	random_handle(handle);
	if (!*handle)
		return false;
	pthread_mutex_lock(&dev->lock);
	sweep_locked(dev);
	if ((e = slot_locked(dev, real))) {
		e->used = true;
		e->real = real;
		memcpy(e->handle, handle, DEVICE_HANDLE_LEN + 1);
		snprintf(e->user, sizeof(e->user), "%s", user);
		e->auth = *a;
		memset(a, 0, sizeof(*a));
		e->expires = mono_now(&now) + (e->auth.expires_in > 0 ? e->auth.expires_in : 300);
		e->next_poll = now;
		e->next_poll.tv_sec += e->auth.interval;
		snprintf(msg, msg_size,
			 "handle=%s\nverification_uri=%.400s\nverification_uri_complete=%.600s\n"
			 "user_code=%.64s\nexpires_in=%ld\ninterval=%ld\n",
			 handle, e->auth.verification_uri ? e->auth.verification_uri : "",
			 e->auth.verification_uri_complete ? e->auth.verification_uri_complete : "",
			 e->auth.user_code ? e->auth.user_code : "", e->auth.expires_in,
			 e->auth.interval);
	}
	pthread_mutex_unlock(&dev->lock);
	return e != NULL;
}

uint16_t device_start(struct daemon *d, uid_t real, const char *user, char *msg, size_t msg_size)
{
	struct oidc_device_auth a = {0};
	struct sb_err err = {0};
	char handle[DEVICE_HANDLE_LEN + 1];
	uint16_t st;

	if (!sb_name_valid(user)) {
		snprintf(msg, msg_size, "not a directory user");
		return SB_RESP_ACCT_UNKNOWN;
	}
	if ((st = start_check(d, user, msg, msg_size)) != SB_RESP_ACCT_OK)
		return st;
	if (provider_get(d, &err) < 0 || oidc_device_start(&d->cfg, &d->dev.prov, &a, &err) < 0) {
		sb_log(LOG_WARNING, "device sign-in %s: %s", user, err.msg);
		snprintf(msg, msg_size, "identity provider: %.300s", err.msg);
		return SB_RESP_UNAVAIL;
	}
	if (!entry_add(&d->dev, user, real, &a, handle, msg, msg_size)) {
		oidc_device_auth_free(&a);
		snprintf(msg, msg_size, "too many sign-ins under way (%d, %d for uid %ld)",
			 DEVICE_MAX, DEVICE_PER_UID, (long)real);
		return SB_RESP_BUSY;
	}
	sb_log(LOG_INFO, "device sign-in %s: started", user);
	return SB_RESP_OK;
}

/* Takes the entry for a poll (busy), or answers why not. */
static struct device_entry *entry_take(struct device_logins *dev, const char *handle, uint16_t *st,
				       char *msg, size_t msg_size)
{
	struct device_entry *e = NULL;
	struct timespec now;

	pthread_mutex_lock(&dev->lock);
	sweep_locked(dev);
	for (int i = 0; i < DEVICE_MAX && !e; i++)
		if (dev->v[i].used && strcmp(dev->v[i].handle, handle) == 0)
			e = &dev->v[i];
	mono_now(&now);
	if (!e) {
		*st = SB_RESP_DEV_EXPIRED;
		snprintf(msg, msg_size, "the sign-in code expired (or is unknown)");
	} else if (e->busy || until_ms(&now, &e->next_poll) > 0) {
		/* not due: the caller waits the rest of the interval, not all of it */
		long wait = e->busy ? 200 : until_ms(&now, &e->next_poll);

		*st = SB_RESP_DEV_PENDING;
		snprintf(msg, msg_size, "interval=%ld\nwait_ms=%ld\n", e->auth.interval, wait);
		e = NULL;
	} else {
		e->busy = true;
	}
	pthread_mutex_unlock(&dev->lock);
	return e;
}

/* Verifies the ID token and maps its claim to the login name, which must be
 * the user the sign-in was started for, and still active. */
static uint16_t finish(struct daemon *d, const struct device_entry *e, const char *token, char *msg,
		       size_t msg_size)
{
	struct oidc_expect want = {d->cfg.oidc_issuer, d->cfg.oidc_client_id,
				   d->cfg.oidc_username_claim, 0};
	struct sb_err err = {0};
	char *claim = NULL, *login = NULL;
	uint16_t st = SB_RESP_DEV_REFUSED;

	if (oidc_idtoken_verify(&d->dev.keys, &want, token, &claim, &err) < 0) {
		snprintf(msg, msg_size, "%.400s", err.msg); /* "ID token refused: …" */
		if (err.kind == SB_E_NETWORK || err.kind == SB_E_HTTP)
			st = SB_RESP_UNAVAIL;
		goto out;
	}
	login = sb_format_login(d->cfg.name_format, claim, d->cfg.domain);
	if (!login || strcmp(login, e->user) != 0) {
		snprintf(msg, msg_size, "the sign-in was for '%.64s', not '%.64s' (another user)",
			 login ? login : claim, e->user);
		goto out;
	}
	st = check_user(d, e->real, login, msg, msg_size);
	if (st == SB_RESP_ACCT_OK) {
		snprintf(msg, msg_size, "login=%s\n", login);
		st = SB_RESP_OK;
	} else if (st == SB_RESP_ACCT_EXPIRED || st == SB_RESP_ACCT_DENIED ||
		   st == SB_RESP_ACCT_UNKNOWN) {
		char why[200];

		snprintf(why, sizeof(why), "%s", msg);
		snprintf(msg, msg_size, "the directory refuses '%s': %s", login, why);
		st = SB_RESP_DEV_REFUSED;
	}
out:
	free(claim);
	free(login);
	return st;
}

static uint16_t poll_answer(struct daemon *d, struct device_entry *e, enum oidc_poll r,
			    const char *token, const struct sb_err *err, char *msg, size_t msg_size)
{
	switch (r) {
	case OIDC_POLL_PENDING:
		snprintf(msg, msg_size, "interval=%ld\n", e->auth.interval);
		return SB_RESP_DEV_PENDING;
	case OIDC_POLL_SLOW_DOWN:
		snprintf(msg, msg_size, "interval=%ld\n", e->auth.interval);
		return SB_RESP_DEV_SLOW_DOWN;
	case OIDC_POLL_DENIED:
		snprintf(msg, msg_size, "sign-in denied: %.400s", err->msg);
		return SB_RESP_DEV_DENIED;
	case OIDC_POLL_EXPIRED:
		snprintf(msg, msg_size, "the sign-in code expired: %.400s", err->msg);
		return SB_RESP_DEV_EXPIRED;
	case OIDC_POLL_SUCCESS:
		return finish(d, e, token, msg, msg_size);
	default:
		snprintf(msg, msg_size, "identity provider: %.400s", err->msg);
		return SB_RESP_UNAVAIL;
	}
}

uint16_t device_poll(struct daemon *d, const char *handle, char *msg, size_t msg_size)
{
	struct device_entry *e;
	struct sb_err err = {0};
	char *token = NULL;
	enum oidc_poll r;
	uint16_t st;

	if (!(e = entry_take(&d->dev, handle, &st, msg, msg_size)))
		return st;
	/* the entry is ours while busy: no lock across the HTTP request */
	r = oidc_device_poll(&d->cfg, &d->dev.prov, &e->auth, &token, &err);
	st = poll_answer(d, e, r, token, &err, msg, msg_size);
	if (token)
		explicit_bzero(token, strlen(token));
	free(token);
	sb_log(st == SB_RESP_OK ? LOG_INFO : LOG_DEBUG, "device sign-in %s: %s: %s", e->user,
	       oidc_poll_name(r), msg);
	pthread_mutex_lock(&d->dev.lock);
	e->busy = false;
	if (st == SB_RESP_DEV_PENDING || st == SB_RESP_DEV_SLOW_DOWN) {
		mono_now(&e->next_poll);
		e->next_poll.tv_sec += e->auth.interval;
	} else if (st == SB_RESP_UNAVAIL && r == OIDC_POLL_ERROR) {
		mono_now(&e->next_poll); /* a network error: the caller may retry */
		e->next_poll.tv_sec += e->auth.interval;
	} else {
		entry_drop(e); /* an answer that ends the sign-in */
	}
	pthread_mutex_unlock(&d->dev.lock);
	return st;
}
