/* limits.c — what keeps `getent passwd random$RANDOM` in a loop from
 * flooding the tenant: a token bucket per caller's real uid (LIMIT_RATE
 * tenant questions a second, bursts of LIMIT_BURST) and a table of recent
 * misses answered from memory for negative_ttl seconds. Root has a bucket
 * of its own: its misses are names sshd looks up for remote users before
 * they authenticate, which anyone on the network can choose; PAM's live
 * checks of known users are not metered here, so that bucket cannot starve
 * them.
 * Buckets are keyed by the whole uid in a fixed table; a new uid may take
 * only an unused entry or one that has refilled to a full burst (idle for
 * LIMIT_BURST / LIMIT_RATE s), which is the state a new bucket starts in:
 * so no uid can reset another's bucket by evicting it. A full table of
 * spent buckets refuses new uids until one refills. All uids but root also
 * share one bucket of LIMIT_TOTAL_RATE a second. The negative cache is
 * a small fixed table too: an attacker can evict entries, not grow memory. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "hashmap.h"
#include "log.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void refill(struct limit_bucket *b, double now, double rate, double burst)
{
	b->tokens += (now - b->at) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at = now;
}

void limits_init(struct limits *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	l->root = (struct limit_bucket){.uid = 0, .used = true, .tokens = LIMIT_BURST};
	l->last_full_log = -60.0;
	l->total_rate = LIMIT_TOTAL_RATE;
	l->total_burst = LIMIT_TOTAL_BURST;
	l->total = (struct limit_bucket){.used = true, .tokens = LIMIT_TOTAL_BURST};
}

void limit_set_total(struct limits *l, double rate, double burst)
{
	pthread_mutex_lock(&l->lock);
	l->total_rate = rate;
	l->total_burst = burst;
	l->total.tokens = burst;
	pthread_mutex_unlock(&l->lock);
}

/* uid's bucket, or a fresh one in an entry nobody needs; NULL if none. */
static struct limit_bucket *find(struct limits *l, uid_t uid, double now)
{
	struct limit_bucket *spare = NULL;

	if (uid == 0)
		return &l->root;
	for (int i = 0; i < LIMIT_BUCKETS; i++) {
		struct limit_bucket *b = &l->v[i];

		if (b->used && b->uid == uid)
			return b;
		if (!spare && (!b->used || b->tokens + (now - b->at) * LIMIT_RATE >= LIMIT_BURST))
			spare = b;
	}
	if (spare)
		*spare = (struct limit_bucket){
		    .uid = uid, .used = true, .tokens = LIMIT_BURST, .at = now};
	return spare;
}

bool limit_allow(struct limits *l, uid_t uid)
{
	double now = now_s();
	struct limit_bucket *b;
	bool ok = false;

	pthread_mutex_lock(&l->lock);
	if (l->root.at == 0)
		l->root.at = l->total.at = now;
	b = find(l, uid, now);
	if (b) {
		refill(b, now, LIMIT_RATE, LIMIT_BURST);
		refill(&l->total, now, l->total_rate, l->total_burst);
		ok = b->tokens >= 1.0 && (uid == 0 || l->total.tokens >= 1.0);
		if (ok)
			b->tokens -= 1.0;
		if (ok && uid != 0)
			l->total.tokens -= 1.0;
	}
	if (!b && now - l->last_full_log >= 60.0) {
		l->last_full_log = now; /* once a minute: the log is no one's to flood */
		sb_log(LOG_WARNING, "rate limit: %d uids metered at once, uid %ld refused",
		       LIMIT_BUCKETS, (long)uid);
	}
	pthread_mutex_unlock(&l->lock);
	return ok;
}

bool neg_cached(struct limits *l, const char *key, unsigned ttl)
{
	uint64_t h = sb_hash_str(key);
	bool hit;

	pthread_mutex_lock(&l->lock);
	hit = l->neg[h % LIMIT_NEG_SLOTS].hash == h &&
	      time(NULL) - l->neg[h % LIMIT_NEG_SLOTS].at < (time_t)ttl;
	pthread_mutex_unlock(&l->lock);
	return hit;
}

void neg_add(struct limits *l, const char *key)
{
	uint64_t h = sb_hash_str(key);

	pthread_mutex_lock(&l->lock);
	l->neg[h % LIMIT_NEG_SLOTS].hash = h;
	l->neg[h % LIMIT_NEG_SLOTS].at = time(NULL);
	pthread_mutex_unlock(&l->lock);
}

void neg_forget(struct limits *l, const char *key)
{
	uint64_t h = sb_hash_str(key);

	pthread_mutex_lock(&l->lock);
	if (l->neg[h % LIMIT_NEG_SLOTS].hash == h)
		l->neg[h % LIMIT_NEG_SLOTS].hash = 0;
	pthread_mutex_unlock(&l->lock);
}
