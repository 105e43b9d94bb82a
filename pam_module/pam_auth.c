/* pam_auth.c — pam_scim's `auth`: device sign-in with the identity provider
 * (DESIGN.md "Sign-in", RFC 8628). The module never speaks HTTP: it asks the
 * daemon to start a device authorization (SB_REQ_DEVICE_START), shows the URL
 * and the code (and a QR code of the complete URL on a terminal), then asks
 * the daemon to poll (SB_REQ_DEVICE_POLL) at the provider's interval until
 * the sign-in ends. The daemon verifies the ID token and that it names this
 * user; the module only reports.
 *   device_login = no: PAM_IGNORE. A local user or root: PAM_USER_UNKNOWN
 *   (the stack goes on to pam_unix). Denied, expired, refused: PAM_AUTH_ERR
 *   with the reason shown. Daemon or provider unreachable:
 *   PAM_AUTHINFO_UNAVAIL.
 * Arguments: debug, config=/path, qr / noqr (default: a QR code when PAM_TTY
 * is set), noprompt (poll without the "Press Enter" prompt: for consoles
 * where information shows at once; sshd shows it only with a prompt). */
#include <qrencode.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "config.h"
#include "pam_decide.h"
#include "proto.h"

#define EXPORT __attribute__((visibility("default")))

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *, int, int, const char **) EXPORT;
PAM_EXTERN int pam_sm_setcred(pam_handle_t *, int, int, const char **) EXPORT;

enum qr_mode { QR_AUTO, QR_YES, QR_NO };

struct auth_args {
	const char *conf;
	bool debug, noprompt;
	enum qr_mode qr;
};

/* What DEVICE_START answered. */
struct device_start {
	char handle[64], uri[512], uri_complete[640], user_code[80];
	long expires_in, interval;
};

static void parse_args(pam_handle_t *pamh, int argc, const char **argv, struct auth_args *a)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "debug") == 0)
			a->debug = true;
		else if (strncmp(argv[i], "config=", 7) == 0)
			a->conf = argv[i] + 7;
		else if (strcmp(argv[i], "qr") == 0)
			a->qr = QR_YES;
		else if (strcmp(argv[i], "noqr") == 0)
			a->qr = QR_NO;
		else if (strcmp(argv[i], "noprompt") == 0)
			a->noprompt = true;
		else
			pam_syslog(pamh, LOG_ERR, "unknown argument '%s' ignored", argv[i]);
	}
}

/* "key=value" lines: the value of key into out (empty when absent). */
static void field(const char *msg, const char *key, char *out, size_t size)
{
	size_t k = strlen(key);

	out[0] = '\0';
	for (const char *p = msg; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, k) == 0 && p[k] == '=') {
			size_t n = strcspn(p + k + 1, "\n");

			snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), p + k + 1);
			return;
		}
	}
}

static long field_long(const char *msg, const char *key, long dflt)
{
	char v[32];
	char *end;
	long n;

	field(msg, key, v, sizeof(v));
	n = strtol(v, &end, 10);
	return *v && !*end && n > 0 ? n : dflt;
}

/* The QR code in text: two modules a character (upper and lower half
 * blocks), a quiet zone of two modules. NULL if it cannot be made. */
static char *qr_text(const char *url)
{
	QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	const int quiet = 2;
	char *out = NULL, *p;
	int w, rows;

	if (!q)
		return NULL;
	w = q->width + 2 * quiet;
	rows = (w + 1) / 2;
	/* 3 bytes a cell in UTF-8, a newline a row */
	if (!(out = malloc((size_t)rows * ((size_t)w * 3 + 1) + 1)))
		goto out;
	p = out;
	for (int r = 0; r < w; r += 2) {
		for (int c = 0; c < w; c++) {
			int y0 = r - quiet, y1 = r + 1 - quiet, x = c - quiet;
			bool in0 = y0 >= 0 && y0 < q->width && x >= 0 && x < q->width;
			bool in1 = y1 >= 0 && y1 < q->width && x >= 0 && x < q->width;
			/* light on dark terminals: a dark module is a blank */
			bool top = !(in0 && (q->data[y0 * q->width + x] & 1));
			bool bot = !(in1 && (q->data[y1 * q->width + x] & 1));
			const char *cell = top && bot ? "\u2588"
					   : top      ? "\u2580"
					   : bot      ? "\u2584"
						      : " ";

			p += sprintf(p, "%s", cell);
		}
		*p++ = '\n';
	}
	*p = '\0';
out:
	QRcode_free(q);
	return out;
}

