/* oidc_keys.h — what the JWKS key set (jwks.c) shares with ID token
 * verification (idtoken.c) inside oidc/: the key record, the strict
 * base64url check cjose needs, and a refetch of the provider's keys. */
#ifndef OIDC_KEYS_H
#define OIDC_KEYS_H

#include <cjose/cjose.h>
#include <stdbool.h>
#include <stddef.h>

#include "oidc.h"

struct oidc_key {
	char *kid; /* NULL when the JWK has none */
	cjose_jwk_kty_t kty;
	cjose_jwk_t *jwk;
};

/* Strict unpadded base64url of n bytes (see jwks.c for why). */
bool oidc_b64u_ok(const char *s, size_t n);
/* Fetches the provider's JWKS again and loads it. */
int oidc_keys_refresh(struct oidc_keys *k, struct sb_err *err);

#endif
