/* server.c — the listening socket and the accept loop. Each connection gets
 * a short-lived thread, within limits that keep the daemon answering root
 * (PAM) however many connections other users open (issue 14):
 *   at most MAX_CLIENTS connections at once; the last ROOT_RESERVE of them
 *   only for peers with uid 0; at most PER_UID_CONNS for any other uid;
 *   a request must arrive whole within REQUEST_DEADLINE_MS (requests.c).
 * The uid is first the peer's (SO_PEERCRED, an effective uid; for uid 0 the
 * real uid in /proc, see holder_uid); once the request is read it becomes
 * the caller's real uid (requests.c), so a setuid-root program run by a
 * user counts as that user. Root's misses count as one more "user" with
 * PER_UID_CONNS and no share of root's reserve: they are names that remote
 * users choose (sshd looks them up before authentication), and with a slow
 * tenant each holds its connection for up to 2 × timeout, so 50 of them
 * (root's burst) could otherwise hold every connection PAM needs.
 * A connection over a limit is closed at once, which the modules treat as
 * "no daemon". */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

struct conn {
	struct daemon *d;
	int fd, slot;
	struct ucred peer;
};

bool uid_privileged(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

void conn_slots_init(struct conn_slots *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
}

/* May one more connection of `uid` (or one more of root's misses) run,
 * `self` (a slot, or -1) not counted? s->lock held. */
static bool room_for(const struct conn_slots *s, uid_t uid, bool root_miss, int self)
{
	int total = 0, same = 0;

	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (!s->v[i].used || i == self)
			continue;
		total++;
		if (s->v[i].root_miss == root_miss && (root_miss || s->v[i].uid == uid))
			same++;
	}
	if (total >= MAX_CLIENTS)
		return false;
	if (!root_miss && uid_privileged(uid))
		return true;
	return total < MAX_CLIENTS - ROOT_RESERVE && same < PER_UID_CONNS;
}

static int slot_take(struct conn_slots *s, uid_t uid)
{
	int slot = -1;

	pthread_mutex_lock(&s->lock);
	if (room_for(s, uid, false, -1))
		for (int i = 0; i < MAX_CLIENTS && slot < 0; i++)
			if (!s->v[i].used)
				slot = i;
	if (slot >= 0)
		s->v[slot].used = true, s->v[slot].root_miss = false, s->v[slot].uid = uid;
	pthread_mutex_unlock(&s->lock);
	return slot;
}

bool conn_reclassify(struct conn_slots *s, int slot, uid_t real_uid, bool root_miss)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = room_for(s, real_uid, root_miss, slot);
	if (ok)
		s->v[slot].uid = real_uid, s->v[slot].root_miss = root_miss;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

static void slot_give(struct conn_slots *s, int slot)
{
	pthread_mutex_lock(&s->lock);
	s->v[slot].used = false;
	pthread_mutex_unlock(&s->lock);
}

bool conns_idle_by(struct conn_slots *s, const struct timespec *until)
{
	for (;;) {
		struct timespec now, nap = {.tv_nsec = 10 * 1000000};
		bool busy = false;

		pthread_mutex_lock(&s->lock);
		for (int i = 0; i < MAX_CLIENTS && !busy; i++)
			busy = s->v[i].used;
		pthread_mutex_unlock(&s->lock);
		clock_gettime(CLOCK_REALTIME, &now);
		if (!busy || now.tv_sec > until->tv_sec ||
		    (now.tv_sec == until->tv_sec && now.tv_nsec >= until->tv_nsec))
			return !busy;
		nanosleep(&nap, NULL);
	}
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;

	handle_connection(c->d, c->fd, c->slot, &c->peer);
	close(c->fd);
	slot_give(&c->d->conns, c->slot);
	free(c);
	return NULL;
}

/* The uid a connection counts against until its request arrives: the
 * peer's, except that a uid-0 peer whose real uid is a user's (a setuid
 * program that user ran, and may have stopped between its connect() and
 * its request) counts as that user. /proc is racy (the pid may be gone or
 * reused), which is why it decides no privilege; here a wrong read at worst
 * leaves the connection in root's share, as before. (requests.c reads the
 * login uid the same way, of a caller still waiting for its answer.) */
