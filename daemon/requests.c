/* requests.c — one client connection: read one request frame (bounded size,
 * 1 s deadline), identify the caller (SO_PEERCRED), answer, close. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cache_reader.h"
#include "daemon.h"
#include "log.h"
#include "proto.h"

static int read_request(int fd, uint8_t *buf, size_t size, uint16_t *type, const uint8_t **key,
			size_t *key_len)
{
	size_t have = 0;

	for (;;) {
		long r = sb_proto_decode(buf, have, SB_PROTO_MAX_KEY, type, key, key_len);
		ssize_t n;

		if (r != 0)
			return r > 0 ? 0 : -1;
		if (have == size)
			return -1;
		n = recv(fd, buf + have, size - have, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1; /* closed, or the 1 s deadline passed */
		have += (size_t)n;
	}
}

static void reply(int fd, uint16_t status, const char *msg)
{
	uint8_t out[8 + SB_PROTO_MAX_MSG];
	size_t n = sb_proto_encode(out, sizeof(out), status, msg, msg ? strlen(msg) : 0);

	if (n && send(fd, out, n, MSG_NOSIGNAL) < 0)
		sb_log(LOG_DEBUG, "reply: %s", strerror(errno));
}

/* uid/gid/group questions: ids are derived from the tenant's data, so only
 * the cache can answer them; the module already looked there, but the cache
 * may have changed since. */
static uint16_t from_cache(const struct daemon *d, uint16_t type, const char *key)
{
	struct sb_cache *c;
	struct sb_user_view u;
	struct sb_group_view g;
	char *end;
	unsigned long id = strtoul(key, &end, 10);
	int found = 0;

	if (sb_cache_open(d->cfg.cache_path, &c, NULL) < 0)
		return SB_RESP_UNAVAIL;
	sb_cache_allow_primary_gid(c, sb_config_primary_gid(&d->cfg, NULL));
	if (type == SB_REQ_USER_BY_UID)
		found = *key && !*end && sb_cache_user_by_uid(c, (uint32_t)id, &u);
	else if (type == SB_REQ_GROUP_BY_GID)
		found = *key && !*end && sb_cache_group_by_gid(c, (uint32_t)id, &g);
	else
		found = sb_cache_group_by_name(c, key, &g);
	sb_cache_close(c);
	return found ? SB_RESP_FOUND : SB_RESP_NOTFOUND;
}

static void status_text(struct daemon *d, char *out, size_t size)
{
	pthread_mutex_lock(&d->sync_lock);
	snprintf(out, size,
		 "daemon_pid=%ld\nlast_attempt=%lld\nlast_success=%lld\nlast_ok=%d\n"
		 "syncs=%lu\nlast_error=%.300s\n",
		 (long)getpid(), (long long)d->last_attempt, (long long)d->last_success, d->last_ok,
		 d->syncs_done, d->last_error);
	pthread_mutex_unlock(&d->sync_lock);
}

static uint16_t dispatch(struct daemon *d, const struct ucred *peer, uint16_t type, const char *key,
			 char *msg, size_t msg_size)
{
	switch (type) {
	case SB_REQ_USER_BY_NAME:
		return op_lookup_user(d, peer->uid, key, msg, msg_size);
	case SB_REQ_USER_BY_UID:
	case SB_REQ_GROUP_BY_NAME:
	case SB_REQ_GROUP_BY_GID:
		return from_cache(d, type, key);
	case SB_REQ_ACCOUNT:
		if (!limit_allow(peer->uid))
			return SB_RESP_BUSY;
		return op_account(d, key, msg, msg_size);
	case SB_REQ_STATUS:
		status_text(d, msg, msg_size);
		return SB_RESP_OK;
	case SB_REQ_SYNC:
		if (peer->uid != 0)
			return SB_RESP_DENIED;
		return sync_now(d, 300, msg, msg_size) == 0 ? SB_RESP_OK : SB_RESP_UNAVAIL;
	default:
		return SB_RESP_BADREQ;
	}
}

void handle_connection(struct daemon *d, int fd)
{
	uint8_t buf[8 + SB_PROTO_MAX_KEY];
	struct timeval tv = {.tv_sec = 1};
	struct ucred peer = {0};
	socklen_t len = sizeof(peer);
	const uint8_t *key;
	size_t key_len;
	uint16_t type, status;
	char keystr[SB_PROTO_MAX_KEY + 1], msg[1024] = "";

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0)
		return;
	if (read_request(fd, buf, sizeof(buf), &type, &key, &key_len) < 0 ||
	    memchr(key, '\0', key_len)) {
		sb_log(LOG_DEBUG, "malformed request from pid %ld uid %ld", (long)peer.pid,
		       (long)peer.uid);
		reply(fd, SB_RESP_BADREQ, "malformed request");
		return;
	}
	if (peer.pid == getpid()) { /* our own NSS lookups must never come back here */
		reply(fd, SB_RESP_UNAVAIL, "recursion");
		return;
	}
	memcpy(keystr, key, key_len);
	keystr[key_len] = '\0';
	status = dispatch(d, &peer, type, keystr, msg, sizeof(msg));
	reply(fd, status, msg);
}
