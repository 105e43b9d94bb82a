/* daemon.h — scimbridged's state, all of it in one struct daemon (main.c
 * makes it and daemon_init initialises it), and what each file does with
 * it. Threads: the sync thread (or a subscriber's relay thread), the publish
 * and probe threads, connection threads (one per client, short-lived) and
 * the main thread (accept loop, signals). Each lock and what it guards:
 *   live_lock: which live HTTP clients are in use (live_pool.c);
 *   data_lock: the kept SCIM data, every cache write, `counts`;
 *   sync_lock: the sync thread's wake-up and the status fields;
 *   state_lock: the tenant's online/offline state, and transition_lock
 *   (taken first) one transition and its status write at a time
 *   (tenant_state.c);
 *   limits.lock: the rate-limit buckets and the negative cache (limits.c);
 *   conns.lock: the connection slots (server.c);
 *   pub.lock: a publish being due; pub.run_lock: one publish at a time
 *   (publish_loop.c);
 *   relay.lock: a subscriber's relay checks (relay_loop.c);
 *   dev.lock: pending device sign-ins; dev.prov_lock: the identity
 *   provider's metadata and keys (device_login.c);
 *   doubt_lock: filter_doubt (sync_loop.c).
 * `stopping` is atomic, set once by the main thread. Left in sync_loop.c:
 * the sync thread's own `trust` and the status file's writer lock. */
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
#include "map.h"
#include "names.h"
#include "oidc.h"
#include "scim_client.h"
#include "scim_types.h"

/* server.c: connection limits (man scimbridged(8), "Limits") */
#define MAX_CLIENTS	    64	 /* connection threads at once */
#define ROOT_RESERVE	    16	 /* of them, kept for uid 0 */
#define PER_UID_CONNS	    8	 /* for any one other uid */
#define REQUEST_DEADLINE_MS 1000 /* to read a whole request */

/* Who holds each connection thread: by peer uid until the request is read,
 * then by the caller's real uid (server.c). */
struct conn_slots {
	pthread_mutex_t lock;
	struct {
		bool used;
		bool root_miss; /* a miss lookup asked by root */
		uid_t uid;
	} v[MAX_CLIENTS];
};

/* limits.c: per-uid token bucket and the negative cache of misses. */
#define LIMIT_RATE	  20.0 /* tenant calls a second, per uid */
#define LIMIT_BURST	  50.0
#define LIMIT_BUCKETS	  1024	/* uids metered at once */
#define LIMIT_TOTAL_RATE  100.0 /* all uids but root together */
#define LIMIT_TOTAL_BURST 250.0
#define LIMIT_NEG_SLOTS	  4096 /* misses remembered */

struct limit_bucket {
	uid_t uid;
	bool used;
	double tokens, at;
};

struct limits {
	pthread_mutex_t lock;
	struct limit_bucket root; /* uid 0's misses */
	struct limit_bucket v[LIMIT_BUCKETS];
	double last_full_log;
	/* every uid but root together: someone holding many uids (subordinate
	 * uids of a user namespace, say) still cannot multiply the rate */
	double total_rate, total_burst;
	struct limit_bucket total;
	struct {
		uint64_t hash;
		time_t at;
	} neg[LIMIT_NEG_SLOTS];
};

/* publish_loop.c: role = publisher */
struct publisher {
	pthread_mutex_t run_lock; /* one sb_publish at a time */
	pthread_mutex_t lock;	  /* pending, cond */
	pthread_cond_t cond;
	bool pending;
};

/* relay_loop.c: role = subscriber, the state of its checks (lock) */
struct relay_checks {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	bool requested, running;
	unsigned long done;    /* checks completed */
	struct timespec ended; /* CLOCK_MONOTONIC, of the last check */
	bool checked, ok;      /* a check ran since start; it verified a release */
	uint64_t generation;   /* installed */
	int64_t created, valid_until;
	time_t verified; /* wall clock of the last verified release (0: never) */
	char why[400];	 /* the last failure, escaped */
};

/* device_login.c: SB_REQ_DEVICE_START/POLL (proto.h); at most DEVICE_MAX
 * sign-ins pending at once (4 for a real uid other than root), each
 * dropped when it ends or expires. */
#define DEVICE_MAX	  32
#define DEVICE_HANDLE_LEN 32 /* hex digits: 128 random bits */

struct device_entry {
	bool used, busy; /* busy: a poll of it is under way (no lock held) */
	char handle[DEVICE_HANDLE_LEN + 1];
	char user[SB_NAME_MAX + 1];
	uid_t real; /* who asked (the caller's real uid) */
	struct oidc_device_auth auth;
	struct timespec next_poll; /* monotonic: not before */
	time_t expires;		   /* monotonic seconds */
};

