/* sync_loop.c — the sync thread: a full sync at start, then every
 * refresh_interval (±10% so a fleet does not hit the tenant in step) an
 * incremental one — only Users and Groups whose meta.lastModified is newer
 * than the last read (less SKEW_S for clock skew), merged by id — with a full
 * read every FULL_EVERY cycles, because an incremental read cannot see a
 * group or user deleted in the tenant. A failure keeps the last good cache
 * and retries with backoff (5 s doubling, capped at refresh_interval). The
 * fetch runs without any lock held; only the merge or swap of the kept data
 * and the cache write take data_lock.
 *
 * An incremental read is trusted only where it can be (issue 18): not when
 * the tenant's ServiceProviderConfig says it has no filters, nor while any
 * resource of the last full read lacks meta.lastModified (a `gt` filter can
 * never find its changes); and each answer is checked: `since` is kept below
 * the newest user lastModified seen, so a tenant that applies the filter must
 * return at least that resource, and may return none it excludes. A server
 * that answers 200 with nothing (django-scim2) fails that check. Where it
 * cannot be trusted, the cycle reads everything instead, and the log and
 * `status` say why. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "sync.h"

#define FULL_EVERY 8
#define SKEW_S	   300

/* Whether incremental reads can be trusted (sync thread only; miss lookups
 * read the copy in d->filter_doubt, below). */
static struct {
	bool spc_no_filter;  /* ServiceProviderConfig: filter.supported false */
	bool lacks_modified; /* a resource of the last full read has none */
	bool answer_doubted; /* an incremental answer failed the check */
	int64_t newest_user; /* the newest user meta.lastModified seen, 0 if none */
	char why[400];	     /* why not, for the log and `status` */
} trust;

static bool incremental_trusted(void)
{
	return !trust.spc_no_filter && !trust.lacks_modified && !trust.answer_doubted;
}

/* What miss lookups may read of the trust (other threads): whether the
 * tenant was seen to ignore or lack filters, and why (d->filter_doubt); set
 * after each cycle. */
static void publish_doubt(struct daemon *d)
{
	pthread_mutex_lock(&d->doubt_lock);
	snprintf(d->filter_doubt, sizeof(d->filter_doubt), "%s",
		 trust.spc_no_filter || trust.answer_doubted ? trust.why : "");
	pthread_mutex_unlock(&d->doubt_lock);
}

bool sync_filters_doubted(struct daemon *d, char *why, size_t size)
{
	bool doubted;

	pthread_mutex_lock(&d->doubt_lock);
	doubted = d->filter_doubt[0] != '\0';
	snprintf(why, size, "%s", d->filter_doubt);
	pthread_mutex_unlock(&d->doubt_lock);
	return doubted;
}

/* After a full read: ServiceProviderConfig, and lastModified on everything. */
static void judge_full_read(struct daemon *d, const struct sb_scim_users *u,
			    const struct sb_scim_groups *g)
{
	size_t nu = 0, ng = 0;

	trust.newest_user = 0;
	for (size_t i = 0; i < u->n; i++) {
		nu += u->v[i].last_modified == 0;
		if (u->v[i].last_modified > trust.newest_user)
			trust.newest_user = u->v[i].last_modified;
	}
	for (size_t i = 0; i < g->n; i++)
		ng += g->v[i].last_modified == 0;
	trust.spc_no_filter = sb_scim_filter_supported(d->sync_client, NULL) == 0;
	trust.lacks_modified = nu || ng;
	if (trust.spc_no_filter)
		snprintf(trust.why, sizeof(trust.why),
			 "the tenant's ServiceProviderConfig says filter.supported is false");
	else if (trust.lacks_modified)
		snprintf(trust.why, sizeof(trust.why),
			 "%zu of %zu users and %zu of %zu groups carry no meta.lastModified, so "
			 "a meta.lastModified filter cannot find their changes",
			 nu, u->n, ng, g->n);
	else if (!trust.answer_doubted)
		trust.why[0] = '\0';
}

/* The sync thread publishes after its syncs itself (sync_thread). */
static _Thread_local bool in_sync_thread;

int commit_locked(struct daemon *d, struct sb_err *err)
{
	struct sb_sync_report rep = {0};
	int rc = sb_sync_commit(&d->cfg, &d->users, &d->groups, NULL, &rep, err);

	d->unwritten = rc < 0;
	if (rc == 0) {
		d->counts = rep.map; /* what the status record reports */
		d->have_counts = true;
		if (!in_sync_thread) /* a miss lookup or live check changed it */
			publish_request(d);
	}
	return rc;
}