static bool want_qr(pam_handle_t *pamh, enum qr_mode m)
{
	const void *tty = NULL;

	if (m != QR_AUTO)
		return m == QR_YES;
	return pam_get_item(pamh, PAM_TTY, &tty) == PAM_SUCCESS && tty && *(const char *)tty;
}

static void show_code(pam_handle_t *pamh, const struct auth_args *a, const struct device_start *s)
{
	const char *url = *s->uri_complete ? s->uri_complete : s->uri;
	char *qr = NULL;

	if (want_qr(pamh, a->qr) && (qr = qr_text(url)))
		pam_info(pamh, "%s", qr);
	pam_info(pamh, "To sign in, open %s and enter the code %s", s->uri, s->user_code);
	free(qr);
}

/* The daemon may discover the provider, fetch its JWKS, poll and check the
 * user live: up to four requests of `timeout` each. */
static int call_ms(const struct sb_config *cfg)
{
	return (int)cfg->timeout * 4000 + 1000;
}

/* One device request about user; msg holds SB_PROTO_MAX_MSG + 1 bytes.
 * The daemon's status, or -1 when it did not answer (logged). */
static int device_call(pam_handle_t *pamh, const struct sb_config *cfg, const char *user,
		       uint16_t type, const char *key, char *msg)
{
	struct sb_err err = {0};
	const struct sb_proto_req req = {.socket_path = cfg->socket_path,
					 .type = type,
					 .key = key,
					 .key_len = strlen(key),
					 .timeout_ms = call_ms(cfg)};
	struct sb_proto_reply reply = {
	    .status = SB_RESP_UNAVAIL, .msg = msg, .msg_size = SB_PROTO_MAX_MSG + 1};

	if (sb_proto_call(&req, &reply, &err) < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: device sign-in: daemon: %s", user, err.msg);
		return -1;
	}
	return reply.status;
}

static int start(pam_handle_t *pamh, const struct sb_config *cfg, const char *user,
		 struct device_start *s)
{
	char msg[SB_PROTO_MAX_MSG + 1] = "";
	int st = device_call(pamh, cfg, user, SB_REQ_DEVICE_START, user, msg);

	if (st < 0)
		return PAM_AUTHINFO_UNAVAIL;
	switch (st) {
	case SB_RESP_OK:
		break;
	case SB_RESP_ACCT_UNKNOWN:
		return PAM_USER_UNKNOWN;
	case SB_RESP_ACCT_EXPIRED:
	case SB_RESP_ACCT_DENIED:
		pam_syslog(pamh, LOG_NOTICE, "user %s: device sign-in refused: %s", user, msg);
		pam_error(pamh, "Sign-in refused: your account is %s.", msg);
		return PAM_AUTH_ERR;
	default:
		pam_syslog(pamh, LOG_ERR, "user %s: device sign-in unavailable: %s", user, msg);
		pam_error(pamh, "Sign-in is unavailable: %s", msg);
		return PAM_AUTHINFO_UNAVAIL;
	}
	/* Trust boundary: the daemon's answer (root's, SO_PEERCRED in proto.c),
	 * whose values the identity provider chose; they are shown to the user
	 * as the daemon passed them. */
	field(msg, "handle", s->handle, sizeof(s->handle));
	field(msg, "verification_uri", s->uri, sizeof(s->uri));
	field(msg, "verification_uri_complete", s->uri_complete, sizeof(s->uri_complete));
	field(msg, "user_code", s->user_code, sizeof(s->user_code));
	s->expires_in = field_long(msg, "expires_in", 300);
	s->interval = field_long(msg, "interval", 5);
	if (!*s->handle || !*s->uri || !*s->user_code) {
		pam_syslog(pamh, LOG_ERR, "user %s: device sign-in: a malformed answer", user);
		return PAM_AUTHINFO_UNAVAIL;
	}
	return PAM_SUCCESS;
}

/* "Press Enter once you have approved": the prompt also makes sshd send the
 * information above to the client, which it holds until a prompt comes. */
