/* daemon_ask.c — "ask the daemon, then look again" (daemon_ask.h). Runs in
 * the NSS module inside any process: no allocation, no stdio, nothing kept
 * between calls; what to remember (a negative cache, a back-off) is the
 * caller's. */
#include "daemon_ask.h"

#include <string.h>

#include "proto.h"

enum sb_ask_result sb_daemon_ask(const struct sb_daemon_ask *a)
{
	const struct sb_proto_req req = {.socket_path = a->socket_path,
					 .type = a->type,
					 .key = a->key,
					 .key_len = strlen(a->key),
					 .timeout_ms = a->timeout_ms};
	struct sb_proto_reply reply = {.status = SB_RESP_UNAVAIL};

	/* A key no request may carry is a definite no, not a daemon that is
	 * down: callers back off from a down daemon (nss_daemon.c, for
	 * negative_ttl), and one overlong name looked up through nscd would
	 * then stop every process's misses reaching the daemon. */
	if (req.key_len > SB_PROTO_MAX_KEY)
		return SB_ASK_OTHER;

	/* Trust boundary: only the status is read, from a server run by root
	 * or by our own uid (proto.c checks SO_PEERCRED); the data it speaks
	 * of is read from the cache, which the reader checks on its own. */
	if (sb_proto_call(&req, &reply, NULL) < 0)
		return SB_ASK_DOWN;
	return reply.status == a->want ? SB_ASK_YES : SB_ASK_OTHER;
}

/* Trust boundary: the cache file, written by root; sb_cache_open refuses
 * one another user could write and checks its header before mapping it. */
int sb_cache_open_cfg(const struct sb_config *cfg, struct sb_cache **c, struct sb_err *err)
{
	if (sb_cache_open(cfg->cache_path, c, err) < 0)
		return -1;
	sb_cache_set_id_min(*c, cfg->uid_min, cfg->gid_min);
	sb_cache_allow_primary_gid(*c, sb_config_primary_gid(cfg, NULL));
	return 0;
}

enum sb_remap_result sb_daemon_ask_remap(const struct sb_config *cfg, const struct sb_daemon_ask *a,
					 struct sb_cache **c)
{
	struct sb_cache *fresh = NULL;

	if (sb_daemon_ask(a) != SB_ASK_YES)
		return SB_REMAP_NO;
	if (sb_cache_open_cfg(cfg, &fresh, NULL) < 0)
		return SB_REMAP_STALE;
	sb_cache_close(*c);
	*c = fresh;
	return SB_REMAP_AGAIN;
}
