/* publish_loop.c — scimbridged with role = publisher: after every cache
 * write (a sync, or a miss lookup or live check that changed the kept data)
 * the cache is published into publish_dir through relay/publish.c, the
 * library `scimbridge sync` uses, which writes a new generation only when
 * the content changed (else at most re-signs a release past half its ttl).
 * The sync thread publishes itself after each successful sync, so
 * SB_REQ_SYNC's answer says what was published; a cache write by a
 * connection thread only marks the publish as pending and the publish
 * thread does it, so a login never waits for a snapshot to be compressed.
 * A failure is logged and leaves the cache as it is; the next cache write
 * or sync tries again. */
#include <stdio.h>

#include "daemon.h"
#include "log.h"
#include "publish.h"

void publish_init(struct publisher *p)
{
	pthread_mutex_init(&p->run_lock, NULL);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->pending = false;
}

void publish_request(struct daemon *d)
{
	if (d->cfg.role != SB_ROLE_PUBLISHER)
		return;
	pthread_mutex_lock(&d->pub.lock);
	d->pub.pending = true;
	pthread_cond_broadcast(&d->pub.cond);
	pthread_mutex_unlock(&d->pub.lock);
}

int publish_now(struct daemon *d, char *msg, size_t msg_size)
{
	static const char *const what[] = {"unchanged", "re-signed", "published"};
	struct sb_publish_report r;
	struct sb_err err = {0};
	int rc;

	pthread_mutex_lock(&d->pub.lock);
	d->pub.pending = false; /* this run reads the cache as it is now */
	pthread_mutex_unlock(&d->pub.lock);
	pthread_mutex_lock(&d->pub.run_lock);
	rc = sb_publish(&d->cfg, d->cfg.cache_path, &r, &err);
	pthread_mutex_unlock(&d->pub.run_lock);
	if (rc < 0) {
		sb_log(LOG_ERR, "%s; the cache is kept, the relay serves the last release",
		       err.msg);
		snprintf(msg, msg_size, "publish FAILED: %.400s", err.msg);
		return -1;
	}
	snprintf(msg, msg_size, "relay generation %llu %s", (unsigned long long)r.generation,
		 what[r.action]);
	if (r.action == SB_PUBLISH_NEW)
		sb_log(LOG_INFO,
		       "published generation %llu in %s (cache %llu bytes, snapshot %llu, %zu "
		       "deltas %llu bytes, %zu pruned)",
		       (unsigned long long)r.generation, d->cfg.publish_dir,
		       (unsigned long long)r.cache_size, (unsigned long long)r.snapshot_size,
		       r.ndeltas, (unsigned long long)r.delta_bytes, r.pruned);
	else
		sb_log(LOG_DEBUG, "publish: %s", msg);
	return 0;
}

void publish_wake(struct daemon *d)
{
	pthread_mutex_lock(&d->pub.lock);
	pthread_cond_broadcast(&d->pub.cond);
	pthread_mutex_unlock(&d->pub.lock);
}

void *publish_thread(void *arg)
{
	struct daemon *d = arg;

	while (!d->stopping) {
		bool go;
		char msg[512];

		pthread_mutex_lock(&d->pub.lock);
		while (!d->pub.pending && !d->stopping) /* publish_wake on stop */
			pthread_cond_wait(&d->pub.cond, &d->pub.lock);
		go = d->pub.pending;
		pthread_mutex_unlock(&d->pub.lock);
		if (go && !d->stopping)
			publish_now(d, msg, sizeof(msg));
	}
	return NULL;
}
