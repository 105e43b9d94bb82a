/* server.c — the listening socket and the accept loop. Each connection gets
 * a short-lived thread (at most MAX_CLIENTS at once; beyond that the
 * connection is closed at once, which the modules treat as "no daemon"), so
 * a slow client or a slow tenant answer never holds up another caller. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#define MAX_CLIENTS 64

static int active;
static pthread_mutex_t active_lock = PTHREAD_MUTEX_INITIALIZER;

struct conn {
	struct daemon *d;
	int fd;
};

static void *conn_thread(void *arg)
{
	struct conn *c = arg;

	handle_connection(c->d, c->fd);
	close(c->fd);
	free(c);
	pthread_mutex_lock(&active_lock);
	active--;
	pthread_mutex_unlock(&active_lock);
	return NULL;
}

static void spawn(struct daemon *d, int fd)
{
	struct conn *c = malloc(sizeof(*c));
	pthread_attr_t attr;
	pthread_t t;
	bool ok;

	pthread_mutex_lock(&active_lock);
	ok = c && active < MAX_CLIENTS;
	if (ok)
		active++;
	pthread_mutex_unlock(&active_lock);
	if (!ok) {
		free(c);
		close(fd);
		return;
	}
	*c = (struct conn){.d = d, .fd = fd};
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, conn_thread, c) != 0) {
		close(fd);
		free(c);
		pthread_mutex_lock(&active_lock);
		active--;
		pthread_mutex_unlock(&active_lock);
	}
	pthread_attr_destroy(&attr);
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char *dir = strdup(path);
	struct stat st;
	int fd;

	if (!dir || strlen(path) >= sizeof(sa.sun_path)) {
		free(dir);
		sb_log(LOG_ERR, "socket_path too long: %s", path);
		return -1;
	}
	if (mkdir(dirname(dir), 0755) < 0 && errno != EEXIST)
		sb_log(LOG_WARNING, "cannot create the directory of %s: %s", path, strerror(errno));
	free(dir);
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path); /* left by a daemon that died */
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0666) < 0 ||
	    listen(fd, 64) < 0) {
		sb_log(LOG_ERR, "cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int serve(struct daemon *d)
{
	int fd = listen_on(d->cfg.socket_path);

	if (fd < 0)
		return -1;
	sb_log(LOG_INFO, "listening on %s", d->cfg.socket_path);
	while (!daemon_stopping) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int c;

		if (poll(&p, 1, 500) <= 0)
			continue;
		c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			spawn(d, c);
	}
	close(fd);
	unlink(d->cfg.socket_path);
	return 0;
}
