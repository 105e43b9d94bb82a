/* nss_daemon.c — a lookup the cache misses may be a user created in the
 * tenant since the last sync: ask the daemon once, with a short timeout. Misses
 * are remembered for negative_ttl seconds in a small table, so a loop of
 * lookups for names that do not exist costs one socket round trip per name
 * per window, not one per call. Never used inside the daemon itself
 * (SCIMBRIDGE_DAEMON is set there), which would deadlock on its own socket. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon_ask.h"
#include "hashmap.h"
#include "nss_scim.h"
#include "proto.h"

#define NEG_SLOTS  512
#define TIMEOUT_MS 300

struct neg_entry {
	uint64_t hash;
	long expires;
};

static pthread_mutex_t neg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static struct neg_entry neg[NEG_SLOTS];
static char *socket_path;
static unsigned ttl = 60;
static long socket_down_until; /* no daemon: don't try again before this */

void nss_daemon_configure(const char *path, unsigned negative_ttl)
{
	free(socket_path);
	socket_path = path && *path ? strdup(path) : NULL;
	ttl = negative_ttl;
}

/* A forked child starts with a fresh lock (another thread may have held
 * it); registered before the lock is first taken. */
static void atfork_child(void)
{
	pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;

	neg_lock = fresh;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, atfork_child);
}

static long now_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long)ts.tv_sec;
}

static uint64_t key_hash(uint16_t type, const char *key)
{
	return sb_hash_str(key) * 31 + type;
}

/* true if (type, key) missed recently; otherwise records the miss. */
static bool neg_check_and_mark(uint64_t h, long now, bool mark)
{
	struct neg_entry *e = &neg[h % NEG_SLOTS];
	bool hit;

	pthread_mutex_lock(&neg_lock);
	hit = e->hash == h && e->expires > now;
	if (!hit && mark) {
		e->hash = h;
		e->expires = now + (long)ttl;
	}
	pthread_mutex_unlock(&neg_lock);
	return hit;
}

bool nss_daemon_found(uint16_t req_type, const char *key)
{
	long now = now_coarse();
	uint64_t h = key_hash(req_type, key);
	struct sb_daemon_ask a = {
	    .type = req_type, .key = key, .timeout_ms = TIMEOUT_MS, .want = SB_RESP_FOUND};
	enum sb_ask_result r = SB_ASK_DOWN;
	char path[256];
	bool skip;

	/* Plain getenv, not secure_getenv: a user who sets it in a setuid
	 * program only keeps that program from learning of users created since
	 * the last sync (PAM asks the daemon itself), while the daemon must see
	 * it whatever its capabilities, or it would wait on its own socket. */
	if (getenv("SCIMBRIDGE_DAEMON"))
		return false;
	pthread_once(&atfork_once, register_atfork);
	if (neg_check_and_mark(h, now, false))
		return false;
	pthread_mutex_lock(&neg_lock);
	skip = !socket_path || now < socket_down_until;
	if (!skip)
		snprintf(path, sizeof(path), "%s", socket_path);
	pthread_mutex_unlock(&neg_lock);
	if (!skip) {
		a.socket_path = path;
		r = sb_daemon_ask(&a);
	}
	if (!skip && r == SB_ASK_DOWN) {
		pthread_mutex_lock(&neg_lock);
		socket_down_until = now + (ttl ? (long)ttl : 1);
		pthread_mutex_unlock(&neg_lock);
	}
	if (r == SB_ASK_YES)
		return true;
	neg_check_and_mark(h, now, true);
	return false;
}
