/* test_minisign.c — relay/minisign.c: key, key file and signature round
 * trips; a signature made by minisign 0.11 itself verifies (known answer);
 * and every refusal: another key id, another key under the same id, an
 * altered file, signature, trusted comment or global signature, each
 * malformed shape of a .minisig, and each bad secret key file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "minisign.h"

/* Made with Debian's minisign 0.11: `minisign -G -W`, then `minisign -S -m f`
 * with f = "hello\n". */
static const char mini_pub[] = "untrusted comment: minisign public key 5547A965E404D7FE\n"
			       "RWT+1wTkZalHVVA2XSJW3RrMegxRP43KLe/h6tLPq+OWrcORSyFb09VM\n";
static const char mini_sig[] =
    "untrusted comment: signature from minisign secret key\n"
    "RUT+1wTkZalHVbjNIekI6q5qo6kTQtJcgOUKW3ee1zUEste5l7DYRFIuhdSnNU1lCMew2hpzrZrY1v6F4ORXwSsVqCTB"
    "24DveAA=\n"
    "trusted comment: timestamp:1795970258\tfile:f\thashed\n"
    "45k4bq+XKBs4aiaWcZqLsimkopmCZK/YRXl97ZjS7IqwXVTVqTBEVZ6ZOKPk4PKFL2WT2Fo2RIj6EHUJ7zf2Bg==\n";
static const char mini_msg[] = "hello\n";

static const char msg[] = "scimbridge-release 1\ndirectory d\n";

static struct sb_ms_seckey sk;
static struct sb_ms_pubkey pk;

static int setup(void **state)
{
	struct sb_err err = {0};

	(void)state;
	return sb_ms_keygen(&sk, &pk, &err);
}

static char *sign(const char *m, const char *tc)
{
	struct sb_err err = {0};
	char *sig = NULL;

	assert_int_equal(sb_ms_sign(&sk, m, strlen(m), NULL, tc, &sig, &err), 0);
	return sig;
}

static int verify_with(const struct sb_ms_pubkey *k, const char *m, const char *sig,
		       struct sb_err *err)
{
	char tc[SB_MS_TRUSTED_COMMENT_MAX];

	memset(err, 0, sizeof(*err));
	return sb_ms_verify(k, m, strlen(m), sig, strlen(sig), tc, sizeof(tc), err);
}