static uid_t holder_uid(const struct ucred *peer)
{
	char path[64], buf[2048];
	const char *line;
	unsigned long ruid;
	ssize_t n;
	int fd;

	if (peer->uid != 0 || peer->pid <= 0)
		return peer->uid;
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)peer->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return peer->uid;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return peer->uid;
	buf[n] = '\0';
	line = strstr(buf, "\nUid:");
	if (!line || sscanf(line, "\nUid: %lu", &ruid) != 1)
		return peer->uid;
	return (uid_t)ruid;
}

static void spawn(struct daemon *d, int fd)
{
	struct conn *c = malloc(sizeof(*c));
	socklen_t len = sizeof(c->peer);
	pthread_attr_t attr;
	pthread_t t;

	if (!c || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len) < 0 ||
	    (c->slot = slot_take(&d->conns, holder_uid(&c->peer))) < 0) {
		free(c);
		close(fd);
		return;
	}
	c->d = d;
	c->fd = fd;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, conn_thread, c) != 0) {
		close(fd);
		slot_give(&d->conns, c->slot);
		free(c);
	}
	pthread_attr_destroy(&attr);
}

/* The socket's directory must be ours and writable by nobody else: then no
 * one can swap the socket for a symlink between bind() and the chmod. */
static int safe_dir(const char *path)
{
	char *copy = strdup(path);
	struct stat st;
	int dfd = -1;

	if (!copy)
		return -1;
	if (mkdir(dirname(copy), 0755) < 0 && errno != EEXIST)
		sb_log(LOG_WARNING, "cannot create %s: %s", copy, strerror(errno));
	dfd = open(copy, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &st) < 0) {
		sb_log(LOG_ERR, "socket directory %s: %s", copy, strerror(errno));
	} else if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		sb_log(LOG_ERR,
		       "socket directory %s must be owned by uid %ld and not "
		       "group- or world-writable",
		       copy, (long)geteuid());
		close(dfd);
		dfd = -1;
	}
	free(copy);
	return dfd;
}

/* 0666 on the socket itself, never through a symlink. */
static int open_up(int dfd, const char *path)
{
	char *copy = strdup(path);
	const char *base;
	struct stat st;
	int rc = -1;

	if (!copy)
		return -1;
	base = basename(copy);
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_uid == geteuid()) {
		rc = fchmodat(dfd, base, 0666, AT_SYMLINK_NOFOLLOW);
		/* older libc/kernels: no flag; the checks above and the
		 * directory nobody else may write make the plain call safe */
		if (rc < 0 && (errno == EOPNOTSUPP || errno == ENOSYS))
			rc = fchmodat(dfd, base, 0666, 0);
	} else {
		errno = EEXIST;
	}
	free(copy);
	return rc;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd = -1, dfd, one = 1;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		sb_log(LOG_ERR, "socket_path too long: %s", path);
		return -1;
	}
	dfd = safe_dir(path);
	if (dfd < 0)
		return -1;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path); /* left by a daemon that died */
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || open_up(dfd, path) < 0 ||
	    listen(fd, 128) < 0) {
		sb_log(LOG_ERR, "cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	close(dfd);
	return fd;
}

int serve_listen(struct daemon *d)
{
	int fd = listen_on(d->cfg.socket_path);

	if (fd >= 0)
		sb_log(LOG_INFO, "listening on %s", d->cfg.socket_path);
	return fd;
}

int serve(struct daemon *d, int fd, int sfd)
{
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};

	while (!d->stopping) {
		int c;

		if (poll(p, 2, -1) <= 0)
			continue;
		if (p[1].revents & POLLIN)
			daemon_signals(d, sfd);
		if (!(p[0].revents & POLLIN) || d->stopping)
			continue;
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			spawn(d, c);
	}
	close(fd);
	unlink(d->cfg.socket_path);
	return 0;
}
