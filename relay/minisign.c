/* minisign.c — minisign-compatible Ed25519 keys on top of libsodium
 * (formats in minisign.h): key pairs, the public key line and file, the
 * secret key file; signatures are in minisign_sig.c. Parsing is strict:
 * every line, length, algorithm tag and base64 form is checked before any
 * cryptography runs, and every refusal says which part was wrong. */
#include "minisign.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "file_replace.h"
#include "log.h"
#include "minisign_text.h"

#define SECKEY_COMMENT "scimbridge relay signing key (minisign unencrypted secret key)"
#define CHK_BYTES      32

/* The secret key blob's layout (158 bytes, minisign's SeckeyStruct). */
enum {
	SK_ALG = 0,
	SK_KDF = 2,
	SK_CHKALG = 4,
	SK_SALT = 6,
	SK_OPS = 38,
	SK_MEM = 46,
	SK_KEYID = 54,
	SK_SK = SK_KEYID + SB_MS_KEYID_BYTES,
	SK_CHK = SK_SK + SB_MS_SK_BYTES,
	SK_BYTES = SK_CHK + CHK_BYTES,
};
#define PK_BLOB (2 + SB_MS_KEYID_BYTES + SB_MS_PK_BYTES)

int sb_ms_init(struct sb_err *err)
{
	if (sodium_init() < 0)
		return sb_err_set(err, SB_E_INTERNAL, "libsodium failed to initialise");
	return 0;
}

const char *sb_ms_keyid_hex(const uint8_t keyid[SB_MS_KEYID_BYTES], char *buf)
{
	uint64_t v = 0;

	for (int i = SB_MS_KEYID_BYTES - 1; i >= 0; i--)
		v = v << 8 | keyid[i];
	snprintf(buf, 17, "%016" PRIX64, v);
	return buf;
}

int sb_ms_b64_exact(const char *s, size_t len, uint8_t *out, size_t want)
{
	const char *end = NULL;
	size_t got = 0;

	if (len != B64LEN(want))
		return -1;
	if (sodium_base642bin(out, want, s, len, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL))
		return -1;
	return got == want && end == s + len ? 0 : -1;
}

void sb_ms_b64_put(char *out, size_t size, const uint8_t *bin, size_t n)
{
	sodium_bin2base64(out, size, bin, n, sodium_base64_VARIANT_ORIGINAL);
}

int sb_ms_keygen(struct sb_ms_seckey *sk, struct sb_ms_pubkey *pk, struct sb_err *err)
{
	if (sb_ms_init(err) < 0)
		return -1;
	randombytes_buf(sk->keyid, sizeof(sk->keyid));
	if (crypto_sign_keypair(pk->pk, sk->sk) != 0)
		return sb_err_set(err, SB_E_INTERNAL, "Ed25519 key generation failed");
	memcpy(pk->keyid, sk->keyid, sizeof(pk->keyid));
	return 0;
}

void sb_ms_seckey_pubkey(const struct sb_ms_seckey *sk, struct sb_ms_pubkey *pk)
{
	memcpy(pk->keyid, sk->keyid, sizeof(pk->keyid));
	crypto_sign_ed25519_sk_to_pk(pk->pk, sk->sk);
}

void sb_ms_seckey_wipe(struct sb_ms_seckey *sk)
{
	sodium_memzero(sk, sizeof(*sk));
}

void sb_ms_pubkey_text(const struct sb_ms_pubkey *pk, char out[SB_MS_PUBKEY_TEXT])
{
	uint8_t blob[PK_BLOB];

	memcpy(blob, "Ed", 2);
	memcpy(blob + 2, pk->keyid, SB_MS_KEYID_BYTES);
	memcpy(blob + 2 + SB_MS_KEYID_BYTES, pk->pk, SB_MS_PK_BYTES);
	sb_ms_b64_put(out, SB_MS_PUBKEY_TEXT, blob, sizeof(blob));
}

