/* relayhttp.h — one bounded GET from the relay with libcurl: TLS verified
 * (ca_file), total time bounded by timeout, the body cut off past a size
 * limit, optionally conditional (If-None-Match / If-Modified-Since).
 * Internal to relay/. */
#ifndef SB_RELAYHTTP_H
#define SB_RELAYHTTP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

struct sb_relay_get {
	/* in */
	const char *etag, *last_modified; /* NULL or "": unconditional */
	size_t max;			  /* a body over this is refused */
	/* out */
	long status; /* 200 or 304 (anything else is an error) */
	uint8_t *body;
	size_t len;
	char etag_out[256], last_modified_out[128];
};

/* 0 on 200 or 304; -1 with err: SB_E_NETWORK for no answer (refused,
 * timeout, TLS) and for 5xx, SB_E_HTTP for another status, SB_E_SECURITY
 * for a body over max. */
int sb_relay_http_get(const struct sb_config *cfg, const char *url, struct sb_relay_get *g,
		      struct sb_err *err);

#endif
