/* requests.c — one client connection: read one request frame (bounded size,
 * REQUEST_DEADLINE_MS for the whole of it, however it trickles in),
 * identify the caller, answer, close.
 * Two uids per caller: the peer's (SO_PEERCRED: the effective uid at
 * connect) says what it may ask; the real uid says whose rate-limit bucket
 * pays. The real uid comes from the SCM_CREDENTIALS the kernel attaches to
 * the request (the daemon sets SO_PASSCRED; the clients also send their
 * getuid() explicitly, which the kernel accepts only when it is one of the
 * sender's own uids). A setuid-root program run by a user thus pays from
 * the user's bucket; it cannot lie, it runs its own code, not the user's.
 * Without credentials (an older client) the peer's uid is used. sudo runs
 * PAM with every uid 0: for a caller whose uids are all root, the audit
 * login uid of its session (set by pam_loginuid at login, inherited, not
 * the user's to change) names the user it runs for; sshd, login and
 * services run outside any session (unset) and stay root's. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cache_reader.h"
#include "daemon.h"
#include "log.h"
#include "proto.h"
#include "serve.h"

/* Who asks: the peer's effective uid and the caller's real uid. */
struct caller {
	struct ucred peer;
	uid_t real;
	bool privileged; /* the peer is root (PAM, also inside su or sudo) */
};

/* The peer's audit login uid, or (uid_t)-1: unset, or unreadable. */
static uid_t login_uid(pid_t pid)
{
	char path[64], buf[16], *end;
	unsigned long v;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/loginuid", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (uid_t)-1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return (uid_t)-1;
	buf[n] = '\0';
	v = strtoul(buf, &end, 10);
	return end == buf || v > UINT32_MAX ? (uid_t)-1 : (uid_t)v;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* One recvmsg: the bytes, and the sender's credentials if attached. File
 * descriptors someone sent along are closed. */
static ssize_t recv_creds(int fd, uint8_t *p, size_t n, struct ucred *cr, bool *have_cr)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(8 * sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = p, .iov_len = n};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof(ctl.b)};
	ssize_t r = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (r <= 0)
		return r;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(*cr))) {
			memcpy(cr, CMSG_DATA(c), sizeof(*cr));
			*have_cr = cr->pid != 0; /* 0: nothing was attached */
		} else if (c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < k; i++) {
				int passed;

				memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				close(passed);
			}
		}
	}
	return r;
}

/* Reads one frame before the deadline; the credentials of every chunk must
 * agree (one writer). *real is the sender's real uid when known. */