struct device_logins {
	pthread_mutex_t lock; /* v */
	struct device_entry v[DEVICE_MAX];
	/* The provider's metadata and signing keys, fetched once and shared. */
	pthread_mutex_t prov_lock;
	struct oidc_provider prov;
	struct oidc_jwks_http jwks_http;
	struct oidc_keys keys;
	bool have_prov;
};

/* Live tenant calls that may run at once (live_pool.c), in three tiers:
 * anyone's calls (misses, public checks) take only the first LIVE_SHARED
 * clients; account checks a setuid program asks for a user (su, sudo) also
 * the next LIVE_SETUID; root's own checks (sshd, login) any of them. */
#define LIVE_SHARED  3
#define LIVE_SETUID  2
#define LIVE_ROOT    3
#define LIVE_CLIENTS (LIVE_SHARED + LIVE_SETUID + LIVE_ROOT)

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
	bool unwritten;	  /* the kept data changed since the last cache write */
	time_t last_read; /* start of the last successful read of the tenant */

	pthread_mutex_t sync_lock;
	pthread_cond_t sync_cond;
	bool sync_requested;
	unsigned long syncs_done; /* bumped after every attempt */
	int last_ok;
	time_t last_attempt, last_success;
	char last_error[512];
	char last_summary[600];	     /* the last sync's counts, or its error */
	struct sb_map_report counts; /* of the last cache write (data_lock) */
	bool have_counts;

	pthread_mutex_t state_lock;
	bool offline;
	time_t offline_since;
	char offline_why[256];
	pthread_mutex_t transition_lock;
	pthread_cond_t probe_cond; /* state_lock: wakes the probe thread at stop */

	atomic_int stopping; /* set by SIGTERM/SIGINT (main.c) */
	struct conn_slots conns;
	struct limits limits;
	struct publisher pub;
	struct relay_checks relay;
	struct device_logins dev;
	pthread_mutex_t doubt_lock;
	char filter_doubt[400]; /* why filters are doubted ("": they are not) */
};

/* main.c: every lock and table of `d` (not the clients: setup makes them);
 * for tests too. */
void daemon_init(struct daemon *d);
/* main.c: takes what is pending on the signalfd sfd (the accept loop calls
 * it): SIGHUP asks for a sync, SIGTERM/SIGINT stop the daemon and wake every
 * thread's wait. */
void daemon_signals(struct daemon *d, int sfd);

/* sync_loop.c */
void *sync_thread(void *arg);
/* Asks the sync thread for a full sync; waits up to `wait_s` for it
 * (sync_record.c). */
int sync_now(struct daemon *d, int wait_s, char *msg, size_t msg_size);
/* True (and why) when the tenant was seen to ignore filters or says it has
 * none: a miss lookup that finds nothing may then be wrong. */
bool sync_filters_doubted(struct daemon *d, char *why, size_t size);
/* Maps the kept data and rewrites the cache; data_lock held. Clears
 * `unwritten` on success, sets it on failure. */
int commit_locked(struct daemon *d, struct sb_err *err);

/* sync_record.c: writes the status record (sync.h) with the counts of the last cache
 * write: sync says whether this was a sync attempt or a tenant state change. */
void status_record(struct daemon *d, int ok, bool sync, const char *message);
/* sync_record.c: the daemon's kind of reads into the status record; a sync's
 * outcome (status record, tenant state, sync_now's waiters). */
void status_record_reads(struct daemon *d, const char *reads);
void sync_record(struct daemon *d, int ok, const struct sb_err *err, const char *published);

/* publish_loop.c: role = publisher. publish_request marks a publish as
 * due (the publish thread does it); publish_now publishes at once, msg says
 * what (0, or -1 logged: the cache stays, the relay serves the last one). */
void publish_request(struct daemon *d);
int publish_now(struct daemon *d, char *msg, size_t msg_size);
void *publish_thread(void *arg);
/* Ends the publish thread's wait (stop). */
void publish_wake(struct daemon *d);
void publish_init(struct publisher *p);

/* relay_loop.c: role = subscriber, no tenant client (see there).
 * relay_init reads what the last run verified (after daemon_init). */
void relay_checks_init(struct relay_checks *r);
int relay_init(struct daemon *d);
void *relay_thread(void *arg);
/* A check now, not waited for (SIGHUP); relay_wake ends every wait (stop). */
void relay_request(struct daemon *d);
void relay_wake(struct daemon *d);
/* A miss lookup past op_lookup_user's checks (name, cache, negative cache,
 * rate limit): the cache after a relay check. */
uint16_t relay_lookup(struct daemon *d, const char *name);
uint16_t relay_account(struct daemon *d, const char *name, const struct sb_strlist *groups,
		       char *msg, size_t msg_size);
int relay_sync_now(struct daemon *d, int wait_s, char *msg, size_t msg_size);
void relay_status_text(struct daemon *d, char *out, size_t size);

