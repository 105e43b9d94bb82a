/* oidcprobe — oidc/ from the shell, for tests/integration/oidc_device.sh:
 * discovery, a device authorization, polling at the provider's interval, and
 * ID token verification, the way the daemon will do them for pam_scim. Each
 * step prints one line (flushed) so a test can read the user code and
 * approve it while the probe polls:
 *
 *   ISSUER / DEVICE_ENDPOINT / TOKEN_ENDPOINT / JWKS_URI <url>   (discover)
 *   USER_CODE <code>, VERIFICATION_URI <uri>,
 *   VERIFICATION_URI_COMPLETE <uri>, EXPIRES_IN <s>, INTERVAL <s>
 *   POLL <pending|slow_down> <interval>
 *   then one of: USERNAME <claim>, REFUSED <reason>, DENIED <message>,
 *   EXPIRED <message>, ERROR <message>; and JWKS_FETCHES <n>.
 *
 * usage: oidcprobe -c CONF discover
 *        oidcprobe -c CONF login [--prefetch-jwks] [--expect-user NAME]
 * --prefetch-jwks fetches the JWKS before the user code is shown (so a key
 * rotated in the meantime is an unknown kid at verification); --expect-user
 * refuses a token naming anybody else (the daemon's future check).
 * Exit 0 signed in (or discovered), 1 refused or failed, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "oidc.h"

struct probe {
	struct sb_config cfg;
	struct oidc_provider prov;
	struct oidc_jwks_http jh;
	struct oidc_keys keys;
	const char *expect_user;
	int prefetch;
};

static int usage(void)
{
	fprintf(stderr, "usage: oidcprobe -c CONF discover\n"
			"       oidcprobe -c CONF login [--prefetch-jwks] [--expect-user NAME]\n");
	return 2;
}

static int say(const char *key, const char *value)
{
	printf("%s %s\n", key, value ? value : "-");
	fflush(stdout);
	return 1;
}

static int verify(struct probe *p, const char *token)
{
	struct oidc_expect want = {p->cfg.oidc_issuer, p->cfg.oidc_client_id,
				   p->cfg.oidc_username_claim, 0};
	struct sb_err err = {0};
	char *user = NULL, line[600];
	int rc = 1;

	if (oidc_idtoken_verify(&p->keys, &want, token, &user, &err) < 0) {
		say(err.kind == SB_E_SECURITY ? "REFUSED" : "ERROR", err.msg);
	} else if (p->expect_user && strcmp(user, p->expect_user) != 0) {
		snprintf(line, sizeof(line), "ID token names '%.200s', not '%.200s' (another user)",
			 user, p->expect_user);
		say("REFUSED", line);
	} else {
		rc = !say("USERNAME", user);
	}
	free(user);
	return rc;
}

/* Polls until an answer or the code's expiry (plus one interval). */
static int poll_loop(struct probe *p, struct oidc_device_auth *a)
{
	time_t end = time(NULL) + a->expires_in + a->interval;
	struct sb_err err = {0};
	char *tok = NULL, num[32];
	enum oidc_poll r;
	int rc = 1;

	for (;;) {
		sleep((unsigned)a->interval);
		memset(&err, 0, sizeof(err));
		r = oidc_device_poll(&p->cfg, &p->prov, a, &tok, &err);
		if (r != OIDC_POLL_PENDING && r != OIDC_POLL_SLOW_DOWN)
			break;
		snprintf(num, sizeof(num), "%s %ld", oidc_poll_name(r), a->interval);
		say("POLL", num);
		if (time(NULL) > end) {
			say("ERROR", "the provider never answered before the code's expiry");
			return 1;
		}
	}
	if (r == OIDC_POLL_SUCCESS)
		rc = verify(p, tok);
	else
		say(r == OIDC_POLL_DENIED    ? "DENIED"
		    : r == OIDC_POLL_EXPIRED ? "EXPIRED"
					     : "ERROR",
		    err.msg);
	free(tok);
	return rc;
}

static int prefetch(struct probe *p)
{
	struct sb_err err = {0};
	char *json = NULL;
	size_t len = 0;
	int rc = -1;

	p->keys.fetches++;
	if (oidc_jwks_fetch_https(&p->jh, &json, &len, &err) == 0)
		rc = oidc_keys_load(&p->keys, json, len, &err);
	free(json);
	if (rc < 0)
		say("ERROR", err.msg);
	return rc;
}

static int login(struct probe *p)
{
	struct oidc_device_auth a;
	struct sb_err err = {0};
	char num[32];
	int rc;

	if (p->prefetch && prefetch(p) < 0)
		return 1;
	if (oidc_device_start(&p->cfg, &p->prov, &a, &err) < 0)
		return say("ERROR", err.msg);
	say("USER_CODE", a.user_code);
	say("VERIFICATION_URI", a.verification_uri);
	say("VERIFICATION_URI_COMPLETE", a.verification_uri_complete);
	snprintf(num, sizeof(num), "%ld", a.expires_in);
	say("EXPIRES_IN", num);
	snprintf(num, sizeof(num), "%ld", a.interval);
	say("INTERVAL", num);
	rc = poll_loop(p, &a);
	snprintf(num, sizeof(num), "%u", p->keys.fetches);
	say("JWKS_FETCHES", num);
	oidc_device_auth_free(&a);
	return rc;
}

static int run(struct probe *p, const char *conf, const char *cmd)
{
	struct sb_err err = {0};

	sb_config_defaults(&p->cfg);
	if (sb_config_load(conf, &p->cfg, &err) < 0 || sb_config_validate(&p->cfg, &err) < 0)
		return say("ERROR", err.msg);
	if (oidc_discover(&p->cfg, &p->prov, &err) < 0)
		return say(err.kind == SB_E_SECURITY ? "REFUSED" : "ERROR", err.msg);
	p->jh.cfg = &p->cfg;
	p->jh.jwks_uri = p->prov.jwks_uri;
	oidc_keys_init(&p->keys, oidc_jwks_fetch_https, &p->jh);
	if (!strcmp(cmd, "discover")) {
		say("ISSUER", p->prov.issuer);
		say("DEVICE_ENDPOINT", p->prov.device_authorization_endpoint);
		say("TOKEN_ENDPOINT", p->prov.token_endpoint);
		say("JWKS_URI", p->prov.jwks_uri);
		return 0;
	}
	return login(p);
}

int main(int argc, char **argv)
{
	struct probe p;
	const char *conf = NULL, *cmd = NULL;
	int rc;

	memset(&p, 0, sizeof(p));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			conf = argv[++i];
		else if (!strcmp(argv[i], "--prefetch-jwks"))
			p.prefetch = 1;
		else if (!strcmp(argv[i], "--expect-user") && i + 1 < argc)
			p.expect_user = argv[++i];
		else if (!cmd && (!strcmp(argv[i], "discover") || !strcmp(argv[i], "login")))
			cmd = argv[i];
		else
			return usage();
	}
	if (!conf || !cmd)
		return usage();
	rc = run(&p, conf, cmd);
	if (p.jh.cfg)
		oidc_keys_free(&p.keys);
	oidc_provider_free(&p.prov);
	sb_config_free(&p.cfg);
	return rc;
}