static int full_sync(struct daemon *d, struct sb_err *err)
{
	struct sb_scim_users users = {0};
	struct sb_scim_groups groups = {0};
	time_t started = time(NULL);
	int rc;

	if (sb_sync_fetch(d->sync_client, &users, &groups, err) < 0)
		return -1;
	judge_full_read(d, &users, &groups);
	pthread_mutex_lock(&d->data_lock);
	/* The last read goes before the new one is mapped and written, so the
	 * two never peak together. If the write fails, memory keeps the newer
	 * read: the cache still holds the last good one, a later write from
	 * memory can only be more current, and the retry is a full sync. */
	sb_scim_users_free(&d->users);
	sb_scim_groups_free(&d->groups);
	d->users = users;
	d->groups = groups;
	rc = commit_locked(d, err);
	if (rc == 0) {
		d->have_data = true;
		d->last_read = started;
	}
	pthread_mutex_unlock(&d->data_lock);
	if (rc == 0)
		sb_log(LOG_INFO, "sync: %zu users, %zu groups read from the tenant", d->users.n,
		       d->groups.n);
	return rc;
}

/* The filter for resources changed after `since`, kept below the newest
 * lastModified seen so that an honest answer holds at least that one. */
static int64_t since_for(time_t last_read, int64_t newest, char *filter, size_t size)
{
	time_t since = last_read - SKEW_S;
	char ts[32];
	struct tm tm;

	if (newest > 0 && newest - 1 < (int64_t)since)
		since = (time_t)(newest - 1);
	gmtime_r(&since, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(filter, size, "meta.lastModified gt \"%s\"", ts);
	return since;
}

/* Why an incremental answer (the lastModified of what came) cannot be
 * trusted, into trust.why; false if it can. */
static bool doubt_answer(const char *what, const char *filter, int64_t since, int64_t newest,
			 const int64_t *lm, size_t n, size_t stride)
{
	bool has_newest = newest == 0;

	for (size_t i = 0; i < n; i++) {
		int64_t t = *(const int64_t *)(const void *)((const char *)lm + i * stride);

		if (t == 0 || t < since) { /* t is rounded down: t == since may be after */
			snprintf(
			    trust.why, sizeof(trust.why),
			    "the tenant answered '%s' on %s with resources the filter excludes "
			    "(or without meta.lastModified): it does not apply the filter",
			    filter, what);
			return true;
		}
		has_newest |= t >= newest;
	}
	if (!has_newest)
		snprintf(trust.why, sizeof(trust.why),
			 "the tenant answered '%s' on %s without the newest one it listed "
			 "before, which the filter must match: it ignores the filter (200 and "
			 "nothing), or that one was deleted",
			 filter, what);
	return !has_newest;
}

static int64_t newest_of(const int64_t *lm, size_t n, size_t stride, int64_t newest)
{
	for (size_t i = 0; i < n; i++) {
		int64_t t = *(const int64_t *)(const void *)((const char *)lm + i * stride);

		if (t > newest)
			newest = t;
	}
	return newest;
}

/* Users and Groups changed since the last read, merged into the kept copy;
 * a full read instead when the answer cannot be trusted. */
static int incremental_sync(struct daemon *d, struct sb_err *err)
{
	struct sb_scim_users users = {0};
	struct sb_scim_groups groups = {0};
	time_t started = time(NULL), last;
	char fu[96], fg[96];
	int64_t su, sg;
	int rc = -1;

	pthread_mutex_lock(&d->data_lock);
	last = d->last_read;
	pthread_mutex_unlock(&d->data_lock);
	su = since_for(last, trust.newest_user, fu, sizeof(fu));
	/* Groups are not anchored: the newest is often ALL USERS, every member
	 * of the tenant, which each cycle would read again. A tenant that
	 * ignores the filter is caught on Users. */
	sg = since_for(last, 0, fg, sizeof(fg));
	if (sb_scim_list_users(d->sync_client, fu, &users, err) < 0 ||
	    sb_scim_list_groups(d->sync_client, fg, &groups, err) < 0)
		goto out;
	if (doubt_answer("Users", fu, su, trust.newest_user,
			 users.n ? &users.v[0].last_modified : NULL, users.n, sizeof(users.v[0])) ||
	    doubt_answer("Groups", fg, sg, 0, groups.n ? &groups.v[0].last_modified : NULL,
			 groups.n, sizeof(groups.v[0]))) {
		trust.answer_doubted = true;
		sb_log(LOG_WARNING, "incremental sync not trusted: %s; reading everything instead",
		       trust.why);
		sb_scim_users_free(&users);
		sb_scim_groups_free(&groups);
		return full_sync(d, err);
	}
	trust.newest_user = newest_of(users.n ? &users.v[0].last_modified : NULL, users.n,
				      sizeof(users.v[0]), trust.newest_user);
	pthread_mutex_lock(&d->data_lock);
	if (merge_users(&d->users, &users) < 0 || merge_groups(&d->groups, &groups) < 0)
		sb_err_set(err, SB_E_NOMEM, "out of memory merging changes");
	else if ((rc = commit_locked(d, err)) == 0)
		d->last_read = started;
	pthread_mutex_unlock(&d->data_lock);
	if (rc == 0)
		sb_log(LOG_INFO, "incremental sync: changes since %s merged", fu + 21);
out:
	sb_scim_users_free(&users);
	sb_scim_groups_free(&groups);
	return rc;
}

/* What `status` says of the daemon's reads (issue 18): incremental between
 * full reads, or full reads only and why. */
static void record_reads(struct daemon *d)
{
	char reads[sizeof(((struct sb_sync_status *)0)->reads)];

	snprintf(reads, sizeof(reads), "%s%.400s",
		 incremental_trusted() ? "incremental between full reads" : "full reads only: ",
		 incremental_trusted() ? "" : trust.why);
	status_record_reads(d, reads);
}

/* Sleeps until the next sync is due, a sync is requested, or we stop;
 * true if a sync was requested (SIGHUP or SB_REQ_SYNC: always a full one). */
static bool wait_next(struct daemon *d, unsigned seconds)
{
	struct timespec until;
	bool requested;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&d->sync_lock);
	while (!d->sync_requested && !d->stopping)
		if (pthread_cond_timedwait(&d->sync_cond, &d->sync_lock, &until) == ETIMEDOUT)
			break;
	requested = d->sync_requested;
	d->sync_requested = false;
	pthread_mutex_unlock(&d->sync_lock);
	return requested;
}

