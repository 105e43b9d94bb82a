/* test_nscd_notify.c — sb_nscd_invalidate against a fake nscd that reads a
 * request as glibc's nscd does: the header with a blocking read, then the key
 * at once from a non-blocking socket, dropping the request when the key is
 * not there yet. That race is made deterministic: this file interposes
 * send(2) and sendmsg(2) (libcommon.a binds to them at link time), and after
 * each call the client waits until the server has tried to read the key. A
 * request sent in two calls then loses its key every time, as it did in 5
 * of 100 runs of tests/e2e/nscd.sh against a real nscd on a loaded host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "nscd_notify.h"

struct fake_nscd {
	char dir[64];
	char path[96];
	int lfd;
	pthread_t thread;
	char got[2][16]; /* the keys of the requests read whole */
	int n_got, n_dropped;
	int joined;
};

/* Key read attempts so far: the interposed sends wait for the next one. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int key_attempts;
static int server_running;

static void note_key_attempt(void)
{
	pthread_mutex_lock(&mu);
	key_attempts++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

/* Bounded: a send the server never answers (not ours) waits 5 s at most. */
static void wait_key_attempt(int before)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&mu);
	while (server_running && key_attempts == before)
		if (pthread_cond_timedwait(&cv, &mu, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&mu);
}

static int attempts_now(void)
{
	int n;

	pthread_mutex_lock(&mu);
	n = key_attempts;
	pthread_mutex_unlock(&mu);
	return n;
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	int before = attempts_now();
	ssize_t r = syscall(SYS_sendto, fd, buf, len, flags, NULL, 0);

	wait_key_attempt(before);
	return r;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	int before = attempts_now();
	ssize_t r = syscall(SYS_sendmsg, fd, msg, flags);

	wait_key_attempt(before);
	return r;
}

static int read_header(int fd, int32_t hdr[3])
{
	size_t have = 0;

	while (have < 12) {
		ssize_t k = read(fd, (char *)hdr + have, 12 - have);

		if (k <= 0)
			return -1;
		have += (size_t)k;
	}
	return 0;
}

/* One connection, the way nscd's handle_request reads it. */
static void serve_one(struct fake_nscd *s, int fd)
{
	int32_t hdr[3], ok = 0;
	char key[16];
	ssize_t k;

	if (read_header(fd, hdr) < 0 || hdr[0] != 2 || hdr[1] != 10 || hdr[2] <= 0 ||
	    hdr[2] > (int32_t)sizeof(key))
		return;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	k = read(fd, key, (size_t)hdr[2]);
	if (k == hdr[2] && key[k - 1] == '\0' && s->n_got < 2) {
		memcpy(s->got[s->n_got++], key, (size_t)k);
		k = write(fd, &ok, sizeof(ok));
	} else {
		s->n_dropped++; /* nscd: "short read while reading request key" */
	}
	note_key_attempt();
}

static void *server_main(void *arg)
{
	struct fake_nscd *s = arg;

	for (int i = 0; i < 2; i++) {
		int fd = accept(s->lfd, NULL, NULL);

		if (fd < 0)
			break;
		serve_one(s, fd);
		close(fd);
	}
	pthread_mutex_lock(&mu);
	server_running = 0;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static int setup(void **state)
{
	struct fake_nscd *s = calloc(1, sizeof(*s));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (!s)
		return -1;
	strcpy(s->dir, "/tmp/sb_nscdXXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->path, sizeof(s->path), "%s/socket", s->dir);
	strncpy(sa.sun_path, s->path, sizeof(sa.sun_path) - 1);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(s->lfd, 4) < 0)
		return -1;
	key_attempts = 0;
	server_running = 1;
	if (pthread_create(&s->thread, NULL, server_main, s) != 0)
		return -1;
	*state = s;
	return 0;
}

/* Ends the server (a pending accept fails) and waits for it. */
static void stop_server(struct fake_nscd *s)
{
	if (s->joined)
		return;
	shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	s->joined = 1;
}

static int teardown(void **state)
{
	struct fake_nscd *s = *state;

	stop_server(s);
	close(s->lfd);
	unlink(s->path);
	rmdir(s->dir);
	free(s);
	return 0;
}

/* Both databases invalidated, even though the server reads each key the
 * moment the header is in: the request must arrive whole. */
static void test_request_arrives_whole(void **state)
{
	struct fake_nscd *s = *state;

	int n = sb_nscd_invalidate(s->path);

	stop_server(s);
	assert_int_equal(s->n_dropped, 0);
	assert_int_equal(s->n_got, 2);
	assert_string_equal(s->got[0], "passwd");
	assert_string_equal(s->got[1], "group");
	assert_int_equal(n, 2);
}

static void test_no_nscd(void **state)
{
	(void)state;
	assert_int_equal(sb_nscd_invalidate("/nonexistent/nscd/socket"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_request_arrives_whole, setup, teardown),
	    cmocka_unit_test(test_no_nscd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
