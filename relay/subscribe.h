/* subscribe.h — the subscriber's half of the relay (DESIGN.md "Fleet"):
 * read relay_url's release once, verify it, fetch a delta chain or the
 * snapshot, verify every byte against the signed release, install the
 * cache through the same atomic writer as a sync (docs/relay.md,
 * "Subscribing"). Anything wrong keeps the last good cache.
 *
 * State beside the cache, <cache_path>.relay (0644: what status prints):
 * the installed generation (no rollback below it), the installed cache's
 * SHA-256 (a delta is applied only to exactly that base), the release's
 * ETag / Last-Modified for the next conditional GET, its creation and
 * valid-until times, and the last check's time and result. */
#ifndef SB_SUBSCRIBE_H
#define SB_SUBSCRIBE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

/* A release created further ahead of this host's clock is refused. */
#define SB_SUBSCRIBE_SKEW 300

struct sb_relay_state {
	uint64_t generation;
	char cache_hex[65];
	char etag[256], last_modified[128];
	int64_t created, valid_until, checked;
	bool ok;
	char result[400];
};

enum sb_subscribe_action {
	SB_SUB_UNCHANGED, /* 304, or the generation installed */
	SB_SUB_DELTA,	  /* installed through a delta */
	SB_SUB_SNAPSHOT,  /* installed from the snapshot */
};

struct sb_subscribe_report {
	enum sb_subscribe_action action;
	uint64_t from_generation, generation;
	uint64_t bytes; /* downloaded (bodies) */
	long requests;	/* HTTP requests made */
	char note[256]; /* why a delta was not used, if it was not */
};

/* One check of the relay per cfg (relay_url, relay_public_key, timeout,
 * ca_file, cache_path). -1 with err: nothing installed, the cache as it was;
 * err->kind SB_E_NETWORK when the relay counts as unreachable (down, 5xx,
 * stalled, or its release past valid-until). */
int sb_subscribe(const struct sb_config *cfg, struct sb_subscribe_report *rep, struct sb_err *err);

/* relay_state.c: the state file, for status. -1 when there is none. */
int sb_relay_state_read(const struct sb_config *cfg, struct sb_relay_state *st, struct sb_err *err);
/* Replaces the state file (after each check). */
int sb_relay_state_write(const struct sb_config *cfg, const struct sb_relay_state *st,
			 struct sb_err *err);

#endif