/* tenant_state.c: offline mode (see there) */
void tenant_state_init(struct daemon *d); /* state_lock, transition_lock */
void tenant_state_wake(struct daemon *d); /* ends the probe thread's nap (stop) */
bool tenant_unreachable(const struct sb_err *err);
/* true while offline; msg says since when and why */
bool tenant_offline(struct daemon *d, char *msg, size_t msg_size);
void tenant_failed(struct daemon *d, const char *what, const struct sb_err *err);
void tenant_reached(struct daemon *d, const char *what);
void *probe_thread(void *arg);

/* live_pool.c: a client for one live call, released with its slot. The
 * calling thread sets live_tier for the caller it serves (live_tier_for):
 * the tier says which clients it may take, and root's own account checks'
 * failures alone (besides the sync's) mark the tenant offline
 * (tenant_ops.c). */
enum live_tier { LIVE_TIER_ANY, LIVE_TIER_SETUID, LIVE_TIER_ROOT };
extern _Thread_local enum live_tier live_tier;
/* The tier of an account check asked by a privileged peer whose real uid
 * is `real` (0: root's own; else a setuid program run by that user). */
enum live_tier live_tier_for(uid_t real);
int live_pool_init(struct daemon *d, struct sb_err *err);
struct sb_scim_client *live_acquire(struct daemon *d, int *slot, struct sb_err *err);
void live_release(struct daemon *d, int slot);

/* server.c. The listening socket, made before any thread starts: a refusal (say, a
 * socket directory others may write) then ends the daemon cleanly. */
int serve_listen(struct daemon *d);
/* The accept loop until stopped; also takes the signals on sfd, a
 * signalfd (daemon_signals). */
int serve(struct daemon *d, int fd, int sfd);
void conn_slots_init(struct conn_slots *s);
/* uid 0, or the daemon's own uid (a daemon run unprivileged for tests) */
bool uid_privileged(uid_t uid);
/* Counts connection `slot` as the caller's real uid from now on, or as one
 * of root's misses (capped like one user's); false (answer BUSY) when
 * there is no room left. */
bool conn_reclassify(struct conn_slots *s, int slot, uid_t real_uid, bool root_miss);
/* True once no connection thread holds a slot; false if one still does at
 * `until` (CLOCK_REALTIME). */
bool conns_idle_by(struct conn_slots *s, const struct timespec *until);

/* requests.c */
struct ucred;
void handle_connection(struct daemon *d, int fd, int slot, const struct ucred *peer);

/* tenant_ops.c */
/* The user `name` in the cache (above uid_min: never root), its SCIM id and
 * flags when asked for; the relay's lookups use it too. */
bool cache_has_user(const struct sb_config *cfg, const char *name, char *scim_id, size_t id_size,
		    uint32_t *flags);
uint16_t op_lookup_user(struct daemon *d, uid_t caller, const char *name, char *msg,
			size_t msg_size);
/* groups: the caller's allowed_groups, checked live (NULL: not checked) */
uint16_t op_account(struct daemon *d, const char *name, const struct sb_strlist *groups, char *msg,
		    size_t msg_size);

/* account_groups.c: 1 if the user (SCIM id) is, live, in one of the groups
 * (directly or through a nested group), naming it in which; 0 if not; -1 on
 * a tenant error. */
int live_in_groups(struct daemon *d, struct sb_scim_client *c, const char *user_id,
		   const struct sb_strlist *groups, char *which, size_t which_size,
		   struct sb_err *err);
/* The same from the cache (the last sync), for a tenant that refuses the
 * filter. */
int cached_in_groups(struct daemon *d, const char *name, const struct sb_strlist *groups,
		     char *which, size_t which_size);

/* merge.c: changed resources into the kept copy, by SCIM id. merge_users
 * returns how many users were new or different (0: the mapped result cannot
 * change), or -1 (out of memory). */
int merge_users(struct sb_scim_users *kept, struct sb_scim_users *fresh);
int merge_groups(struct sb_scim_groups *kept, struct sb_scim_groups *fresh);

/* device_login.c (struct device_logins, above) */
void device_logins_init(struct device_logins *dev);
uint16_t device_start(struct daemon *d, uid_t real, const char *user, char *msg, size_t msg_size);
uint16_t device_poll(struct daemon *d, const char *handle, char *msg, size_t msg_size);

/* limits.c (struct limits, above). limit_allow takes the caller's real
 * uid; uid 0 has its own bucket, which only root's misses spend (sshd
 * looking up remote names before auth). */
void limits_init(struct limits *l);
bool limit_allow(struct limits *l, uid_t uid);
/* For tests: the shared bucket's rate and burst, refilled. */
void limit_set_total(struct limits *l, double rate, double burst);
bool neg_cached(struct limits *l, const char *key, unsigned ttl);
void neg_add(struct limits *l, const char *key);
void neg_forget(struct limits *l, const char *key);

#endif
