/* subscribe_internal.h — what subscribe.c (a subscriber's check and
 * install) shares with probe.c (`scimbridge check`'s read-only look at the
 * relay): one subscription's state and the steps both run, so that the
 * check verifies with the very code that installs. Internal to relay/. */
#ifndef SB_SUBSCRIBE_INTERNAL_H
#define SB_SUBSCRIBE_INTERNAL_H

#include <limits.h>
#include <stdint.h>

#include "minisign.h"
#include "relayfile.h"
#include "release.h"
#include "subscribe.h"

struct sub {
	const struct sb_config *cfg;
	struct sb_ms_pubkey pk;
	char directory[32];
	char base_url[PATH_MAX];
	struct sb_relay_state st;
	struct sb_release rel;
	struct sb_relay_cache want;
	struct sb_subscribe_report *rep;
	struct sb_relay_probe *probe; /* sb_relay_probe: read only, no 304 */
	enum sb_release_verdict verdict;
	char etag[256], last_modified[128];
	char trusted[SB_MS_TRUSTED_COMMENT_MAX]; /* authenticated by the signature */
};

/* relay_url and relay_public_key, the directory id, the state file. */
int sb_sub_setup(struct sub *s, struct sb_err *err);
/* The release and its signature, verified; one retry of the pair. */
int sb_sub_fetch_release(struct sub *s, struct sb_err *err);
/* The release's verdict for this host (directory, rollback, valid-until). */
int sb_sub_judge(struct sub *s, struct sb_err *err);
/* The snapshot, downloaded, checked and decoded into *out. */
int sb_sub_from_snapshot(struct sub *s, uint8_t **out, struct sb_err *err);

#endif