static void expect_refused(const char *m, const char *sig, enum sb_errkind kind, const char *needle)
{
	struct sb_err err;

	assert_int_equal(verify_with(&pk, m, sig, &err), -1);
	assert_int_equal(err.kind, kind);
	if (!strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
}

static void test_pubkey_text_round_trip(void **state)
{
	struct sb_ms_pubkey back;
	struct sb_err err = {0};
	char text[SB_MS_PUBKEY_TEXT], file[200];

	(void)state;
	sb_ms_pubkey_text(&pk, text);
	assert_int_equal(strlen(text), 56);
	assert_memory_equal(text, "RW", 2);
	assert_int_equal(sb_ms_pubkey_parse(text, &back, &err), 0);
	assert_memory_equal(&back, &pk, sizeof(pk));
	snprintf(file, sizeof(file), "untrusted comment: minisign public key X\n%s\n", text);
	memset(&back, 0, sizeof(back));
	assert_int_equal(sb_ms_pubkey_parse(file, &back, &err), 0);
	assert_memory_equal(&back, &pk, sizeof(pk));
	sb_ms_seckey_pubkey(&sk, &back);
	assert_memory_equal(&back, &pk, sizeof(pk));
}

static void expect_bad_pubkey(const char *text, const char *needle)
{
	struct sb_ms_pubkey k;
	struct sb_err err = {0};

	assert_int_equal(sb_ms_pubkey_parse(text, &k, &err), -1);
	assert_int_equal(err.kind, SB_E_FORMAT);
	if (!strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
}

static void test_pubkey_refusals(void **state)
{
	uint8_t blob[42] = {'X', 'y'};
	char text[SB_MS_PUBKEY_TEXT], bad[80];

	(void)state;
	sb_ms_pubkey_text(&pk, text);
	snprintf(bad, sizeof(bad), "%.55s", text);
	expect_bad_pubkey(bad, "not the base64");
	snprintf(bad, sizeof(bad), "%s=", text);
	expect_bad_pubkey(bad, "not the base64");
	snprintf(bad, sizeof(bad), " %s", text);
	expect_bad_pubkey(bad, "not the base64");
	snprintf(bad, sizeof(bad), "%s", text);
	bad[20] = '*';
	expect_bad_pubkey(bad, "not the base64");
	snprintf(bad, sizeof(bad), "%s\nmore\n", text);
	expect_bad_pubkey(bad, "text after the key line");
	expect_bad_pubkey("untrusted comment: only a comment", "no key line");
	sodium_bin2base64(bad, sizeof(bad), blob, sizeof(blob), sodium_base64_VARIANT_ORIGINAL);
	expect_bad_pubkey(bad, "not Ed25519");
}

static void test_sign_verify_round_trip(void **state)
{
	struct sb_err err;
	char tc[SB_MS_TRUSTED_COMMENT_MAX];
	char *sig = sign(msg, "generation:7\tdirectory:d");

	(void)state;
	assert_int_equal(
	    sb_ms_verify(&pk, msg, strlen(msg), sig, strlen(sig), tc, sizeof(tc), &err), 0);
	assert_string_equal(tc, "generation:7\tdirectory:d");
	assert_non_null(strstr(sig, "untrusted comment: signature from minisign secret key\nRU"));
	free(sig);
	sig = sign(msg, NULL); /* default: a timestamp, as minisign's */
	assert_int_equal(verify_with(&pk, msg, sig, &err), 0);
	assert_non_null(strstr(sig, "\ntrusted comment: timestamp:"));
	free(sig);
	sig = sign("", "empty file");
	assert_int_equal(verify_with(&pk, "", sig, &err), 0);
	free(sig);
}

/* A signature from the real minisign verifies with our code. */
static void test_minisign_known_answer(void **state)
{
	struct sb_ms_pubkey k;
	struct sb_err err = {0};
	char tc[SB_MS_TRUSTED_COMMENT_MAX], id[17];

	(void)state;
	assert_int_equal(sb_ms_pubkey_parse(mini_pub, &k, &err), 0);
	assert_string_equal(sb_ms_keyid_hex(k.keyid, id), "5547A965E404D7FE");
	assert_int_equal(sb_ms_verify(&k, mini_msg, strlen(mini_msg), mini_sig, strlen(mini_sig),
				      tc, sizeof(tc), &err),
			 0);
	assert_string_equal(tc, "timestamp:1795970258\tfile:f\thashed");
	assert_int_equal(sb_ms_verify(&k, "hellO\n", 6, mini_sig, strlen(mini_sig), NULL, 0, &err),
			 -1);
}

/* Re-encodes line 2 (the signature blob) or 4 (the global signature) of
 * sig with one bit of byte at flipped. */
static char *flip(const char *sig, int line, size_t at)
{
	char *out = strdup(sig), *l = out;
	uint8_t bin[80];
	size_t n, len;

	for (int i = 1; i < line; i++)
		l = strchr(l, '\n') + 1;
	len = strcspn(l, "\n");
	assert_int_equal(sodium_base642bin(bin, sizeof(bin), l, len, NULL, &n, NULL,
					   sodium_base64_VARIANT_ORIGINAL),
			 0);
	bin[at] ^= 1;
	sodium_bin2base64(l, len + 1, bin, n, sodium_base64_VARIANT_ORIGINAL);
	l[len] = '\n';
	return out;
}

static void test_tampering_refused(void **state)
{
	char *sig = sign(msg, "generation:7"), *bad;
	struct sb_ms_seckey sk2;
	struct sb_ms_pubkey pk2;
	struct sb_err err = {0};

	(void)state;
	expect_refused("scimbridge-release 1\ndirectory e\n", sig, SB_E_SECURITY,
		       "does not verify");
	bad = flip(sig, 2, 2 + 8 + 5); /* a bit of the Ed25519 signature */
	expect_refused(msg, bad, SB_E_SECURITY, "does not verify");
	free(bad);
	bad = flip(sig, 2, 3); /* a bit of the key id */
	expect_refused(msg, bad, SB_E_SECURITY, "made by key");
	free(bad);
	bad = flip(sig, 4, 10); /* the global signature */
	expect_refused(msg, bad, SB_E_SECURITY, "trusted comment");
	free(bad);
	bad = strdup(sig);
	*strstr(bad, "generation:7") = 'G';
	expect_refused(msg, bad, SB_E_SECURITY, "trusted comment was altered");
	free(bad);
	/* another key: its own id, and then the same id (key substitution) */
	assert_int_equal(sb_ms_keygen(&sk2, &pk2, &err), 0);
	assert_int_equal(verify_with(&pk2, msg, sig, &err), -1);
	assert_non_null(strstr(err.msg, "made by key"));
	memcpy(pk2.keyid, pk.keyid, sizeof(pk2.keyid));
	assert_int_equal(verify_with(&pk2, msg, sig, &err), -1);
	assert_int_equal(err.kind, SB_E_SECURITY);
	assert_non_null(strstr(err.msg, "does not verify"));
	free(sig);
}

static void test_malformed_refused(void **state)
{
	char *sig = sign(msg, "t"), *bad = malloc(SB_MS_SIG_FILE_MAX + 2);
	size_t n = strlen(sig);
	char *l2 = strchr(sig, '\n') + 1, *l3 = strchr(l2, '\n') + 1, *l4 = strchr(l3, '\n') + 1;

	(void)state;
	snprintf(bad, SB_MS_SIG_FILE_MAX, "%.*s", (int)(n - 1), sig);
	expect_refused(msg, bad, SB_E_FORMAT, "only 3 of 4 lines");
	snprintf(bad, SB_MS_SIG_FILE_MAX, "%sextra\n", sig);
	expect_refused(msg, bad, SB_E_FORMAT, "after the fourth line");
	snprintf(bad, SB_MS_SIG_FILE_MAX, "comment: x\n%s", l2);
	expect_refused(msg, bad, SB_E_FORMAT, "line 1");
	snprintf(bad, SB_MS_SIG_FILE_MAX, "%.*sX%s", (int)(l3 - sig - 2), sig, l3 - 1);
	expect_refused(msg, bad, SB_E_FORMAT, "line 2");
	snprintf(bad, SB_MS_SIG_FILE_MAX, "%.*sreal comment: t\n%s", (int)(l3 - sig), sig, l4);
	expect_refused(msg, bad, SB_E_FORMAT, "line 3");
	snprintf(bad, SB_MS_SIG_FILE_MAX, "%.*strusted comment: a\033b\n%s", (int)(l3 - sig), sig,
		 l4);
	expect_refused(msg, bad, SB_E_FORMAT, "line 3");
	snprintf(bad, SB_MS_SIG_FILE_MAX, "%.*s%s", (int)(l4 - sig), sig, "AAAA\n");
	expect_refused(msg, bad, SB_E_FORMAT, "line 4");
	snprintf(bad, SB_MS_SIG_FILE_MAX, "%s", sig);
	bad[n - 1] = '\r';
	expect_refused(msg, bad, SB_E_FORMAT, "CR");
	/* the algorithm tag: legacy "Ed" and an unknown one */
	snprintf(bad, SB_MS_SIG_FILE_MAX, "%s", sig);
	memcpy(bad + (l2 - sig), "RW", 2); /* base64 of "Ed…" begins "RW" */
	expect_refused(msg, bad, SB_E_FORMAT, "legacy");
	memcpy(bad + (l2 - sig), "AA", 2);
	expect_refused(msg, bad, SB_E_FORMAT, "unknown algorithm");
	/* bounds: an untrusted comment line minisign would not read, a huge file */
	memset(bad, 'x', SB_MS_SIG_FILE_MAX + 1);
	memcpy(bad, "untrusted comment: ", 19);
	snprintf(bad + SB_MS_COMMENT_MAX - 2, 2048, "\n%s", l2); /* 1022 + newline: fits */
	assert_int_equal(verify_with(&pk, msg, bad, &(struct sb_err){0}), 0);
	snprintf(bad + SB_MS_COMMENT_MAX - 2, 2048, "x\n%s", l2); /* 1023 + newline: too long */
	expect_refused(msg, bad, SB_E_FORMAT, "line 1");
	memset(bad, 'x', SB_MS_SIG_FILE_MAX + 1);
	bad[SB_MS_SIG_FILE_MAX + 1] = '\0';
	expect_refused(msg, bad, SB_E_FORMAT, "more than");
	free(bad);
	free(sig);
}

static void test_sign_comment_bounds(void **state)
{
	size_t max = SB_MS_TRUSTED_COMMENT_MAX - strlen("trusted comment: ") - 2;
	char *tc = malloc(max + 2), *sig = NULL;
	struct sb_err err = {0};

	(void)state;
	memset(tc, 'a', max + 1);
	tc[max] = '\0'; /* the longest minisign reads back */
	assert_int_equal(sb_ms_sign(&sk, msg, strlen(msg), NULL, tc, &sig, &err), 0);
	assert_int_equal(verify_with(&pk, msg, sig, &err), 0);
	free(sig);
	tc[max] = 'a';
	tc[max + 1] = '\0';
	assert_int_equal(sb_ms_sign(&sk, msg, strlen(msg), NULL, tc, &sig, &err), -1);
	assert_null(sig);
	assert_int_equal(sb_ms_sign(&sk, msg, strlen(msg), NULL, "two\nlines", &sig, &err), -1);
	assert_int_equal(sb_ms_sign(&sk, msg, strlen(msg), "a\nb", "t", &sig, &err), -1);
	assert_int_equal(sb_ms_sign(&sk, msg, strlen(msg), NULL, "caf\xc3\xa9", &sig, &err), 0);
	assert_int_equal(verify_with(&pk, msg, sig, &err), 0);
	free(sig);
	assert_int_equal(sb_ms_sign(&sk, msg, strlen(msg), NULL, "bad \xc3", &sig, &err), -1);
	free(tc);
}

static void test_seckey_file_round_trip(void **state)
{
	struct sb_ms_seckey back;
	struct sb_err err = {0};
	char path[64];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/sbkey.%d", (int)getpid());
	unlink(path);
	umask(022);
	assert_int_equal(sb_ms_seckey_save(path, &sk, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(sb_ms_seckey_load(path, &back, &err), 0);
	assert_memory_equal(&back, &sk, sizeof(sk));
	assert_int_equal(sb_ms_seckey_save(path, &sk, &err), -1); /* never overwritten */
	assert_non_null(strstr(err.msg, "never overwritten"));
	chmod(path, 0640);
	assert_int_equal(sb_ms_seckey_load(path, &back, &err), -1);
	assert_int_equal(err.kind, SB_E_SECURITY);
	unlink(path);
}

/* A secret key file's text with its blob changed by edit. */
static void expect_bad_seckey(void (*edit)(uint8_t *blob), enum sb_errkind kind, const char *needle)
{
	struct sb_err err = {0};
	struct sb_ms_seckey back;
	char *text = sb_ms_seckey_file_text(&sk, &err), *line = strchr(text, '\n') + 1;
	uint8_t blob[158];
	size_t n;

	assert_int_equal(sodium_base642bin(blob, sizeof(blob), line, strcspn(line, "\n"), NULL, &n,
					   NULL, sodium_base64_VARIANT_ORIGINAL),
			 0);
	assert_int_equal(n, sizeof(blob));
	edit(blob);
	sodium_bin2base64(line, strlen(line) + 1, blob, n, sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(sb_ms_seckey_parse(text, strlen(text), &back, &err), kind ? -1 : 0);
	if (kind) {
		assert_int_equal(err.kind, kind);
		if (!strstr(err.msg, needle))
			fail_msg("'%s' not in '%s'", needle, err.msg);
	} else {
		assert_memory_equal(&back, &sk, sizeof(sk));
	}
	free(text);
}

static void chk(uint8_t *b)
{
	crypto_generichash_state hs;

	crypto_generichash_init(&hs, NULL, 0, 32);
	crypto_generichash_update(&hs, b, 2);
	crypto_generichash_update(&hs, b + 54, 8 + 64);
	crypto_generichash_final(&hs, b + 126, 32);
}
static void ed_encrypted(uint8_t *b)
{
	memcpy(b + 2, "Sc", 2);
}
static void ed_kdf(uint8_t *b)
{
	memcpy(b + 2, "Xx", 2);
}
static void ed_alg(uint8_t *b)
{
	memcpy(b, "Ex", 2);
}
static void ed_chkalg(uint8_t *b)
{
	memcpy(b + 4, "B3", 2);
}
static void ed_chk(uint8_t *b)
{
	b[130] ^= 1;
}
static void ed_chk_zero(uint8_t *b)
{
	memset(b + 126, 0, 32); /* what `minisign -G -W` writes */
}
static void ed_pkhalf(uint8_t *b)
{
	b[54 + 8 + 40] ^= 1; /* the public half inside the secret key */
	chk(b);
}

static void test_seckey_refusals(void **state)
{
	struct sb_ms_seckey back;
	struct sb_err err = {0};

	(void)state;
	expect_bad_seckey(ed_chk_zero, SB_E_NONE, NULL);
	expect_bad_seckey(ed_encrypted, SB_E_SECURITY, "encrypted with a password");
	expect_bad_seckey(ed_kdf, SB_E_FORMAT, "unknown key derivation");
	expect_bad_seckey(ed_alg, SB_E_FORMAT, "not Ed25519");
	expect_bad_seckey(ed_chkalg, SB_E_FORMAT, "not BLAKE2b");
	expect_bad_seckey(ed_chk, SB_E_SECURITY, "checksum mismatch");
	expect_bad_seckey(ed_pkhalf, SB_E_SECURITY, "does not match its seed");
	assert_int_equal(sb_ms_seckey_parse("RWQAAA\n", 7, &back, &err), -1);
	assert_non_null(strstr(err.msg, "first line"));
	assert_int_equal(sb_ms_seckey_parse("untrusted comment: x\nRWQAAA\n", 28, &back, &err), -1);
	assert_non_null(strstr(err.msg, "second line"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pubkey_text_round_trip),
	    cmocka_unit_test(test_pubkey_refusals),
	    cmocka_unit_test(test_sign_verify_round_trip),
	    cmocka_unit_test(test_minisign_known_answer),
	    cmocka_unit_test(test_tampering_refused),
	    cmocka_unit_test(test_malformed_refused),
	    cmocka_unit_test(test_sign_comment_bounds),
	    cmocka_unit_test(test_seckey_file_round_trip),
	    cmocka_unit_test(test_seckey_refusals),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