int sb_ms_pubkey_parse(const char *text, struct sb_ms_pubkey *pk, struct sb_err *err)
{
	uint8_t blob[PK_BLOB];
	const char *line = text;
	size_t len;

	if (sb_ms_init(err) < 0)
		return -1;
	if (!strncmp(text, COMMENT_PREFIX, strlen(COMMENT_PREFIX))) {
		line = strchr(text, '\n');
		if (!line)
			return sb_err_set(err, SB_E_FORMAT,
					  "public key: a comment line and no key line");
		line++;
	}
	len = strcspn(line, "\n");
	if (line[len] == '\n' && line[len + 1] != '\0')
		return sb_err_set(err, SB_E_FORMAT, "public key: text after the key line");
	if (sb_ms_b64_exact(line, len, blob, sizeof(blob)) < 0)
		return sb_err_set(err, SB_E_FORMAT,
				  "public key: not the base64 of a minisign key "
				  "(56 characters, RW…): '%.60s'",
				  line);
	if (memcmp(blob, "Ed", 2) != 0)
		return sb_err_set(err, SB_E_FORMAT, "public key: algorithm is not Ed25519 ('Ed')");
	memcpy(pk->keyid, blob + 2, SB_MS_KEYID_BYTES);
	memcpy(pk->pk, blob + 2 + SB_MS_KEYID_BYTES, SB_MS_PK_BYTES);
	return 0;
}

static void seckey_chk(const uint8_t *blob, uint8_t chk[CHK_BYTES])
{
	crypto_generichash_state hs;

	crypto_generichash_init(&hs, NULL, 0, CHK_BYTES);
	crypto_generichash_update(&hs, blob + SK_ALG, 2);
	crypto_generichash_update(&hs, blob + SK_KEYID, SB_MS_KEYID_BYTES);
	crypto_generichash_update(&hs, blob + SK_SK, SB_MS_SK_BYTES);
	crypto_generichash_final(&hs, chk, CHK_BYTES);
	sodium_memzero(&hs, sizeof(hs));
}

char *sb_ms_seckey_file_text(const struct sb_ms_seckey *sk, struct sb_err *err)
{
	uint8_t blob[SK_BYTES] = {0};
	size_t size = strlen(COMMENT_PREFIX SECKEY_COMMENT "\n") + B64LEN(SK_BYTES) + 2;
	char *out = NULL;
	int n;

	if (sb_ms_init(err) < 0)
		return NULL;
	out = malloc(size);
	if (!out)
		return sb_err_set(err, SB_E_NOMEM, "out of memory"), NULL;
	memcpy(blob + SK_ALG, "Ed", 2); /* kdf stays "\0\0": unencrypted */
	memcpy(blob + SK_CHKALG, "B2", 2);
	memcpy(blob + SK_KEYID, sk->keyid, SB_MS_KEYID_BYTES);
	memcpy(blob + SK_SK, sk->sk, SB_MS_SK_BYTES);
	seckey_chk(blob, blob + SK_CHK);
	n = snprintf(out, size, "%s\n", COMMENT_PREFIX SECKEY_COMMENT);
	sb_ms_b64_put(out + n, size - (size_t)n, blob, sizeof(blob));
	strcat(out, "\n");
	sodium_memzero(blob, sizeof(blob));
	return out;
}

