/* nscd_notify.c — the request `nscd -i passwd` sends, made directly so a
 * sync needs no nscd binary: glibc's nscd protocol version 2, request type
 * INVALIDATE, the database name as key, one int32 answer (0 = done).
 * Header and key leave in one sendmsg, as nscd's own client sends them with
 * one writev: nscd reads the key from its non-blocking socket right after
 * the header and drops the request ("short read while reading request key")
 * when it has not arrived yet. Sent in two calls, the request lost its key
 * in 5 of 100 runs of tests/e2e/nscd.sh on a loaded host, and nscd went on
 * answering the old entry for positive-time-to-live. */
#include "nscd_notify.h"

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define NSCD_SOCKET	"/var/run/nscd/socket"
#define NSCD_VERSION	2
#define NSCD_INVALIDATE 10 /* request_type in glibc's nscd/nscd-client.h */

struct nscd_request {
	int32_t version, type, key_len;
};

/* The whole request in one call: a few dozen bytes always fit the socket
 * buffer, so a short count means a broken connection, not a partial write. */
static int send_request(int fd, const struct nscd_request *req, const char *db)
{
	struct iovec iov[2] = {{(void *)req, sizeof(*req)}, {(void *)db, (size_t)req->key_len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};

	return sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)(sizeof(*req) + (size_t)req->key_len)
		   ? 0
		   : -1;
}

static int invalidate_one(const char *path, const char *db)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 1};
	struct nscd_request req = {NSCD_VERSION, NSCD_INVALIDATE, (int32_t)strlen(db) + 1};
	int32_t resp = -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), ok = 0;

	if (fd < 0)
		return 0;
	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out; /* no nscd: nothing to tell */
	if (send_request(fd, &req, db) < 0 ||
	    read(fd, &resp, sizeof(resp)) != (ssize_t)sizeof(resp) || resp != 0) {
		sb_log(LOG_WARNING,
		       "nscd at %s did not invalidate its %s cache: it may answer "
		       "from its old copy until its time-to-live expires",
		       path, db);
		goto out;
	}
	ok = 1;
out:
	close(fd);
	return ok;
}

int sb_nscd_invalidate(const char *socket_path)
{
	const char *path = socket_path ? socket_path : NSCD_SOCKET;

	return invalidate_one(path, "passwd") + invalidate_one(path, "group");
}
