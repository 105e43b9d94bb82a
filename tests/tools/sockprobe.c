/* sockprobe — asks the daemon directly with the client code every module
 * uses (sb_proto_call), for the attack suites:
 *   sockprobe SOCKET lookup PREFIX N [SECONDS [PAUSE_MS]]  N user-by-name
 *       requests for PREFIX0..PREFIX(N-1), stopping after SECONDS, pausing
 *       PAUSE_MS after each refusal (BUSY, or no answer); prints
 *       "sent=S found=F notfound=M busy=B unavail=U other=O failed=X secs=T"
 *   sockprobe SOCKET account NAME               one account check; prints
 *       "status=S msg=M" (status -1: no answer)
 *   sockprobe SOCKET device-start NAME N        N device sign-ins for NAME
 *       (SB_REQ_DEVICE_START); prints "ok=A busy=B denied=D other=O" and
 *       the last answer's status and message
 *   sockprobe SOCKET device-poll HANDLE          one SB_REQ_DEVICE_POLL;
 *       prints "status=S msg=M"
 *   sockprobe SOCKET hold K SECONDS             keeps K connections open
 *       that send nothing, reopening any the daemon closes; prints
 *       "opened=N"
 * Made setuid root by a test, it is the "setuid program run by a user";
 * `hold` is such a program stopped (SIGSTOP by the user who ran it) between
 * its connect() and its request. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One request; *st is left as it was when the call fails. */
static int call(const char *sock, uint16_t type, const char *key, int timeout_ms, uint16_t *st,
		char *msg, size_t msg_size)
{
	const struct sb_proto_req req = {.socket_path = sock,
					 .type = type,
					 .key = key,
					 .key_len = strlen(key),
					 .timeout_ms = timeout_ms};
	struct sb_proto_reply reply = {.status = *st, .msg = msg, .msg_size = msg_size};

	if (sb_proto_call(&req, &reply, NULL) < 0)
		return -1;
	*st = reply.status;
	return 0;
}

static int lookups(const char *sock, const char *prefix, long n, double secs, long pause_ms)
{
	long count[SB_RESP_DENIED + 2] = {0}, failed = 0, sent = 0;
	double t0 = now_s();
	char name[256];

	for (long i = 0; i < n && now_s() - t0 < secs; i++, sent++) {
		uint16_t st = 0;

		snprintf(name, sizeof(name), "%s%ld", prefix, i);
		if (call(sock, SB_REQ_USER_BY_NAME, name, 3000, &st, NULL, 0) < 0) {
			failed++;
			usleep(pause_ms > 0 ? (useconds_t)pause_ms * 1000 : 1000); /* no spinning */
		} else {
			count[st <= SB_RESP_DENIED ? st : SB_RESP_DENIED + 1]++;
			if (st == SB_RESP_BUSY && pause_ms > 0)
				usleep((useconds_t)pause_ms * 1000);
		}
	}
	printf("sent=%ld found=%ld notfound=%ld busy=%ld unavail=%ld other=%ld failed=%ld "
	       "secs=%.2f\n",
	       sent, count[SB_RESP_FOUND], count[SB_RESP_NOTFOUND], count[SB_RESP_BUSY],
	       count[SB_RESP_UNAVAIL],
	       sent - failed - count[SB_RESP_FOUND] - count[SB_RESP_NOTFOUND] -
		   count[SB_RESP_BUSY] - count[SB_RESP_UNAVAIL],
	       failed, now_s() - t0);
	return 0;
}

static int connect_to(const char *sock)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int hold(const char *sock, int k, double secs)
{
	struct pollfd p[256];
	double t0 = now_s();
	long opened = 0;

	if (k < 1 || k > 256)
		return 2;
	for (int i = 0; i < k; i++)
		p[i] = (struct pollfd){.fd = -1, .events = POLLIN};
	while (now_s() - t0 < secs) {
		for (int i = 0; i < k; i++) {
			char c;

			if (p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP)) &&
			    recv(p[i].fd, &c, 1, MSG_DONTWAIT) <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
			}
			if (p[i].fd < 0 && (p[i].fd = connect_to(sock)) >= 0)
				opened++;
		}
		usleep(5000); /* a reconnect round at most every 5 ms */
		poll(p, (nfds_t)k, 200);
	}
	printf("opened=%ld\n", opened);
	return 0;
}

static int device_starts(const char *sock, const char *name, long n)
{
	long ok = 0, busy = 0, denied = 0, other = 0;
	uint16_t st = 0;
	char msg[SB_PROTO_MAX_MSG + 1] = "";

	for (long i = 0; i < n; i++) {
		if (call(sock, SB_REQ_DEVICE_START, name, 20000, &st, msg, sizeof(msg)) < 0)
			other++;
		else if (st == SB_RESP_OK)
			ok++;
		else if (st == SB_RESP_BUSY)
			busy++;
		else if (st == SB_RESP_DENIED)
			denied++;
		else
			other++;
	}
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	printf("ok=%ld busy=%ld denied=%ld other=%ld last=%u msg=%s\n", ok, busy, denied, other, st,
	       msg);
	return 0;
}

int main(int argc, char **argv)
{
	uint16_t st = 0;
	char msg[512] = "";

	if (argc >= 5 && !strcmp(argv[2], "lookup"))
		return lookups(argv[1], argv[3], atol(argv[4]), argc > 5 ? atof(argv[5]) : 60.0,
			       argc > 6 ? atol(argv[6]) : 0);
	if (argc == 4 && !strcmp(argv[2], "account")) {
		if (call(argv[1], SB_REQ_ACCOUNT, argv[3], 5000, &st, msg, sizeof(msg)) < 0) {
			printf("status=-1 msg=\n");
			return 1;
		}
		printf("status=%u msg=%s\n", st, msg);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[2], "device-start"))
		return device_starts(argv[1], argv[3], atol(argv[4]));
	if (argc == 4 && !strcmp(argv[2], "device-poll")) {
		if (call(argv[1], SB_REQ_DEVICE_POLL, argv[3], 20000, &st, msg, sizeof(msg)) < 0) {
			printf("status=-1 msg=\n");
			return 1;
		}
		printf("status=%u msg=%s\n", st, msg);
		return 0;
	}
	if (argc == 5 && !strcmp(argv[2], "hold"))
		return hold(argv[1], atoi(argv[3]), atof(argv[4]));
	fprintf(
	    stderr,
	    "usage: sockprobe SOCKET lookup PREFIX N [SECONDS] | account NAME | hold K SECONDS |"
	    " device-start NAME N | device-poll HANDLE\n");
	return 2;
}
