/* test_proto.c — the daemon protocol (proto.h): framing round trips and
 * rejects (truncated, oversized, bad magic), and sb_proto_call against a
 * one-shot server thread that answers well, badly, late or never; and the
 * "ask the daemon, then look again" helper on top of it (daemon_ask.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon_ask.h"
#include "proto.h"

enum behaviour { ANSWER, SILENT, BAD_MAGIC, OVERSIZED, CLOSE_EARLY, SPLIT };

struct server {
	char dir[64];
	char path[128];
	int lfd;
	enum behaviour how;
	uint16_t got_type; /* what the server decoded from the request */
	char got_key[SB_PROTO_MAX_KEY + 1];
	pthread_t thread;
};

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads one whole request frame the way the daemon does. */
static void read_request(struct server *s, int fd)
{
	uint8_t buf[8 + SB_PROTO_MAX_KEY];
	const uint8_t *data;
	size_t have = 0, n;
	long r;

	for (;;) {
		ssize_t k = recv(fd, buf + have, sizeof(buf) - have, 0);

		if (k <= 0)
			return;
		have += (size_t)k;
		r = sb_proto_decode(buf, have, SB_PROTO_MAX_KEY, &s->got_type, &data, &n);
		if (r < 0)
			return;
		if (r > 0) {
			memcpy(s->got_key, data, n);
			s->got_key[n] = '\0';
			return;
		}
	}
}

static void answer(struct server *s, int fd)
{
	uint8_t out[8 + 64];
	size_t n = sb_proto_encode(out, sizeof(out), SB_RESP_ACCT_EXPIRED, "deactivated", 11);
	char silence;

	switch (s->how) {
	case ANSWER:
		send(fd, out, n, MSG_NOSIGNAL);
		break;
	case SPLIT: /* a frame that arrives byte by byte must still be read whole */
		for (size_t i = 0; i < n; i++) {
			send(fd, out + i, 1, MSG_NOSIGNAL);
			usleep(2000);
		}
		break;
	case BAD_MAGIC:
		out[0] ^= 0xff;
		send(fd, out, n, MSG_NOSIGNAL);
		break;
	case OVERSIZED: /* claims 65535 message bytes: over SB_PROTO_MAX_MSG */
		out[6] = 0xff;
		out[7] = 0xff;
		send(fd, out, n, MSG_NOSIGNAL);
		break;
	case SILENT: /* holds the connection until the client gives up */
		(void)!recv(fd, &silence, 1, 0);
		break;
	case CLOSE_EARLY:
		send(fd, out, 5, MSG_NOSIGNAL);
		break;
	}
}