static int read_request(int fd, uint8_t *buf, size_t size, uint16_t *type, const uint8_t **key,
			size_t *key_len, uid_t *real, bool *have_real)
{
	struct timespec deadline;
	size_t have = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += REQUEST_DEADLINE_MS / 1000;
	deadline.tv_nsec += (long)(REQUEST_DEADLINE_MS % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	for (;;) {
		long r = sb_proto_decode(buf, have, SB_PROTO_MAX_KEY, type, key, key_len);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct ucred cr = {0};
		bool got = false;
		long left = ms_left(&deadline);
		ssize_t n;

		if (r != 0)
			return r > 0 ? 0 : -1;
		if (have == size || left <= 0)
			return -1; /* too big, or not whole within the deadline */
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -1;
		n = recv_creds(fd, buf + have, size - have, &cr, &got);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -1;
		if (have == 0) {
			*have_real = got;
			*real = cr.uid;
		} else if (got && (!*have_real || cr.uid != *real)) {
			return -1; /* a second writer */
		}
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
	char offline[300];
	size_t n;

	pthread_mutex_lock(&d->sync_lock);
	snprintf(out, size,
		 "daemon_pid=%ld\nlast_attempt=%lld\nlast_success=%lld\nlast_ok=%d\n"
		 "syncs=%lu\nlast_error=%.300s\n",
		 (long)getpid(), (long long)d->last_attempt, (long long)d->last_success, d->last_ok,
		 d->syncs_done, d->last_error);
	pthread_mutex_unlock(&d->sync_lock);
	n = strlen(out);
	if (d->cfg.role == SB_ROLE_SUBSCRIBER)
		relay_status_text(d, out + n, size - n);
	else if (tenant_offline(d, offline, sizeof(offline)))
		snprintf(out + n, size - n, "tenant=offline\ntenant_offline=%s\n", offline);
	else
		snprintf(out + n, size - n, "tenant=online\n");
}

/* SB_REQ_ACCOUNT_GROUPS: "name\ngroup\ngroup…" (see proto.h). A live
 * decision with the reason, so for root (PAM) only. */
static uint16_t account_groups(struct daemon *d, const struct caller *who, char *key, char *msg,
			       size_t msg_size)
{
	struct sb_strlist groups = {0};
	char *v[SB_PROTO_MAX_KEY / 2 + 1], *save = NULL, *nl = strchr(key, '\n');
	uint16_t st;

	if (!who->privileged) {
		snprintf(msg, msg_size, "live checks are for root");
		return SB_RESP_DENIED;
	}
	if (nl) {
		*nl = '\0';
		for (char *g = strtok_r(nl + 1, "\n", &save); g; g = strtok_r(NULL, "\n", &save))
			v[groups.n++] = g;
	}
	groups.v = v;
	if (!*key)
		return SB_RESP_BADREQ;
	/* root's own checks are not metered; su or sudo run by a user are */
	if (!uid_privileged(who->real) && !limit_allow(&d->limits, who->real))
		return SB_RESP_BUSY;
	live_tier = live_tier_for(who->real);
	st = op_account(d, key, &groups, msg, msg_size);
	live_tier = LIVE_TIER_ANY;
	return st;
}

/* An account check asked by someone other than root: what the public
 * cache says, never a reason the cache does not hold. A user the cache
 * says is inactive is checked live (metered), so that a user Okta has
 * reactivated gets their keys back through `scimbridge keys`, which sshd
 * runs as nobody; the live result goes into the public cache anyway. */
static uint16_t account_public(struct daemon *d, const struct caller *who, const char *name,
			       char *msg, size_t msg_size)
{
	struct sb_cache *c;
	struct sb_user_view u;
	bool found = false, active = false;
	uint16_t st;

	if (sb_cache_open(d->cfg.cache_path, &c, NULL) < 0)
		return SB_RESP_UNAVAIL;
	if (sb_cache_user_by_name(c, name, &u) && sb_user_servable(&u)) {
		found = true;
		active = u.flags & SB_USER_ACTIVE;
	}
	sb_cache_close(c);
	if (!found)
		return SB_RESP_ACCT_UNKNOWN;
	if (!active && limit_allow(&d->limits, who->real)) {
		st = op_account(d, name, NULL, msg, msg_size);
		if (st == SB_RESP_ACCT_OK)
			return st;
	}
	snprintf(msg, msg_size, "%s", active ? "active (cache)" : "inactive (cache)");
	return active ? SB_RESP_ACCT_OK : SB_RESP_ACCT_EXPIRED;
}

static uint16_t account(struct daemon *d, const struct caller *who, const char *name, char *msg,
			size_t msg_size)
{
	uint16_t st;

	if (!who->privileged)
		return account_public(d, who, name, msg, msg_size);
	/* root's own checks are not metered; su or sudo run by a user are */
	if (!uid_privileged(who->real) && !limit_allow(&d->limits, who->real))
		return SB_RESP_BUSY;
	live_tier = live_tier_for(who->real);
	st = op_account(d, name, NULL, msg, msg_size);
	live_tier = LIVE_TIER_ANY;
	return st;
}

static uint16_t dispatch(struct daemon *d, const struct caller *who, uint16_t type, char *key,
			 char *msg, size_t msg_size)
{
	switch (type) {
	case SB_REQ_USER_BY_NAME:
		return op_lookup_user(d, who->real, key, msg, msg_size);
	case SB_REQ_USER_BY_UID:
	case SB_REQ_GROUP_BY_NAME:
	case SB_REQ_GROUP_BY_GID:
		return from_cache(d, type, key);
	case SB_REQ_ACCOUNT:
		return account(d, who, key, msg, msg_size);
	case SB_REQ_ACCOUNT_GROUPS:
		return account_groups(d, who, key, msg, msg_size);
	case SB_REQ_DEVICE_START:
	case SB_REQ_DEVICE_POLL:
		/* root only (PAM); a user running su pays from their own bucket,
		 * and root's starts from root's miss bucket: sshd asks for them
		 * with any name a remote client types, before authentication */
		if (!who->privileged)
			return SB_RESP_DENIED;
		if ((type == SB_REQ_DEVICE_START || !uid_privileged(who->real)) &&
		    !limit_allow(&d->limits, who->real))
			return SB_RESP_BUSY;
		return type == SB_REQ_DEVICE_START ? device_start(d, who->real, key, msg, msg_size)
						   : device_poll(d, key, msg, msg_size);
	case SB_REQ_STATUS:
		status_text(d, msg, msg_size);
		return SB_RESP_OK;
	case SB_REQ_SYNC:
		if (who->peer.uid != 0)
			return SB_RESP_DENIED;
		return sync_now(d, 300, msg, msg_size) == 0 ? SB_RESP_OK : SB_RESP_UNAVAIL;
	default:
		return SB_RESP_BADREQ;
	}
}

void handle_connection(struct daemon *d, int fd, int slot, const struct ucred *peer)
{
	uint8_t buf[8 + SB_PROTO_MAX_KEY];
	struct timeval tv = {.tv_sec = 1};
	struct caller who = {.peer = *peer, .real = peer->uid};
	const uint8_t *key;
	size_t key_len;
	uint16_t type, status;
	bool have_real = false;
	int one = 1;
	char keystr[SB_PROTO_MAX_KEY + 1], msg[1024] = "";

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	if (read_request(fd, buf, sizeof(buf), &type, &key, &key_len, &who.real, &have_real) < 0 ||
	    memchr(key, '\0', key_len)) {
		sb_log(LOG_DEBUG, "malformed request from pid %ld uid %ld", (long)peer->pid,
		       (long)peer->uid);
		reply(fd, SB_RESP_BADREQ, "malformed request");
		return;
	}
	if (!have_real)
		who.real = peer->uid;
	who.privileged = uid_privileged(peer->uid);
	if (who.privileged && uid_privileged(who.real)) { /* sudo: see the top */
		uid_t session = login_uid(peer->pid);

		if (session != (uid_t)-1 && !uid_privileged(session))
			who.real = session;
	}
	if (peer->pid == getpid()) { /* our own NSS lookups must never come back here */
		reply(fd, SB_RESP_UNAVAIL, "recursion");
		return;
	}
	if (!conn_reclassify(&d->conns, slot, who.real,
			     type == SB_REQ_USER_BY_NAME && uid_privileged(who.real))) {
		reply(fd, SB_RESP_BUSY, "too many connections");
		return;
	}
	memcpy(keystr, key, key_len);
	keystr[key_len] = '\0';
	status = dispatch(d, &who, type, keystr, msg, sizeof(msg));
	reply(fd, status, msg);
}
