/* sync.h — one full sync: every Users and Groups page from the tenant, the
 * mapping (with the sticky ids of the current cache), and an atomic cache
 * write; plus the small status file beside the cache (cache_path.status)
 * that `scimbridge status` reads. Shared by the CLI's `sync` and the daemon. */
#ifndef SB_SYNC_H
#define SB_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "map.h"
#include "scim_client.h"
#include "scim_types.h"

struct sb_sync_report {
	struct sb_map_report map;
	struct sb_client_stats http;
	double seconds;
};

/* Fetch users and groups into the caller's arrays (kept by the daemon to
 * answer misses without a full re-read). Nothing is written. */
int sb_sync_fetch(struct sb_scim_client *c, struct sb_scim_users *users,
		  struct sb_scim_groups *groups, struct sb_err *err);
/* Map and write the cache (sticky ids read from the existing cache). On
 * failure the existing cache is untouched. */
int sb_sync_commit(const struct sb_config *cfg, const struct sb_scim_users *users,
		   const struct sb_scim_groups *groups, const struct sb_map_opts *opts,
		   struct sb_sync_report *rep, struct sb_err *err);
/* fetch + commit + status file. */
int sb_sync_full(const struct sb_config *cfg, struct sb_scim_client *c, struct sb_sync_report *rep,
		 struct sb_err *err);
/* Called for each user or group the mapping skipped, with its userName or
 * displayName (NULL if unknown) looked up for the report. */
typedef void (*sb_sync_skipped_fn)(void *ctx, const char *kind, const char *scim_id,
				   const char *name, const char *reason);
/* sb_sync_full with a skipped-entry callback (the CLI's summary); may be NULL. */
int sb_sync_full_opts(const struct sb_config *cfg, struct sb_scim_client *c,
		      sb_sync_skipped_fn skipped, void *skipped_ctx, struct sb_sync_report *rep,
		      struct sb_err *err);

struct sb_sync_status {
	int64_t last_attempt, last_success; /* unix seconds, 0 = never */
	int ok;				    /* last attempt succeeded */
	char message[512];		    /* last error, or a summary */
	uint64_t users, groups, skipped;
	int64_t last_failure; /* the last failed sync or offline spell, 0 = never */
	char failure[512];    /* and why */
	char reads[512];      /* the daemon: incremental reads, or full only and why */
};
/* The one writer of the status record, for the CLI's sync and the daemon:
 * an outcome on top of the record there is. sync: a sync attempt (sets
 * last_attempt, and last_success when ok); else a change of the tenant's
 * reachability seen by the daemon. ok sets `ok` and `message` either way;
 * a failure also sets last_failure and failure, which stay after later
 * successes. counts (NULL: keep the record's) are those of the cache now
 * served. */
int sb_status_update(const struct sb_config *cfg, bool sync, int ok,
		     const struct sb_map_report *counts, const char *message, struct sb_err *err);
/* The daemon's kind of reads (incremental, or full only and why), kept
 * across updates. */
int sb_status_set_reads(const struct sb_config *cfg, const char *reads, struct sb_err *err);
int sb_status_write(const struct sb_config *cfg, const struct sb_sync_status *st,
		    struct sb_err *err);
int sb_status_read(const struct sb_config *cfg, struct sb_sync_status *st, struct sb_err *err);

#endif