static void *serve_once(void *arg)
{
	struct server *s = arg;
	int fd = accept(s->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	read_request(s, fd);
	answer(s, fd);
	close(fd);
	return NULL;
}

static int setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	assert_non_null(s);
	strcpy(s->dir, "/tmp/test_proto.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/socket", s->dir);
	assert_true(strlen(s->path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct server *s = *state;

	close(s->lfd);
	unlink(s->path);
	rmdir(s->dir);
	free(s);
	return 0;
}

static void start(struct server *s, enum behaviour how)
{
	s->how = how;
	assert_int_equal(pthread_create(&s->thread, NULL, serve_once, s), 0);
}

static void test_roundtrip(void **state)
{
	uint8_t buf[64];
	const uint8_t *data;
	uint16_t type = 0;
	size_t n, dlen = 0;

	(void)state;
	n = sb_proto_encode(buf, sizeof(buf), SB_REQ_ACCOUNT, "alice", 5);
	assert_int_equal(n, 13);
	assert_memory_equal(buf, "SCB1\0\5\0\5alice", 13);
	assert_int_equal(sb_proto_decode(buf, n, SB_PROTO_MAX_KEY, &type, &data, &dlen), 13);
	assert_int_equal(type, SB_REQ_ACCOUNT);
	assert_int_equal(dlen, 5);
	assert_memory_equal(data, "alice", 5);
	/* An empty key (STATUS, SYNC) is a whole 8-byte frame. */
	n = sb_proto_encode(buf, sizeof(buf), SB_REQ_STATUS, NULL, 0);
	assert_int_equal(n, 8);
	assert_int_equal(sb_proto_decode(buf, n, SB_PROTO_MAX_KEY, &type, &data, &dlen), 8);
	assert_int_equal(dlen, 0);
}

static void test_truncated_needs_more(void **state)
{
	uint8_t buf[64];
	const uint8_t *data;
	uint16_t type;
	size_t n, dlen;

	(void)state;
	n = sb_proto_encode(buf, sizeof(buf), SB_REQ_USER_BY_NAME, "bob", 3);
	for (size_t len = 0; len < n; len++)
		assert_int_equal(sb_proto_decode(buf, len, SB_PROTO_MAX_KEY, &type, &data, &dlen),
				 0);
}

static void test_oversized(void **state)
{
	static uint8_t big[8 + SB_PROTO_MAX_KEY + 1];
	static char key[SB_PROTO_MAX_KEY + 1];
	uint8_t small[16];
	const uint8_t *data;
	uint16_t type;
	size_t n, dlen;

	(void)state;
	/* The encoder refuses a frame that does not fit its buffer. */
	assert_int_equal(sb_proto_encode(small, sizeof(small), 1, "0123456789", 10), 0);
	/* The decoder refuses a length over max_len from the header alone,
	 * before the body arrives: a peer cannot make us wait for 64 KiB. */
	memset(key, 'x', sizeof(key));
	n = sb_proto_encode(big, sizeof(big), 1, key, sizeof(key));
	assert_int_equal(n, sizeof(big));
	assert_int_equal(sb_proto_decode(big, 8, SB_PROTO_MAX_KEY, &type, &data, &dlen), -1);
	assert_int_equal(sb_proto_decode(big, n, SB_PROTO_MAX_KEY + 1, &type, &data, &dlen),
			 (long)n);
}

static void test_bad_magic(void **state)
{
	uint8_t buf[64];
	const uint8_t *data;
	uint16_t type;
	size_t n, dlen;

	(void)state;
	n = sb_proto_encode(buf, sizeof(buf), 1, "carol", 5);
	buf[0] = 'G'; /* "GET /": someone speaking HTTP to the socket */
	assert_int_equal(sb_proto_decode(buf, n, SB_PROTO_MAX_KEY, &type, &data, &dlen), -1);
	/* Garbage is refused from its first byte, not after 8. */
	assert_int_equal(sb_proto_decode(buf, 1, SB_PROTO_MAX_KEY, &type, &data, &dlen), -1);
	buf[0] = 'S';
	buf[3] = '2';
	assert_int_equal(sb_proto_decode(buf, 4, SB_PROTO_MAX_KEY, &type, &data, &dlen), -1);
}

static void call_expect(struct server *s, enum behaviour how, int want_rc)
{
	struct sb_err err = {0};
	char msg[64] = "unset";
	const struct sb_proto_req req = {
	    .socket_path = s->path, .type = SB_REQ_ACCOUNT, .key = "alice", .key_len = 5, .timeout_ms = 1000};
	struct sb_proto_reply reply = {.status = 0xffff, .msg = msg, .msg_size = sizeof(msg)};
	int rc;

	start(s, how);
	rc = sb_proto_call(&req, &reply, &err);
	pthread_join(s->thread, NULL);
	assert_int_equal(rc, want_rc);
	assert_int_equal(s->got_type, SB_REQ_ACCOUNT);
	assert_string_equal(s->got_key, "alice");
	if (want_rc == 0) {
		assert_int_equal(reply.status, SB_RESP_ACCT_EXPIRED);
		assert_string_equal(msg, "deactivated");
	} else {
		assert_int_equal(err.kind, SB_E_NETWORK);
		assert_int_equal(reply.status, 0xffff); /* untouched on failure */
		assert_string_equal(msg, "unset");
	}
}

static void test_call_answer(void **state)
{
	call_expect(*state, ANSWER, 0);
}

static void test_call_split_answer(void **state)
{
	call_expect(*state, SPLIT, 0);
}

static void test_call_rejects_bad_magic(void **state)
{
	call_expect(*state, BAD_MAGIC, -1);
}

static void test_call_rejects_oversized(void **state)
{
	call_expect(*state, OVERSIZED, -1);
}

static void test_call_rejects_short_answer(void **state)
{
	call_expect(*state, CLOSE_EARLY, -1);
}

static void test_call_msg_truncated_to_buffer(void **state)
{
	struct server *s = *state;
	char msg[5];
	const struct sb_proto_req req = {
	    .socket_path = s->path, .type = SB_REQ_ACCOUNT, .key = "alice", .key_len = 5, .timeout_ms = 1000};
	struct sb_proto_reply reply = {.msg = msg, .msg_size = sizeof(msg)};

	start(s, ANSWER);
	assert_int_equal(sb_proto_call(&req, &reply, NULL), 0);
	pthread_join(s->thread, NULL);
	assert_string_equal(msg, "deac");
}

/* The whole call, connect to answer, fits one deadline. */
static void test_call_timeout(void **state)
{
	struct server *s = *state;
	struct sb_err err = {0};
	const struct sb_proto_req req = {
	    .socket_path = s->path, .type = SB_REQ_ACCOUNT, .key = "alice", .key_len = 5, .timeout_ms = 300};
	struct sb_proto_reply reply = {0};
	long t0, dt;
	int rc;

	start(s, SILENT);
	t0 = now_ms();
	rc = sb_proto_call(&req, &reply, &err);
	dt = now_ms() - t0;
	pthread_join(s->thread, NULL);
	assert_int_equal(rc, -1);
	assert_int_equal(err.kind, SB_E_NETWORK);
	assert_true(dt >= 290);
	assert_true(dt < 800);
	/* connected, no answer: "not answering", not "not running" */
	assert_false(sb_proto_no_daemon(&err));
}

static void test_call_no_daemon(void **state)
{
	struct server *s = *state;
	struct sb_err err = {0};
	char path[160];
	const struct sb_proto_req req = {.socket_path = path, .type = SB_REQ_STATUS, .timeout_ms = 1000};
	struct sb_proto_reply reply = {0};
	long t0 = now_ms();

	snprintf(path, sizeof(path), "%s/nothing-here", s->dir);
	assert_int_equal(sb_proto_call(&req, &reply, &err), -1);
	assert_int_equal(err.kind, SB_E_NETWORK);
	assert_true(now_ms() - t0 < 200);
	assert_true(sb_proto_no_daemon(&err)); /* no socket: not running */
}

/* A socket file nobody listens on (a daemon that died): not running. */
static void test_call_refused_is_no_daemon(void **state)
{
	struct server *s = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct sb_err err = {0};
	const struct sb_proto_req req = {
	    .socket_path = sa.sun_path, .type = SB_REQ_STATUS, .timeout_ms = 1000};
	struct sb_proto_reply reply = {0};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dead.sock", s->dir);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd); /* bound, never listened: connect is refused */
	assert_int_equal(sb_proto_call(&req, &reply, &err), -1);
	assert_true(sb_proto_no_daemon(&err));
	unlink(sa.sun_path);
}

static void test_call_key_too_long(void **state)
{
	static char key[SB_PROTO_MAX_KEY + 1];
	struct server *s = *state;
	const struct sb_proto_req req = {.socket_path = s->path,
					 .type = SB_REQ_USER_BY_NAME,
					 .key = key,
					 .key_len = sizeof(key),
					 .timeout_ms = 1000};
	struct sb_proto_reply reply = {0};

	memset(key, 'k', sizeof(key));
	assert_int_equal(sb_proto_call(&req, &reply, NULL), -1);
}

/* daemon_ask.h: the server answers ACCT_EXPIRED; the helper says YES only
 * when that is the status the caller wants. */
static enum sb_ask_result ask(struct server *s, enum behaviour how, uint16_t want)
{
	const struct sb_daemon_ask a = {.socket_path = s->path,
					.type = SB_REQ_USER_BY_NAME,
					.key = "alice",
					.timeout_ms = 1000,
					.want = want};
	enum sb_ask_result r;

	start(s, how);
	r = sb_daemon_ask(&a);
	pthread_join(s->thread, NULL);
	assert_int_equal(s->got_type, SB_REQ_USER_BY_NAME);
	assert_string_equal(s->got_key, "alice");
	return r;
}

static void test_ask_wanted(void **state)
{
	assert_int_equal(ask(*state, ANSWER, SB_RESP_ACCT_EXPIRED), SB_ASK_YES);
}

static void test_ask_other_answer(void **state)
{
	assert_int_equal(ask(*state, ANSWER, SB_RESP_FOUND), SB_ASK_OTHER);
}

static void test_ask_bad_answer_is_down(void **state)
{
	assert_int_equal(ask(*state, BAD_MAGIC, SB_RESP_ACCT_EXPIRED), SB_ASK_DOWN);
}

/* Without a daemon, or with a key that cannot be sent, nothing is asked and
 * the caller's mapping stays as it was. */
static void test_ask_remap_no_daemon(void **state)
{
	static char key[SB_PROTO_MAX_KEY + 2];
	struct server *s = *state;
	struct sb_config cfg;
	struct sb_cache *c = (struct sb_cache *)&cfg; /* never dereferenced */
	char path[160];
	struct sb_daemon_ask a = {.socket_path = path,
				  .type = SB_REQ_USER_BY_NAME,
				  .key = "alice",
				  .timeout_ms = 1000,
				  .want = SB_RESP_FOUND};

	snprintf(path, sizeof(path), "%s/nothing-here", s->dir);
	sb_config_defaults(&cfg);
	assert_int_equal(sb_daemon_ask(&a), SB_ASK_DOWN);
	assert_int_equal(sb_daemon_ask_remap(&cfg, &a, &c), SB_REMAP_NO);
	assert_ptr_equal(c, (struct sb_cache *)&cfg);
	memset(key, 'k', sizeof(key) - 1);
	/* an overlong key is a definite no (OTHER), not a daemon that is down:
	 * callers back off from a down daemon, so one overlong name must not
	 * stop everyone's misses (nscd) reaching it */
	a.socket_path = s->path;
	a.key = key;
	assert_int_equal(sb_daemon_ask(&a), SB_ASK_OTHER);
	sb_config_free(&cfg);
}

/* The daemon says yes but the cache cannot be mapped: STALE, and the old
 * mapping is kept (PAM then says "not a directory user", keys prints none). */
static void test_ask_remap_stale(void **state)
{
	struct server *s = *state;
	struct sb_config cfg;
	struct sb_cache *c = NULL;
	const struct sb_daemon_ask a = {.socket_path = s->path,
					.type = SB_REQ_ACCOUNT,
					.key = "alice",
					.timeout_ms = 1000,
					.want = SB_RESP_ACCT_EXPIRED};

	sb_config_defaults(&cfg);
	free(cfg.cache_path);
	cfg.cache_path = strdup("/nonexistent/scimbridge-cache");
	start(s, ANSWER);
	assert_int_equal(sb_daemon_ask_remap(&cfg, &a, &c), SB_REMAP_STALE);
	pthread_join(s->thread, NULL);
	assert_null(c);
	assert_int_equal(s->got_type, SB_REQ_ACCOUNT);
	sb_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_truncated_needs_more),
	    cmocka_unit_test(test_oversized),
	    cmocka_unit_test(test_bad_magic),
	    cmocka_unit_test_setup_teardown(test_call_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_split_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_rejects_bad_magic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_rejects_oversized, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_rejects_short_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_msg_truncated_to_buffer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_refused_is_no_daemon, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_no_daemon, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_key_too_long, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ask_wanted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ask_other_answer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ask_bad_answer_is_down, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ask_remap_no_daemon, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ask_remap_stale, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
