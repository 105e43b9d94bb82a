/* daemon.h — scimbridged's shared state. Three kinds of thread touch it:
 * the sync thread (periodic full sync, own HTTP client), connection threads
 * (one per client, short-lived) and the main thread (accept loop, signals).
 *   live_lock guards which live HTTP clients (account checks, miss
 *   lookups) are in use (live_pool.c);
 *   data_lock guards the kept SCIM data and every cache write;
 *   sync_lock guards the sync thread's wake-up and the status fields. */
#ifndef SCIMBRIDGED_H
#define SCIMBRIDGED_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "config.h"
#include "scim_client.h"
#include "scim_types.h"

/* Live tenant calls that may run at once (live_pool.c). */
#define LIVE_CLIENTS 4

struct daemon {
	struct sb_config cfg;
	struct sb_scim_client *sync_client;
	struct sb_scim_client *live[LIVE_CLIENTS]; /* made when first needed */
	bool live_busy[LIVE_CLIENTS];
	pthread_mutex_t live_lock;
	pthread_cond_t live_cond;

	pthread_mutex_t data_lock;
	struct sb_scim_users users; /* the last full read, plus what misses added */
	struct sb_scim_groups groups;
	bool have_data;
	time_t last_read; /* start of the last successful read of the tenant */

	pthread_mutex_t sync_lock;
	pthread_cond_t sync_cond;
	bool sync_requested;
	unsigned long syncs_done; /* bumped after every attempt */
	int last_ok;
	time_t last_attempt, last_success;
	char last_error[512];
};

extern atomic_int daemon_stopping; /* set by SIGTERM/SIGINT */

/* sync_loop.c */
void *sync_thread(void *arg);
/* Asks the sync thread for a full sync; waits up to `wait_s` for it. */
int sync_now(struct daemon *d, int wait_s, char *msg, size_t msg_size);
/* True (and why) when the tenant was seen to ignore filters or says it has
 * none: a miss lookup that finds nothing may then be wrong. */
bool sync_filters_doubted(char *why, size_t size);
/* Replaces/adds users in the kept data and rewrites the cache; data_lock held. */
int commit_locked(struct daemon *d, struct sb_err *err);

/* live_pool.c: a client for one live call, released with its slot */
int live_pool_init(struct daemon *d, struct sb_err *err);
struct sb_scim_client *live_acquire(struct daemon *d, int *slot, struct sb_err *err);
void live_release(struct daemon *d, int slot);

/* server.c */
int serve(struct daemon *d);

/* requests.c */
void handle_connection(struct daemon *d, int fd);

/* tenant_ops.c */
uint16_t op_lookup_user(struct daemon *d, uid_t caller, const char *name, char *msg,
			size_t msg_size);
uint16_t op_account(struct daemon *d, const char *name, char *msg, size_t msg_size);

/* merge.c: changed resources into the kept copy, by SCIM id */
int merge_users(struct sb_scim_users *kept, struct sb_scim_users *fresh);
int merge_groups(struct sb_scim_groups *kept, struct sb_scim_groups *fresh);

/* limits.c: per-uid token bucket and the negative cache of misses */
bool limit_allow(uid_t uid);
bool neg_cached(const char *key, unsigned ttl);
void neg_add(const char *key);
void neg_forget(const char *key);

#endif
