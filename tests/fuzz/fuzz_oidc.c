/* fuzz_oidc.c — what an OpenID provider (or whoever stands in for one)
 * hands the daemon: an ID token, a JWKS and a discovery document. Any input
 * is refused or accepted without a stray read; an accepted token must be
 * the one the key really signed (the corpus holds a real ES256 token, so
 * the fuzzer starts from the verifying path). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char jwks[] =
    "{\"keys\":[{\"kty\":\"EC\",\"x\":\"5aMpJj94qyZwfB74pXp8Kn_Ae0nRc_lWmxjSRwf-9OA\",\"y\":"
    "\"411BdzVC3X8yZT4pv0yjpHc5zRVjIakwUHwsJfNlRsM\",\"crv\":\"P-256\",\"kid\":\"fuzz-ec\",\"alg\":"
    "\"ES256\",\"use\":\"sig\"}]}";

static int fetch(void *ctx, char **json, size_t *len, struct sb_err *err)
{
	(void)ctx;
	(void)err;
	*json = strdup(jwks);
	*len = strlen(jwks);
	return *json ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct oidc_keys keys;
	static int ready;
	const struct oidc_expect want = {"https://idp.example.com", "scimbridge-host", NULL,
					 1800000100};
	struct oidc_keys other;
	struct oidc_provider prov;
	struct sb_err err = {0};
	char *copy = malloc(size + 1), *user = NULL;

	if (!copy)
		return 0;
	if (!ready) {
		oidc_keys_init(&keys, fetch, NULL);
		ready = 1;
	}
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (oidc_idtoken_verify(&keys, &want, copy, &user, &err) == 0 && strcmp(user, "alice") != 0)
		abort(); /* only the corpus token (or its re-encodings) verifies */
	free(user);
	oidc_keys_init(&other, NULL, NULL);
	(void)oidc_keys_load(&other, (const char *)data, size, &err);
	oidc_keys_free(&other);
	if (oidc_discovery_parse("https://idp.example.com", (const char *)data, size, &prov,
				 &err) == 0)
		oidc_provider_free(&prov);
	free(copy);
	return 0;
}