static unsigned jittered(unsigned base)
{
	unsigned span = base / 10;

	return span ? base - span + (unsigned)(random() % (2 * span + 1)) : base;
}

void *sync_thread(void *arg)
{
	struct daemon *d = arg;
	unsigned backoff = 5, cycle = 0;
	bool full_needed = true;

	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	in_sync_thread = true;
	while (!d->stopping) {
		struct sb_err err = {0};
		bool full = full_needed || ++cycle % FULL_EVERY == 0;
		char published[512] = "";
		int ok;

		if (full && !full_needed) /* a scheduled full read: then try again */
			trust.answer_doubted = false;
		if (!full && !incremental_trusted()) {
			sb_log(LOG_INFO, "incremental sync skipped: %s; reading everything",
			       trust.why);
			full = true;
		}
		ok = (full ? full_sync(d, &err) : incremental_sync(d, &err)) == 0;
		publish_doubt(d);

		full_needed = !ok && full;

		if (!ok)
			sb_log(LOG_ERR, "sync failed, keeping the last good cache: %s", err.msg);
		/* before sync_record(): SB_REQ_SYNC's answer then says what was published */
		if (ok && d->cfg.role == SB_ROLE_PUBLISHER)
			publish_now(d, published, sizeof(published));
		sync_record(d, ok, &err, published);
		if (ok) /* after the waiters are woken, as before */
			record_reads(d);
		/* A sync frees tens of MB (pages as read, the mapped dataset, the
		 * cache image) that glibc would keep in this thread's arena until
		 * the next one: a daemon on every host gives them back. */
		malloc_trim(0);
		if (ok) {
			backoff = 5;
			full_needed |= wait_next(d, jittered(d->cfg.refresh_interval));
		} else {
			full_needed |= wait_next(d, backoff);
			backoff = backoff * 2 > d->cfg.refresh_interval ? d->cfg.refresh_interval
									: backoff * 2;
		}
	}
	return NULL;
}