static void wait_enter(pam_handle_t *pamh)
{
	char *resp = NULL;

	if (pam_prompt(pamh, PAM_PROMPT_ECHO_ON, &resp, "Press Enter once you have approved: ") ==
	    PAM_SUCCESS)
		free(resp);
}

static void sleep_ms(long ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	while (nanosleep(&t, &t) < 0)
		;
}

/* One answer of DEVICE_POLL as a PAM code; -1: poll again after *wait_ms
 * (the provider's interval, or what is left of it). */
static int poll_result(pam_handle_t *pamh, const char *user, uint16_t st, const char *msg,
		       long *interval, long *wait_ms)
{
	switch (st) {
	case SB_RESP_DEV_PENDING:
	case SB_RESP_DEV_SLOW_DOWN:
		*interval = field_long(msg, "interval", *interval);
		*wait_ms = field_long(msg, "wait_ms", *interval * 1000);
		if (*wait_ms > *interval * 1000)
			*wait_ms = *interval * 1000;
		return -1;
	case SB_RESP_OK:
		pam_syslog(pamh, LOG_INFO, "user %s: signed in with the identity provider", user);
		return PAM_SUCCESS;
	case SB_RESP_DEV_DENIED:
	case SB_RESP_DEV_EXPIRED:
	case SB_RESP_DEV_REFUSED:
		pam_syslog(pamh, LOG_NOTICE, "user %s: device sign-in failed: %s", user, msg);
		pam_error(pamh, "Sign-in failed: %s", msg);
		return PAM_AUTH_ERR;
	default:
		pam_syslog(pamh, LOG_ERR, "user %s: device sign-in unavailable: %s", user, msg);
		pam_error(pamh, "Sign-in is unavailable: %s",
			  *msg ? msg : "the daemon cannot decide");
		return PAM_AUTHINFO_UNAVAIL;
	}
}

static int poll_loop(pam_handle_t *pamh, const struct sb_config *cfg, const char *user,
		     struct device_start *s, bool prompted)
{
	time_t end = time(NULL) + s->expires_in + 5;
	long interval = s->interval;
	/* after Enter the user has (likely) approved: ask at once */
	long wait_ms = prompted ? 0 : interval * 1000;
	int rc = -1;

	while (rc < 0) {
		char msg[SB_PROTO_MAX_MSG + 1] = "";
		int st;

		sleep_ms(wait_ms);
		if (time(NULL) > end) {
			pam_error(pamh, "Sign-in failed: the sign-in code expired");
			return PAM_AUTH_ERR;
		}
		if ((st = device_call(pamh, cfg, user, SB_REQ_DEVICE_POLL, s->handle, msg)) < 0)
			return PAM_AUTHINFO_UNAVAIL;
		rc = poll_result(pamh, user, (uint16_t)st, msg, &interval, &wait_ms);
	}
	return rc;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct auth_args a = {0};
	const char *user = NULL;
	struct sb_config cfg;
	struct sb_err err = {0};
	struct device_start s = {0};
	int rc;

	(void)flags;
	parse_args(pamh, argc, argv, &a);
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || !user || !*user)
		return PAM_USER_UNKNOWN;
	if (pam_scim_is_local(user))
		return PAM_USER_UNKNOWN; /* never ours, whatever the daemon says */
	sb_config_defaults(&cfg);
	if (sb_config_load(pam_scim_config_path(a.conf), &cfg, &err) < 0) {
		pam_syslog(pamh, LOG_ERR, "user %s: %s", user, err.msg);
		rc = PAM_AUTHINFO_UNAVAIL;
		goto out;
	}
	if (!cfg.device_login) {
		rc = PAM_IGNORE;
		goto out;
	}
	if ((rc = start(pamh, &cfg, user, &s)) != PAM_SUCCESS)
		goto out;
	show_code(pamh, &a, &s);
	if (!a.noprompt)
		wait_enter(pamh);
	rc = poll_loop(pamh, &cfg, user, &s, !a.noprompt);
	if (a.debug)
		pam_syslog(pamh, LOG_DEBUG, "user %s: device sign-in: %s", user,
			   pam_strerror(pamh, rc));
out:
	sb_config_free(&cfg);
	return rc;
}

/* Nothing to set: the sign-in leaves no credential on the host. */
PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_IGNORE;
}
