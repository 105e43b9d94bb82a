/* proto.c — framing and the client call of the daemon protocol (proto.h).
 * The client runs inside the NSS module in any process: no signals
 * (MSG_NOSIGNAL), no allocation, no stdio, one deadline for the whole call.
 * It talks only to a server run by root or by its own effective uid
 * (SO_PEERCRED), so a process that took the socket's place while the daemon
 * was down cannot answer "active" to PAM; and it sends its credentials with
 * the request (SCM_CREDENTIALS, checked by the kernel), so the daemon meters
 * a setuid program by the user who ran it. */
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HDR 8

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

size_t sb_proto_encode(uint8_t *buf, size_t size, uint16_t type_or_status, const void *data,
		       size_t len)
{
	if (len > 0xffff || size < HDR + len)
		return 0;
	put32(buf, SB_PROTO_MAGIC);
	buf[4] = (uint8_t)(type_or_status >> 8);
	buf[5] = (uint8_t)type_or_status;
	buf[6] = (uint8_t)(len >> 8);
	buf[7] = (uint8_t)len;
	if (len)
		memcpy(buf + HDR, data, len);
	return HDR + len;
}

long sb_proto_decode(const uint8_t *buf, size_t len, size_t max_len, uint16_t *type_or_status,
		     const uint8_t **data, size_t *data_len)
{
	size_t n;

	if (len >= 4 && get32(buf) != SB_PROTO_MAGIC)
		return -1;
	if (len < 4 && memcmp(buf, "\x53\x43\x42\x31", len) != 0)
		return -1;
	if (len < HDR)
		return 0;
	n = (size_t)buf[6] << 8 | buf[7];
	if (n > max_len)
		return -1;
	if (len < HDR + n)
		return 0;
	*type_or_status = (uint16_t)(buf[4] << 8 | buf[5]);
	*data = buf + HDR;
	*data_len = n;
	return (long)(HDR + n);
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Waits for fd to become ready for `events` before the deadline. */
static int wait_fd(int fd, short events, const struct timespec *deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	long left;
	int r;

	do {
		left = ms_left(deadline);
		if (left <= 0)
			return -1;
		r = poll(&p, 1, (int)left);
	} while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

/* A non-blocking connect (an AF_UNIX connect completes or fails at once,
 * never EINPROGRESS); a full listen backlog (EAGAIN) is tried again
 * every BACKLOG_RETRY_MS until the deadline: anyone can fill the backlog
 * with connect() calls the daemon closes at once, and PAM's answer must
 * not depend on winning one race for it. */
#define BACKLOG_RETRY_MS 2
static int connect_once(const struct sockaddr_un *sa, const struct timespec *deadline)
{
	const struct timespec pause = {.tv_nsec = BACKLOG_RETRY_MS * 1000000L};

	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

		if (fd < 0 || connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return fd;
		if (errno != EAGAIN || ms_left(deadline) <= BACKLOG_RETRY_MS) {
			int e = errno;

			close(fd);
			errno = e;
			return -2;
		}
		close(fd);
		nanosleep(&pause, NULL);
	}
}

static int connect_unix(const char *path, const struct timespec *deadline, struct sb_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, e;

	if (strlen(path) >= sizeof(sa.sun_path))
		return sb_err_set(err, SB_E_NETWORK, "socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = connect_once(&sa, deadline);
	if (fd >= 0)
		return fd;
	e = errno;
	if (fd == -1)
		return sb_err_sys(err, e, "socket");
	sb_err_set(err, SB_E_NETWORK, "cannot connect to %s: %s", path,
		   e == EAGAIN ? "backlog full until the deadline" : strerror(e));
	if (err)
		err->sys_errno = e;
	return -1;
}

/* Root, or ourselves: anyone else may be an impostor. */
static int server_trusted(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 &&
	       (cr.uid == 0 || cr.uid == geteuid());
}

/* The first bytes go with our pid, real uid and real gid attached. */
static ssize_t send_creds(int fd, const uint8_t *p, size_t n)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct ucred cr = {.pid = getpid(), .uid = getuid(), .gid = getgid()};
	struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof(ctl.b)};
	struct cmsghdr *c;
	ssize_t w;

	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(cr));
	memcpy(CMSG_DATA(c), &cr, sizeof(cr));
	w = sendmsg(fd, &m, MSG_NOSIGNAL);
	if (w < 0 && (errno == EPERM || errno == EINVAL)) /* then the daemon uses our euid */
		w = send(fd, p, n, MSG_NOSIGNAL);
	return w;
}

