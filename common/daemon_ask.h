/* daemon_ask.h — "ask the daemon, then look again", the client side shared
 * by the NSS module, the PAM module and `scimbridge keys`. The cache may
 * predate what a caller looks for (a user created, or reactivated, in the
 * tenant since the last sync): the caller asks the daemon once, and the
 * daemon writes what it learnt into the cache before it answers. Its answer
 * carries no data (proto.h): on the expected status the caller maps the
 * cache again and repeats its own lookup there. Each caller keeps its own
 * timeout, its own codes and what it does when the daemon is down. */
#ifndef SB_DAEMON_ASK_H
#define SB_DAEMON_ASK_H

#include <stdint.h>

#include "cache_reader.h"
#include "config.h"

/* One question: a request type and its key, and the status that means "the
 * cache now has it" (SB_RESP_FOUND for a lookup, SB_RESP_ACCT_OK for a live
 * account check). */
struct sb_daemon_ask {
	const char *socket_path;
	uint16_t type;
	const char *key; /* NUL-terminated; longer than SB_PROTO_MAX_KEY: not sent */
	int timeout_ms;	 /* for the whole call */
	uint16_t want;
};

enum sb_ask_result {
	SB_ASK_DOWN,  /* no answer: no daemon, none in time, or the key not sent */
	SB_ASK_OTHER, /* the daemon answered something else than want */
	SB_ASK_YES,   /* it answered want: look again */
};

enum sb_ask_result sb_daemon_ask(const struct sb_daemon_ask *a);

/* The cache at cfg's cache_path with the config's id floors (a record below
 * uid_min is never a directory user, whatever the file says) and
 * primary_group's local gid allowed below them; as sb_cache_open. */
int sb_cache_open_cfg(const struct sb_config *cfg, struct sb_cache **c, struct sb_err *err);

enum sb_remap_result {
	SB_REMAP_NO,	/* the daemon did not answer want: *c unchanged */
	SB_REMAP_STALE, /* it did, but the new file could not be mapped: *c unchanged */
	SB_REMAP_AGAIN, /* *c is a fresh mapping (the old one closed): look again */
};

/* Asks a, and on its wanted answer replaces *c (may be NULL) with a fresh
 * mapping of cfg's cache. */
enum sb_remap_result sb_daemon_ask_remap(const struct sb_config *cfg, const struct sb_daemon_ask *a,
					 struct sb_cache **c);

#endif