/* The checks on a decoded secret key blob, in the order minisign makes them. */
static int seckey_check_blob(const uint8_t *blob, struct sb_err *err)
{
	uint8_t chk[CHK_BYTES], zero[CHK_BYTES] = {0}, pk[32], sk[64], seed[32];
	int bad;

	if (memcmp(blob + SK_ALG, "Ed", 2) != 0)
		return sb_err_set(err, SB_E_FORMAT, "secret key: algorithm is not Ed25519 ('Ed')");
	if (memcmp(blob + SK_CHKALG, "B2", 2) != 0)
		return sb_err_set(err, SB_E_FORMAT, "secret key: checksum is not BLAKE2b ('B2')");
	if (!memcmp(blob + SK_KDF, "Sc", 2))
		return sb_err_set(err, SB_E_SECURITY,
				  "secret key: encrypted with a password; a daemon cannot type "
				  "one (remove it with `minisign -C -W`)");
	if (memcmp(blob + SK_KDF, "\0\0", 2) != 0)
		return sb_err_set(err, SB_E_FORMAT, "secret key: unknown key derivation");
	seckey_chk(blob, chk);
	bad = sodium_memcmp(chk, blob + SK_CHK, CHK_BYTES) != 0 &&
	      sodium_memcmp(zero, blob + SK_CHK, CHK_BYTES) != 0;
	sodium_memzero(chk, sizeof(chk));
	if (bad)
		return sb_err_set(err, SB_E_SECURITY, "secret key: checksum mismatch (corrupted)");
	/* The stored public half must be the seed's, or signatures would not
	 * verify against the public key given to subscribers. */
	crypto_sign_ed25519_sk_to_seed(seed, blob + SK_SK);
	crypto_sign_seed_keypair(pk, sk, seed);
	bad = sodium_memcmp(sk, blob + SK_SK, sizeof(sk)) != 0;
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	if (bad)
		return sb_err_set(
		    err, SB_E_SECURITY,
		    "secret key: its public half does not match its seed (corrupted)");
	return 0;
}

int sb_ms_seckey_parse(const char *text, size_t len, struct sb_ms_seckey *sk, struct sb_err *err)
{
	uint8_t blob[SK_BYTES];
	const char *nl, *line, *end = text + len;
	size_t n;
	int rc = -1;

	if (sb_ms_init(err) < 0)
		return -1;
	nl = memchr(text, '\n', len);
	if (len < strlen(COMMENT_PREFIX) || strncmp(text, COMMENT_PREFIX, strlen(COMMENT_PREFIX)) ||
	    !nl)
		return sb_err_set(err, SB_E_FORMAT,
				  "secret key: the first line is not 'untrusted comment: …'");
	line = nl + 1;
	n = (size_t)(end - line);
	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (memchr(line, '\n', n) || sb_ms_b64_exact(line, n, blob, sizeof(blob)) < 0) {
		sb_err_set(err, SB_E_FORMAT,
			   "secret key: the second line is not the base64 of a minisign "
			   "secret key (%d characters)",
			   (int)B64LEN(SK_BYTES));
		goto out;
	}
	if (seckey_check_blob(blob, err) < 0)
		goto out;
	memcpy(sk->keyid, blob + SK_KEYID, SB_MS_KEYID_BYTES);
	memcpy(sk->sk, blob + SK_SK, SB_MS_SK_BYTES);
	rc = 0;
out:
	sodium_memzero(blob, sizeof(blob));
	return rc;
}

int sb_ms_seckey_save(const char *path, const struct sb_ms_seckey *sk, struct sb_err *err)
{
	char *text = sb_ms_seckey_file_text(sk, err);
	int fd = -1, rc = -1;

	if (!text)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		sb_err_sys(err, errno, "cannot create %s%s", path,
			   errno == EEXIST ? " (it exists; a key is never overwritten)" : "");
		goto out;
	}
	/* umask can only take bits away from 0600; fchmod makes it exact. */
	if (fchmod(fd, 0600) < 0 || sb_write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
		sb_err_sys(err, errno, "cannot write %s", path);
		unlink(path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		rc = sb_err_sys(err, errno, "cannot write %s", path);
		unlink(path);
	}
	sodium_memzero(text, strlen(text));
	free(text);
	return rc;
}

int sb_ms_seckey_load(const char *path, struct sb_ms_seckey *sk, struct sb_err *err)
{
	char *text = sb_config_read_secret(path, (long)geteuid(), err);
	size_t len;
	int rc;

	if (!text)
		return -1;
	len = strlen(text);
	rc = sb_ms_seckey_parse(text, len, sk, err);
	if (rc < 0 && err) {
		struct sb_err why = *err;

		sb_err_set(err, why.kind, "%s: %s", path, why.msg);
	}
	sodium_memzero(text, len);
	free(text);
	return rc;
}