static int send_all(int fd, const uint8_t *p, size_t n, const struct timespec *deadline)
{
	int first = 1;

	while (n) {
		ssize_t w = first ? send_creds(fd, p, n) : send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLOUT, deadline) < 0)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		first = 0;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads one response frame into buf; returns its decoded status/message. */
static int recv_frame(int fd, uint8_t *buf, size_t size, const struct timespec *deadline,
		      uint16_t *status, const uint8_t **msg, size_t *msg_len)
{
	size_t have = 0;

	for (;;) {
		long r = sb_proto_decode(buf, have, SB_PROTO_MAX_MSG, status, msg, msg_len);
		ssize_t n;

		if (r > 0)
			return 0;
		if (r < 0 || have == size)
			return -1;
		n = recv(fd, buf + have, size - have, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLIN, deadline) < 0)
				return -1;
			continue;
		}
		if (n <= 0)
			return -1;
		have += (size_t)n;
	}
}

bool sb_proto_no_daemon(const struct sb_err *err)
{
	return err->kind == SB_E_NETWORK &&
	       (err->sys_errno == ENOENT || err->sys_errno == ECONNREFUSED ||
		err->sys_errno == ENOTDIR);
}

static void deadline_in(struct timespec *deadline, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += timeout_ms / 1000;
	deadline->tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline->tv_nsec >= 1000000000) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000;
	}
}

static void copy_msg(struct sb_proto_reply *reply, const uint8_t *m, size_t mlen)
{
	size_t k;

	if (!reply->msg || !reply->msg_size)
		return;
	k = mlen < reply->msg_size - 1 ? mlen : reply->msg_size - 1;
	memcpy(reply->msg, m, k);
	reply->msg[k] = '\0';
}

int sb_proto_call(const struct sb_proto_req *req, struct sb_proto_reply *reply, struct sb_err *err)
{
	uint8_t buf[HDR + SB_PROTO_MAX_MSG];
	struct timespec deadline;
	const uint8_t *m;
	uint16_t status;
	size_t n, mlen;
	int fd, rc = -1;

	if (req->key_len > SB_PROTO_MAX_KEY)
		return sb_err_set(err, SB_E_INTERNAL, "request key too long (%zu bytes)",
				  req->key_len);
	deadline_in(&deadline, req->timeout_ms);
	fd = connect_unix(req->socket_path, &deadline, err);
	if (fd < 0)
		return -1;
	/* Trust boundary: the answer is believed only from root or ourselves. */
	if (!server_trusted(fd)) {
		sb_err_set(err, SB_E_NETWORK, "%s: not served by root, ignored", req->socket_path);
		goto out;
	}
	n = sb_proto_encode(buf, sizeof(buf), req->type, req->key, req->key_len);
	if (send_all(fd, buf, n, &deadline) < 0 ||
	    recv_frame(fd, buf, sizeof(buf), &deadline, &status, &m, &mlen) < 0) {
		sb_err_set(err, SB_E_NETWORK, "%s: no valid answer within %d ms", req->socket_path,
			   req->timeout_ms);
		goto out;
	}
	reply->status = status;
	copy_msg(reply, m, mlen);
	rc = 0;
out:
	close(fd);
	return rc;
}
