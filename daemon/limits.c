/* limits.c — what keeps `getent passwd random$RANDOM` in a loop from
 * flooding the tenant: a token bucket per caller uid (20 tenant questions a
 * second, bursts of 50) and a table of recent misses answered from memory
 * for negative_ttl seconds. Small fixed tables: an attacker can evict
 * entries, not grow memory. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "hashmap.h"

#define BUCKETS	  128
#define NEG_SLOTS 4096
#define RATE	  20.0
#define BURST	  50.0

struct bucket {
	uid_t uid;
	bool used;
	double tokens, at;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct bucket buckets[BUCKETS];
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

bool limit_allow(uid_t uid)
{
	struct bucket *b = &buckets[uid % BUCKETS];
	double now = now_s();
	bool ok;

	if (uid == 0)
		return true;
	pthread_mutex_lock(&lock);
	if (!b->used || b->uid != uid) {
		*b = (struct bucket){.uid = uid, .used = true, .tokens = BURST, .at = now};
	}
	b->tokens += (now - b->at) * RATE;
	if (b->tokens > BURST)
		b->tokens = BURST;
	b->at = now;
	ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
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
