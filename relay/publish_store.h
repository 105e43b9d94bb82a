/* publish_store.h — what publish.c (deciding) and publish_store.c (the
 * writes) share: one run's state and the writes, in the order publish.c's
 * file comment gives. Internal to relay/. */
#ifndef SB_PUBLISH_STORE_H
#define SB_PUBLISH_STORE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "minisign.h"
#include "publish.h"
#include "release.h"

struct pub {
	const struct sb_config *cfg;
	char dir[PATH_MAX], state[PATH_MAX];
	struct sb_ms_seckey sk;
	char directory[32];
	uint8_t *cache;
	size_t cache_len;
	uint64_t last; /* last generation committed to the state (0: none) */
	struct sb_release rel;
	struct sb_publish_report *rep;
};

/* snprintf into a PATH_MAX buffer; -1 if it did not fit. */
int sb_pub_path(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* publish_dir (made if missing), its by-hash/SHA256 and the private state
 * directory beside it; fills p->dir and p->state. */
int sb_pub_setup_dirs(struct pub *p, struct sb_err *err);
/* The base cache of generation g from the state. */
int sb_pub_load_base(const struct pub *p, uint64_t g, uint8_t **buf, size_t *len);
/* 1. the snapshot of p->cache and the deltas to it into by-hash (p->rel's
 * files), the directory fsynced. */
int sb_pub_write_files(struct pub *p, struct sb_err *err);
/* 2. the new base cache, then the generation number. */
int sb_pub_commit_state(struct pub *p, struct sb_err *err);
/* 3. p->rel signed for the cache (cache, len): kept in the state, then
 * release.minisig and release served. */
int sb_pub_sign_and_serve(struct pub *p, const uint8_t *cache, size_t cache_len,
			  struct sb_err *err);
/* 4. state older than kept, by-hash files no kept release names. */
void sb_pub_prune(struct pub *p);

#endif
