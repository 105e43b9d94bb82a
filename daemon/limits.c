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

#define NEG_SLOTS 4096

struct bucket {
	uid_t uid;
	bool used;
	double tokens, at;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct bucket root_bucket = {.uid = 0, .used = true, .tokens = LIMIT_BURST};
static struct bucket buckets[LIMIT_BUCKETS];
static double last_full_log = -60.0;
/* every uid but root together: someone holding many uids (subordinate
 * uids of a user namespace, say) still cannot multiply the rate */
static double total_rate = LIMIT_TOTAL_RATE, total_burst = LIMIT_TOTAL_BURST;
static struct bucket total_bucket = {.used = true, .tokens = LIMIT_TOTAL_BURST};
static struct {
	uint64_t hash;
	time_t at;
} neg[NEG_SLOTS];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void refill(struct bucket *b, double now, double rate, double burst)
{
	b->tokens += (now - b->at) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at = now;
}

void limit_set_total(double rate, double burst)
{
	pthread_mutex_lock(&lock);
	total_rate = rate;
	total_burst = burst;
	total_bucket.tokens = burst;
	pthread_mutex_unlock(&lock);
}

/* uid's bucket, or a fresh one in an entry nobody needs; NULL if none. */
static struct bucket *find(uid_t uid, double now)
{
	struct bucket *spare = NULL;

	if (uid == 0)
		return &root_bucket;
	for (int i = 0; i < LIMIT_BUCKETS; i++) {
		struct bucket *b = &buckets[i];

		if (b->used && b->uid == uid)
			return b;
		if (!spare && (!b->used || b->tokens + (now - b->at) * LIMIT_RATE >= LIMIT_BURST))
			spare = b;
	}
	if (spare)
		*spare =
		    (struct bucket){.uid = uid, .used = true, .tokens = LIMIT_BURST, .at = now};
	return spare;
}

bool limit_allow(uid_t uid)
{
	double now = now_s();
	struct bucket *b;
	bool ok = false;

	pthread_mutex_lock(&lock);
	if (root_bucket.at == 0)
		root_bucket.at = total_bucket.at = now;
	b = find(uid, now);
	if (b) {
		refill(b, now, LIMIT_RATE, LIMIT_BURST);
		refill(&total_bucket, now, total_rate, total_burst);
		ok = b->tokens >= 1.0 && (uid == 0 || total_bucket.tokens >= 1.0);
		if (ok)
			b->tokens -= 1.0;
		if (ok && uid != 0)
			total_bucket.tokens -= 1.0;
	}
	if (!b && now - last_full_log >= 60.0) {
		last_full_log = now; /* once a minute: the log is no one's to flood */
		sb_log(LOG_WARNING, "rate limit: %d uids metered at once, uid %ld refused",
		       LIMIT_BUCKETS, (long)uid);
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

bool neg_cached(const char *key, unsigned ttl)
{
	uint64_t h = sb_hash_str(key);
	bool hit;

	pthread_mutex_lock(&lock);
	hit = neg[h % NEG_SLOTS].hash == h && time(NULL) - neg[h % NEG_SLOTS].at < (time_t)ttl;
	pthread_mutex_unlock(&lock);
	return hit;
}

void neg_add(const char *key)
{
	uint64_t h = sb_hash_str(key);

	pthread_mutex_lock(&lock);
	neg[h % NEG_SLOTS].hash = h;
	neg[h % NEG_SLOTS].at = time(NULL);
	pthread_mutex_unlock(&lock);
}

void neg_forget(const char *key)
{
	uint64_t h = sb_hash_str(key);

	pthread_mutex_lock(&lock);
	if (neg[h % NEG_SLOTS].hash == h)
		neg[h % NEG_SLOTS].hash = 0;
	pthread_mutex_unlock(&lock);
}
