/* sync_record.c — what a sync's outcome leaves behind: the status record
 * (written only through sync/status.c's sb_status_update, one writer at a
 * time in this process), the tenant's reachability, and what a waiter of
 * SB_REQ_SYNC (sync_now) is told. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "sync.h"

/* the status file has one writer at a time in this process */
static pthread_mutex_t status_lock = PTHREAD_MUTEX_INITIALIZER;

void status_record(struct daemon *d, int ok, bool sync, const char *message)
{
	/* the sync thread and connection threads (offline transitions) both
	 * write: one read-modify-write at a time, or one could undo the other */
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

void status_record_reads(struct daemon *d, const char *reads)
{
	struct sb_err werr = {0};

	pthread_mutex_lock(&status_lock);
	if (sb_status_set_reads(&d->cfg, reads, &werr) < 0)
		sb_log(LOG_WARNING, "%s", werr.msg);
	pthread_mutex_unlock(&status_lock);
}

/* published: what a publisher published after this sync ("" otherwise) */
void sync_record(struct daemon *d, int ok, const struct sb_err *err, const char *published)
{
	char msg[600];
	size_t users, groups;

	pthread_mutex_lock(&d->data_lock);
	users = d->counts.users_mapped;
	groups = d->counts.groups_mapped;
	pthread_mutex_unlock(&d->data_lock);
	if (ok)
		snprintf(msg, sizeof(msg), "daemon sync: %zu users, %zu groups mapped%s%.400s",
			 users, groups, *published ? "; " : "", published);
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

int sync_now(struct daemon *d, int wait_s, char *msg, size_t msg_size)
{
	struct timespec until;
	unsigned long target;
	int rc = -1;

	if (d->cfg.role == SB_ROLE_SUBSCRIBER) /* a relay check, not a sync */
		return relay_sync_now(d, wait_s, msg, msg_size);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_s;
	pthread_mutex_lock(&d->sync_lock);
	target = d->syncs_done + 2; /* the one running now may predate the request */
	if (!d->sync_requested)
		target = d->syncs_done + 1;
	d->sync_requested = true;
	pthread_cond_broadcast(&d->sync_cond);
	while (d->syncs_done < target && !d->stopping)
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
