/* nss_state.c — the module's only global state: the config it needs and the
 * mapped cache, behind a read-write lock. Readers hold the read lock for the
 * length of one lookup (two atomic operations, no syscall); a reload takes
 * the write lock, so a mapping is never unmapped under a reader. A reload
 * happens when the writer has flagged the mapped file superseded — read on
 * every lookup, because nscd asks us again the moment a sync invalidates it
 * and must not get the old answer back (tests/e2e/nscd.sh) — or when a
 * once-a-second stat (timed with the vDSO clock) shows the path replaced by
 * a writer that set no flag. Pages matter: on hosts with page-table
 * isolation and no PCID each syscall (glibc makes one before every NSS call)
 * empties the TLB, so every distinct page a lookup touches costs a walk. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "nss_scim.h"
#include "hot.h"

/* What every lookup reads, kept in one section under 1 KiB aligned to 1 KiB,
 * so on one page: the lock, the cache pointer, the reader state (not on the
 * heap) and the flags (the header comment says why pages count). */
#define HOT_DATA __attribute__((section(".data.nss_scim_hot")))

static pthread_rwlock_t lock HOT_DATA __attribute__((aligned(1024))) =
    PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static pthread_once_t atfork_once HOT_DATA = PTHREAD_ONCE_INIT;
static struct sb_cache *cache HOT_DATA;
/* reader state for the mapped cache and for the one replacing it */
static _Alignas(max_align_t) unsigned char state[2][SB_CACHE_STATE_SIZE] HOT_DATA;
static int state_in_use HOT_DATA;
static bool loaded HOT_DATA, enumerate HOT_DATA, invalid HOT_DATA;
static long next_check HOT_DATA; /* monotonic seconds; set under the write lock */
static char *cache_path;
/* the config's id floors, applied to every mapping this module opens */
static uint32_t uid_min, gid_min;
/* primary_group's local gid, allowed below the id floor (cache_reader.h) */
static uint32_t primary_gid;

SB_HOT static long now_coarse(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long)ts.tv_sec;
}

/* After fork only the calling thread exists: a lock held by another thread
 * would never be released, so the child starts with a fresh lock. The
 * mapping itself is inherited and stays valid. Each file of the module
 * resets its own lock (nss_enum.c, nss_daemon.c do the same). */
static void atfork_child(void)
{
	pthread_rwlock_t fresh = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

	memcpy(&lock, &fresh, sizeof(lock));
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, atfork_child);
}

static void load_config(void)
{
	struct sb_config cfg;
	struct sb_err err = {0};

	sb_log_init("nss_scim", SB_LOG_NONE, 0);
	sb_config_defaults(&cfg);
	/* Trust boundary: the environment of any process. SCIMBRIDGE_CONF is
	 * read with secure_getenv (sb_config_module_path), so a setuid or
	 * setgid program (su, sudo, newgrp) always reads the root-owned
	 * default; anyone else can point only their own lookups elsewhere. */
	if (sb_config_load(sb_config_module_path(), &cfg, &err) < 0) {
		sb_config_free(&cfg);
		sb_config_defaults(&cfg);
	}
	free(cache_path);
	cache_path = strdup(cfg.cache_path ? cfg.cache_path : "/var/lib/scimbridge/cache");
	enumerate = cfg.enumerate;
	uid_min = cfg.uid_min;
	gid_min = cfg.gid_min;
	primary_gid = sb_config_primary_gid(&cfg, NULL);
	nss_daemon_configure(cfg.socket_path, cfg.negative_ttl);
	sb_config_free(&cfg);
	loaded = true;
}

static void reload_locked(void)
{
	struct sb_cache *fresh = NULL;

	if (!loaded)
		load_config();
	next_check = now_coarse() + 1;
	if (cache && !invalid && !sb_cache_superseded(cache) &&
	    sb_cache_is_current(cache, cache_path))
		return;
	invalid = false;
	/* Trust boundary: the cache file, written by root. sb_cache_open_in
	 * refuses a file or directory another user could write (in a setuid
	 * program: anyone but root) and a header whose sections leave the file;
	 * records are then read only through cache_reader's views. */
	if (!cache_path || sb_cache_open_in(cache_path, state[!state_in_use], &fresh, NULL) < 0)
		return; /* keep serving the last good mapping, if any */
	sb_cache_set_id_min(fresh, uid_min, gid_min);
	sb_cache_allow_primary_gid(fresh, primary_gid);
	sb_cache_close(cache);
	cache = fresh;
	state_in_use = !state_in_use;
}

SB_HOT const struct sb_cache *nss_cache_acquire(int *errnop)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_rwlock_rdlock(&lock);
	if (cache && !invalid && !sb_cache_superseded(cache) && now_coarse() < next_check)
		return cache;
	pthread_rwlock_unlock(&lock);

	pthread_rwlock_wrlock(&lock);
	/* A missing cache is retried at most once a second, not on every call. */
	if (!loaded || invalid || now_coarse() >= next_check ||
	    (cache && sb_cache_superseded(cache)))
		reload_locked();
	pthread_rwlock_unlock(&lock);

	pthread_rwlock_rdlock(&lock);
	if (cache)
		return cache;
	pthread_rwlock_unlock(&lock);
	*errnop = ENOENT;
	return NULL;
}

SB_HOT void nss_cache_release(void)
{
	pthread_rwlock_unlock(&lock);
}

void nss_cache_invalidate(void)
{
	pthread_rwlock_wrlock(&lock);
	invalid = true;
	pthread_rwlock_unlock(&lock);
}

enum nss_status nss_cache_open_own(struct sb_cache **out, int *errnop)
{
	enum nss_status st = NSS_STATUS_SUCCESS;

	*out = NULL;
	if (!nss_cache_acquire(errnop))
		return NSS_STATUS_UNAVAIL;
	if (!enumerate) {
		*errnop = ENOENT;
		st = NSS_STATUS_NOTFOUND;
	} else if (sb_cache_open(cache_path, out, NULL) < 0) { /* checked as in reload_locked */
		/* replaced by an unreadable file since the shared mapping was
		 * taken: as a missing cache */
		*errnop = ENOENT;
		st = NSS_STATUS_UNAVAIL;
	} else {
		sb_cache_set_id_min(*out, uid_min, gid_min);
		sb_cache_allow_primary_gid(*out, primary_gid);
	}
	nss_cache_release();
	return st;
}
