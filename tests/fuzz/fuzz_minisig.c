/* fuzz_minisig.c — a .minisig, a public key and a secret key file are
 * parsed from bytes a relay (or an admin's copy and paste) hands us: any
 * input is refused or parsed without a stray read. The signature is
 * checked against minisign 0.11's own key and message (the corpus holds
 * its real signature, so the fuzzer starts from the verifying path). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "minisign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char pub[] = "RWT+1wTkZalHVVA2XSJW3RrMegxRP43KLe/h6tLPq+OWrcORSyFb09VM";
static const char msg[] = "hello\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sb_ms_pubkey pk;
	static int ready;
	struct sb_ms_pubkey other;
	struct sb_ms_seckey sk;
	struct sb_err err = {0};
	char tc[SB_MS_TRUSTED_COMMENT_MAX], *copy;

	if (!ready && sb_ms_pubkey_parse(pub, &pk, &err) == 0)
		ready = 1;
	(void)sb_ms_verify(&pk, msg, strlen(msg), (const char *)data, size, tc, sizeof(tc), &err);
	(void)sb_ms_seckey_parse((const char *)data, size, &sk, &err);
	copy = malloc(size + 1); /* the public key parser takes a C string */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	(void)sb_ms_pubkey_parse(copy, &other, &err);
	free(copy);
	return 0;
}
