/* sync_loop.c — the sync thread: a full sync at start, then every
 * refresh_interval (±10% so a fleet does not hit the tenant in step) an
 * incremental one — only Users and Groups whose meta.lastModified is newer
 * than the last read (less SKEW_S for clock skew), merged by id — with a full
 * read every FULL_EVERY cycles, because an incremental read cannot see a
 * group or user deleted in the tenant. A failure keeps the last good cache
 * and retries with backoff (5 s doubling, capped at refresh_interval). The
 * fetch runs without any lock held; only the merge or swap of the kept data
 * and the cache write take data_lock. */
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

int commit_locked(struct daemon *d, struct sb_err *err)
{
	struct sb_sync_report rep = {0};
	int rc = sb_sync_commit(&d->cfg, &d->users, &d->groups, NULL, &rep, err);

	d->unwritten = rc < 0;
	if (rc == 0) {
		d->counts = rep.map; /* what the status record reports */
		d->have_counts = true;
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

/* Users and Groups changed since the last read, merged into the kept copy. */
static int incremental_sync(struct daemon *d, struct sb_err *err)
{
	struct sb_scim_users users = {0};
	struct sb_scim_groups groups = {0};
	time_t started = time(NULL), since;
	char filter[96], ts[32];
	struct tm tm;
	int rc = -1;

	pthread_mutex_lock(&d->data_lock);
	since = d->last_read - SKEW_S;
	pthread_mutex_unlock(&d->data_lock);
	gmtime_r(&since, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(filter, sizeof(filter), "meta.lastModified gt \"%s\"", ts);
	if (sb_scim_list_users(d->sync_client, filter, &users, err) < 0 ||
	    sb_scim_list_groups(d->sync_client, filter, &groups, err) < 0)
		goto out;
	pthread_mutex_lock(&d->data_lock);
	if (merge_users(&d->users, &users) < 0 || merge_groups(&d->groups, &groups) < 0)
		sb_err_set(err, SB_E_NOMEM, "out of memory merging changes");
	else if ((rc = commit_locked(d, err)) == 0)
		d->last_read = started;
	pthread_mutex_unlock(&d->data_lock);
	if (rc == 0)
		sb_log(LOG_INFO, "incremental sync: changes since %s merged", ts);
out:
	sb_scim_users_free(&users);
	sb_scim_groups_free(&groups);
	return rc;
}

void status_record(struct daemon *d, int ok, bool sync, const char *message)
{
	/* the sync thread and connection threads (offline transitions) both
	 * write: one read-modify-write at a time, or one could undo the other */
	static pthread_mutex_t status_lock = PTHREAD_MUTEX_INITIALIZER;
	struct sb_map_report counts;
	struct sb_err werr = {0};
	bool have;

	pthread_mutex_lock(&d->data_lock);
	counts = d->counts;
	have = d->have_counts;
	pthread_mutex_unlock(&d->data_lock);
	pthread_mutex_lock(&status_lock);
	if (sb_status_update(&d->cfg, sync, ok, have ? &counts : NULL, message, &werr) < 0)
		sb_log(LOG_WARNING, "%s", werr.msg);
	pthread_mutex_unlock(&status_lock);
}

static void record(struct daemon *d, int ok, const struct sb_err *err)
{
	char msg[600];
	size_t users, groups;

	pthread_mutex_lock(&d->data_lock);
	users = d->counts.users_mapped;
	groups = d->counts.groups_mapped;
	pthread_mutex_unlock(&d->data_lock);
	if (ok)
		snprintf(msg, sizeof(msg), "daemon sync: %zu users, %zu groups mapped", users,
			 groups);
	else
		snprintf(msg, sizeof(msg), "%s: %.480s", sb_errkind_name(err->kind), err->msg);
	status_record(d, ok, true, msg);
	if (ok)
		tenant_reached(d, "sync");
	else
		tenant_failed(d, "sync", err);

	/* last: a waiter (sync_now) then finds the status record written */
	pthread_mutex_lock(&d->sync_lock);
	d->last_attempt = time(NULL);
	d->last_ok = ok;
	if (ok)
		d->last_success = d->last_attempt;
	/* Escaped (sb_text_escape): it may quote the tenant, and `status` and
	 * `sync` print it line by line to an admin's terminal. */
	sb_text_escape(ok ? "" : err->msg, d->last_error, sizeof(d->last_error));
	snprintf(d->last_summary, sizeof(d->last_summary), "%.500s", msg);
	d->syncs_done++;
	pthread_cond_broadcast(&d->sync_cond);
	pthread_mutex_unlock(&d->sync_lock);
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
	while (!d->sync_requested && !daemon_stopping)
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
	while (!daemon_stopping) {
		struct sb_err err = {0};
		bool full = full_needed || ++cycle % FULL_EVERY == 0;
		int ok = (full ? full_sync(d, &err) : incremental_sync(d, &err)) == 0;

		full_needed = !ok && full;

		if (!ok)
			sb_log(LOG_ERR, "sync failed, keeping the last good cache: %s", err.msg);
		record(d, ok, &err);
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

int sync_now(struct daemon *d, int wait_s, char *msg, size_t msg_size)
{
	struct timespec until;
	unsigned long target;
	int rc = -1;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_s;
	pthread_mutex_lock(&d->sync_lock);
	target = d->syncs_done + 2; /* the one running now may predate the request */
	if (!d->sync_requested)
		target = d->syncs_done + 1;
	d->sync_requested = true;
	pthread_cond_broadcast(&d->sync_cond);
	while (d->syncs_done < target && !daemon_stopping)
		if (pthread_cond_timedwait(&d->sync_cond, &d->sync_lock, &until) == ETIMEDOUT)
			break;
	if (d->syncs_done >= target) {
		rc = d->last_ok ? 0 : -1;
		snprintf(msg, msg_size, "%.500s", d->last_summary);
	} else {
		snprintf(msg, msg_size, "sync still running after %d s", wait_s);
	}
	pthread_mutex_unlock(&d->sync_lock);
	return rc;
}
