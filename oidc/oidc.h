/* oidc.h — the engine room of device sign-in (issue 17, DESIGN.md
 * "Sign-in"): OpenID Connect discovery, the RFC 8628 device authorization
 * grant, and ID token verification with cjose. Linked into the daemon, the
 * CLI and the tests, never into the modules (the PAM module will ask the
 * daemon; it never speaks HTTP). Nothing here is wired into the daemon's
 * socket or pam_scim yet. */
#ifndef SB_OIDC_H
#define SB_OIDC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "err.h"

/* Bounds on what a provider may send back. */
#define OIDC_DISCOVERY_MAX (64 * 1024)
#define OIDC_JWKS_MAX	   (256 * 1024)
#define OIDC_TOKEN_MAX	   (64 * 1024)
#define OIDC_JWKS_KEYS_MAX 64
/* Clock skew allowed on exp, iat and nbf, seconds. */
#define OIDC_LEEWAY 60

/* --- discovery.c ------------------------------------------------------ */

struct oidc_provider {
	char *issuer; /* equal to cfg->oidc_issuer, byte for byte */
	char *device_authorization_endpoint;
	char *token_endpoint;
	char *jwks_uri;
};

/* GET <oidc_issuer>/.well-known/openid-configuration over HTTPS (ca_file,
 * timeout), checks `issuer` equals cfg->oidc_issuer exactly and that the
 * three endpoints are https:// URLs. */
int oidc_discover(const struct sb_config *cfg, struct oidc_provider *out, struct sb_err *err);
/* The same on a document already fetched (for tests). */
int oidc_discovery_parse(const char *issuer, const char *body, size_t len,
			 struct oidc_provider *out, struct sb_err *err);
void oidc_provider_free(struct oidc_provider *p);

/* --- device.c (RFC 8628) ------------------------------------------------ */

struct oidc_device_auth {
	char *device_code;
	char *user_code;
	char *verification_uri;
	char *verification_uri_complete; /* NULL when the provider sends none */
	long expires_in;		 /* seconds */
	long interval;			 /* seconds between polls; 5 when not sent */
};

enum oidc_poll {
	OIDC_POLL_ERROR = -1,  /* err says why (network, provider's message) */
	OIDC_POLL_PENDING = 0, /* authorization_pending: ask again after interval */
	OIDC_POLL_SLOW_DOWN,   /* slow_down: interval was raised by 5 s */
	OIDC_POLL_DENIED,      /* access_denied: the user said no */
	OIDC_POLL_EXPIRED,     /* expired_token: the code ran out */
	OIDC_POLL_SUCCESS,     /* *id_token is set (not yet verified) */
};

/* POST client_id and scope (cfg->oidc_scopes) to the device authorization
 * endpoint. */
int oidc_device_start(const struct sb_config *cfg, const struct oidc_provider *p,
		      struct oidc_device_auth *out, struct sb_err *err);
/* The provider's answer to it (also for tests): the values the user is
 * shown (user_code, verification_uri, verification_uri_complete) must be
 * printable ASCII without spaces, of at most OIDC_SHOWN_MAX bytes. */
#define OIDC_SHOWN_MAX 400
int oidc_device_parse_start(const char *body, size_t len, struct oidc_device_auth *out,
			    struct sb_err *err);
/* One poll of the token endpoint with grant_type
 * urn:ietf:params:oauth:grant-type:device_code. On DENIED, EXPIRED and ERROR
 * err->msg carries the provider's error and description. */
enum oidc_poll oidc_device_poll(const struct sb_config *cfg, const struct oidc_provider *p,
				struct oidc_device_auth *auth, char **id_token, struct sb_err *err);
void oidc_device_auth_free(struct oidc_device_auth *a);
const char *oidc_poll_name(enum oidc_poll r);

/* --- idtoken.c ------------------------------------------------------------ */

/* Fetches the provider's JWKS document: *json malloc'd, NUL-terminated. */
typedef int (*oidc_jwks_fetch_fn)(void *ctx, char **json, size_t *len, struct sb_err *err);

struct oidc_key;

/* The provider's signing keys, fetched on first use and fetched again once
 * when a token names a `kid` the cache does not hold (key rotation). The
 * lock makes one cache safe to share between the daemon's threads. */
struct oidc_keys {
	oidc_jwks_fetch_fn fetch;
	void *fetch_ctx;
	pthread_mutex_t lock;
	struct oidc_key *v;
	size_t n;
	bool loaded;
	unsigned fetches; /* JWKS documents fetched, for tests and status */
};

/* What the token must say. */
struct oidc_expect {
	const char *issuer;
	const char *client_id;
	const char *username_claim; /* NULL: preferred_username */
	time_t now;		    /* 0: time(NULL) */
};

void oidc_keys_init(struct oidc_keys *k, oidc_jwks_fetch_fn fetch, void *fetch_ctx);
void oidc_keys_free(struct oidc_keys *k);
/* Replaces the cache with the keys of a JWKS document (keys that are not for
 * signatures, or that cjose cannot import, are skipped). */
int oidc_keys_load(struct oidc_keys *k, const char *json, size_t len, struct sb_err *err);

/* Verifies a compact JWS ID token: alg RS256/384/512, PS256/384/512 or
 * ES256/384/512 (never none or HS*), signature by a key of the JWKS, `iss`,
 * `aud` (a string or an array holding client_id), `exp`, `iat`, `nbf`, then
 * returns the username claim (malloc'd) in *username. A refusal is
 * SB_E_SECURITY with the reason in err->msg; a malformed token
 * SB_E_PROTOCOL; a JWKS that cannot be fetched SB_E_NETWORK/SB_E_HTTP. */
int oidc_idtoken_verify(struct oidc_keys *k, const struct oidc_expect *want, const char *token,
			char **username, struct sb_err *err);

/* An oidc_jwks_fetch_fn over HTTPS: ctx is a struct oidc_jwks_http. */
struct oidc_jwks_http {
	const struct sb_config *cfg;
	const char *jwks_uri;
};
int oidc_jwks_fetch_https(void *ctx, char **json, size_t *len, struct sb_err *err);

#endif
