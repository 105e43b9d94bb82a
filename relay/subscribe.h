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
#include "release.h"

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

/* How far sb_relay_probe got: the step that failed, or SB_RSTEP_DONE. */
enum sb_relay_step {
	SB_RSTEP_KEY,	    /* relay_public_key decoded */
	SB_RSTEP_RELEASE,   /* relay_url's release answered */
	SB_RSTEP_SIGNATURE, /* release.minisig answered and verifies with the key */
	SB_RSTEP_DOCUMENT,  /* the release parses */
	SB_RSTEP_VERDICT,   /* directory, rollback, valid-until, creation, comment */
	SB_RSTEP_SNAPSHOT,  /* the snapshot decodes to the signed cache */
	SB_RSTEP_DONE,
};

struct sb_relay_probe {
	enum sb_relay_step step;
	char key_id[17];		 /* of relay_public_key */
	char directory[32];		 /* the directory this host follows */
	uint64_t installed;		 /* generation in the state file (0: none) */
	struct sb_release rel;		 /* from SB_RSTEP_VERDICT on */
	enum sb_release_verdict verdict; /* from SB_RSTEP_SNAPSHOT on, or when it refused */
	size_t release_bytes, sig_bytes;
	uint64_t cache_size; /* what the snapshot decodes to (signed) */
	long requests;
};

/* `scimbridge check`'s look at the relay: the same steps as sb_subscribe
 * (unconditional GETs, the same verifier, the installed generation for the
 * rollback check), then the snapshot downloaded and decoded against the
 * signature; installs nothing and writes no state. -1 with err at
 * p->step. */
int sb_relay_probe(const struct sb_config *cfg, struct sb_relay_probe *p, struct sb_err *err);

/* relay_state.c: the state file, for status. -1 when there is none. */
int sb_relay_state_read(const struct sb_config *cfg, struct sb_relay_state *st, struct sb_err *err);
/* Replaces the state file (after each check). */
int sb_relay_state_write(const struct sb_config *cfg, const struct sb_relay_state *st,
			 struct sb_err *err);

#endif
