/* proto.h — the daemon's AF_UNIX stream protocol (DESIGN.md "The socket").
 * One request, one response, then the connection closes.
 *   request:  u32 magic 'SCB1' | u16 type | u16 key_len | key bytes (≤ 1024)
 *   response: u32 magic 'SCB1' | u16 status | u16 msg_len | msg bytes (≤ 4096)
 * All integers big-endian. A lookup answers only FOUND/NOTFOUND/UNAVAIL: on
 * FOUND the daemon has already written the entry into the cache, and the
 * caller re-reads the cache (the data never travels over the socket). */
#ifndef SB_PROTO_H
#define SB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SB_PROTO_MAGIC	 0x53434231u /* "SCB1" */
#define SB_PROTO_MAX_KEY 1024
#define SB_PROTO_MAX_MSG 4096

enum sb_req_type {
	SB_REQ_USER_BY_NAME = 1,  /* key: login name */
	SB_REQ_USER_BY_UID = 2,	  /* key: decimal uid */
	SB_REQ_GROUP_BY_NAME = 3, /* key: group name */
	SB_REQ_GROUP_BY_GID = 4,  /* key: decimal gid */
	SB_REQ_ACCOUNT = 5,	  /* key: login name; live account check for PAM */
	SB_REQ_STATUS = 6,	  /* key: empty; msg: key=value lines */
	SB_REQ_SYNC = 7,	  /* key: empty; root only: full sync now */
	/* key: login name, then "\n" and one allowed group per line (the
	 * caller's allowed_groups; none: any group). Root only. The live account
	 * check with group membership read live too; msg: the reason. */
	SB_REQ_ACCOUNT_GROUPS = 16,
	/* Device sign-in (DESIGN.md "Sign-in"), root only. START: key login
	 * name; OK msg: handle=, verification_uri=, verification_uri_complete=,
	 * user_code=, expires_in=, interval= lines. POLL: key the handle;
	 * DEV_PENDING/DEV_SLOW_DOWN msg interval=N; OK msg login=NAME (the ID
	 * token verified, the name is the user's and active); DEV_DENIED,
	 * DEV_EXPIRED, DEV_REFUSED, UNAVAIL msg: the reason. */
	SB_REQ_DEVICE_START = 20,
	SB_REQ_DEVICE_POLL = 21,
};

enum sb_resp_status {
	SB_RESP_FOUND = 0,
	SB_RESP_NOTFOUND = 1,
	SB_RESP_UNAVAIL = 2,	    /* tenant unreachable or daemon cannot decide */
	SB_RESP_ACCT_OK = 3,	    /* active and allowed */
	SB_RESP_ACCT_EXPIRED = 4,   /* deactivated, disabled or deleted (msg: why) */
	SB_RESP_ACCT_DENIED = 5,    /* not in allowed_groups */
	SB_RESP_ACCT_UNKNOWN = 6,   /* not a directory user */
	SB_RESP_BADREQ = 7,	    /* malformed or oversized request */
	SB_RESP_BUSY = 8,	    /* rate limited */
	SB_RESP_OK = 9,		    /* STATUS/SYNC done */
	SB_RESP_DENIED = 10,	    /* caller not permitted (SYNC by non-root) */
	SB_RESP_DEV_PENDING = 11,   /* not approved yet: poll again after interval */
	SB_RESP_DEV_SLOW_DOWN = 12, /* the provider raised the interval */
	SB_RESP_DEV_DENIED = 13,    /* the user said no */
	SB_RESP_DEV_EXPIRED = 14,   /* the code ran out (or the handle is unknown) */
	SB_RESP_DEV_REFUSED = 15,   /* approved, but the token or the user is refused */
};

/* One request of the client: where to, what, and how long in all. */
struct sb_proto_req {
	const char *socket_path;
	uint16_t type;	 /* enum sb_req_type */
	const char *key; /* key_len bytes, ≤ SB_PROTO_MAX_KEY (0: may be NULL) */
	size_t key_len;
	int timeout_ms; /* connect, send and answer, all together */
};

/* The answer. status is written only when the call succeeds (a caller sets
 * the value it wants to see otherwise); the message is copied, truncated
 * and NUL-terminated, into msg (msg_size bytes; NULL or 0: dropped). */
struct sb_proto_reply {
	uint16_t status; /* enum sb_resp_status */
	char *msg;
	size_t msg_size;
};

/* Client side: connect (SOCK_CLOEXEC), send, wait for the answer, all within
 * req->timeout_ms; MSG_NOSIGNAL, no SIGPIPE. Returns 0 with reply->status
 * set, or -1 (SB_E_NETWORK: no daemon, timeout, bad answer). When nothing
 * listens (no socket, connection refused) err->sys_errno is set:
 * sb_proto_no_daemon() tells "not running" from "not answering". */
int sb_proto_call(const struct sb_proto_req *req, struct sb_proto_reply *reply, struct sb_err *err);

bool sb_proto_no_daemon(const struct sb_err *err);

/* Framing helpers for the daemon (pure, testable). */
size_t sb_proto_encode(uint8_t *buf, size_t size, uint16_t type_or_status, const void *data,
		       size_t len);
/* Returns bytes consumed (a whole frame), 0 if more bytes are needed, -1 if
 * malformed or over max_len. */
long sb_proto_decode(const uint8_t *buf, size_t len, size_t max_len, uint16_t *type_or_status,
		     const uint8_t **data, size_t *data_len);

#endif
