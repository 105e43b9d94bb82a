/* minisign_sig.c — minisign-compatible signatures (.minisig, formats in
 * minisign.h) with the keys of minisign.c: sb_ms_sign and sb_ms_verify.
 * Parsing is strict: every line, length, algorithm tag and base64 form is
 * checked before any cryptography runs, and every refusal says which part
 * was wrong. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "minisign.h"
#include "minisign_text.h"

#define TRUSTED_PREFIX	    "trusted comment: "
#define DEFAULT_SIG_COMMENT "signature from minisign secret key"
#define HASH_BYTES	    64
#define SIG_BLOB	    (2 + SB_MS_KEYID_BYTES + SB_MS_SIG_BYTES)

/* minisign's is_printable: tab, printable ASCII, and well-formed UTF-8
 * that encodes no control character. */
static bool printable(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len;

		if (p[i] == '\t' || (p[i] >= 0x20 && p[i] <= 0x7e)) {
			i++;
			continue;
		}
		len = sb_utf8_decode(p + i, n - i, &cp);
		if (!len || (cp >= 0x7f && cp <= 0x9f))
			return false;
		i += len;
	}
	return true;
}

static int check_comment(const char *what, const char *s, size_t max, struct sb_err *err)
{
	size_t n = strlen(s);

	if (n >= max || !printable((const unsigned char *)s, n))
		return sb_err_set(err, SB_E_FORMAT,
				  "%s: must be one line of printable text under %zu bytes", what,
				  max);
	return 0;
}

/* Ed25519 over signature || trusted comment: what makes the trusted
 * comment trusted. */
static int global_sig(const uint8_t sig[SB_MS_SIG_BYTES], const char *tc, size_t tc_len,
		      const uint8_t *sk, const uint8_t *pk, uint8_t out[SB_MS_SIG_BYTES])
{
	uint8_t *buf = malloc(SB_MS_SIG_BYTES + tc_len);
	int rc;

	if (!buf)
		return -2;
	memcpy(buf, sig, SB_MS_SIG_BYTES);
	memcpy(buf + SB_MS_SIG_BYTES, tc, tc_len);
	if (sk)
		rc = crypto_sign_detached(out, NULL, buf, SB_MS_SIG_BYTES + tc_len, sk);
	else
		rc = crypto_sign_verify_detached(out, buf, SB_MS_SIG_BYTES + tc_len, pk);
	free(buf);
	return rc == 0 ? 0 : -1;
}

static int sig_text(const uint8_t *blob, const char *uc, const char *tc, const uint8_t *gsig,
		    char **out, struct sb_err *err)
{
	char b1[B64LEN(SIG_BLOB) + 1], b2[B64LEN(SB_MS_SIG_BYTES) + 1];

	sb_ms_b64_put(b1, sizeof(b1), blob, SIG_BLOB);
	sb_ms_b64_put(b2, sizeof(b2), gsig, SB_MS_SIG_BYTES);
	if (asprintf(out, COMMENT_PREFIX "%s\n%s\n" TRUSTED_PREFIX "%s\n%s\n", uc, b1, tc, b2) <
	    0) {
		*out = NULL;
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	}
	return 0;
}

int sb_ms_sign(const struct sb_ms_seckey *sk, const void *msg, size_t len,
	       const char *untrusted_comment, const char *trusted_comment, char **out,
	       struct sb_err *err)
{
	uint8_t hash[HASH_BYTES], blob[SIG_BLOB], gsig[SB_MS_SIG_BYTES];
	char deftc[64];
	const char *uc = untrusted_comment ? untrusted_comment : DEFAULT_SIG_COMMENT;
	const char *tc = trusted_comment;

	*out = NULL;
	if (sb_ms_init(err) < 0)
		return -1;
	if (!tc) {
		snprintf(deftc, sizeof(deftc), "timestamp:%lld", (long long)time(NULL));
		tc = deftc;
	}
	if (check_comment("untrusted comment", uc, SB_MS_COMMENT_MAX - strlen(COMMENT_PREFIX) - 1,
			  err) < 0 ||
	    check_comment("trusted comment", tc,
			  SB_MS_TRUSTED_COMMENT_MAX - strlen(TRUSTED_PREFIX) - 1, err) < 0)
		return -1;
	crypto_generichash(hash, sizeof(hash), msg, len, NULL, 0);
	memcpy(blob, "ED", 2);
	memcpy(blob + 2, sk->keyid, SB_MS_KEYID_BYTES);
	if (crypto_sign_detached(blob + 2 + SB_MS_KEYID_BYTES, NULL, hash, sizeof(hash), sk->sk))
		return sb_err_set(err, SB_E_INTERNAL, "Ed25519 signing failed");
	switch (global_sig(blob + 2 + SB_MS_KEYID_BYTES, tc, strlen(tc), sk->sk, NULL, gsig)) {
	case 0:
		break;
	case -2:
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	default:
		return sb_err_set(err, SB_E_INTERNAL, "Ed25519 signing failed");
	}
	return sig_text(blob, uc, tc, gsig, out, err);
}

/* One line of the signature file: [*pos, '\n'); moves *pos past it. */
static int next_line(const char **pos, const char *end, const char **line, size_t *n)
{
	const char *nl = memchr(*pos, '\n', (size_t)(end - *pos));

	if (!nl)
		return -1;
	*line = *pos;
	*n = (size_t)(nl - *pos);
	*pos = nl + 1;
	return 0;
}

struct parsed_sig {
	uint8_t blob[SIG_BLOB];
	uint8_t gsig[SB_MS_SIG_BYTES];
	const char *tc; /* into the signature text, not NUL-terminated */
	size_t tc_len;
};

static int parse_sig(const char *sig, size_t sig_len, struct parsed_sig *ps, struct sb_err *err)
{
	const char *pos = sig, *end = sig + sig_len, *l[4];
	size_t n[4], up = strlen(COMMENT_PREFIX), tp = strlen(TRUSTED_PREFIX);

	if (sig_len > SB_MS_SIG_FILE_MAX)
		return sb_err_set(err, SB_E_FORMAT, "signature: %zu bytes, more than %d", sig_len,
				  SB_MS_SIG_FILE_MAX);
	if (memchr(sig, '\0', sig_len) || memchr(sig, '\r', sig_len))
		return sb_err_set(err, SB_E_FORMAT, "signature: a NUL or CR byte");
	for (int i = 0; i < 4; i++)
		if (next_line(&pos, end, &l[i], &n[i]) < 0)
			return sb_err_set(err, SB_E_FORMAT,
					  "signature: only %d of 4 lines (each ends in a newline)",
					  i);
	if (pos != end)
		return sb_err_set(err, SB_E_FORMAT, "signature: text after the fourth line");
	/* minisign reads each comment line, newline included, into a buffer
	 * of SB_MS_*_MAX bytes with its NUL: longer lines it refuses. */
	if (n[0] < up || memcmp(l[0], COMMENT_PREFIX, up) || n[0] >= SB_MS_COMMENT_MAX - 1)
		return sb_err_set(err, SB_E_FORMAT,
				  "signature: line 1 is not 'untrusted comment: …' under %d bytes",
				  SB_MS_COMMENT_MAX);
	if (sb_ms_b64_exact(l[1], n[1], ps->blob, SIG_BLOB) < 0)
		return sb_err_set(err, SB_E_FORMAT, "signature: line 2 is not a base64 signature");
	if (!memcmp(ps->blob, "Ed", 2))
		return sb_err_set(err, SB_E_FORMAT,
				  "signature: legacy (not prehashed) algorithm 'Ed' refused");
	if (memcmp(ps->blob, "ED", 2) != 0)
		return sb_err_set(err, SB_E_FORMAT, "signature: unknown algorithm");
	if (n[2] < tp || memcmp(l[2], TRUSTED_PREFIX, tp) ||
	    n[2] >= SB_MS_TRUSTED_COMMENT_MAX - 1 ||
	    !printable((const unsigned char *)l[2] + tp, n[2] - tp))
		return sb_err_set(
		    err, SB_E_FORMAT,
		    "signature: line 3 is not 'trusted comment: …' of printable text");
	ps->tc = l[2] + tp;
	ps->tc_len = n[2] - tp;
	if (sb_ms_b64_exact(l[3], n[3], ps->gsig, SB_MS_SIG_BYTES) < 0)
		return sb_err_set(err, SB_E_FORMAT,
				  "signature: line 4 is not a base64 global signature");
	return 0;
}

int sb_ms_verify(const struct sb_ms_pubkey *pk, const void *msg, size_t len, const char *sig,
		 size_t sig_len, char *trusted, size_t trusted_size, struct sb_err *err)
{
	struct parsed_sig ps;
	uint8_t hash[HASH_BYTES];
	char want[17], got[17];
	int rc;

	if (trusted && trusted_size)
		trusted[0] = '\0';
	if (sb_ms_init(err) < 0 || parse_sig(sig, sig_len, &ps, err) < 0)
		return -1;
	if (memcmp(ps.blob + 2, pk->keyid, SB_MS_KEYID_BYTES) != 0)
		return sb_err_set(err, SB_E_SECURITY, "signature: made by key %s, expected key %s",
				  sb_ms_keyid_hex(ps.blob + 2, got),
				  sb_ms_keyid_hex(pk->keyid, want));
	crypto_generichash(hash, sizeof(hash), msg, len, NULL, 0);
	if (crypto_sign_verify_detached(ps.blob + 2 + SB_MS_KEYID_BYTES, hash, sizeof(hash),
					pk->pk))
		return sb_err_set(err, SB_E_SECURITY,
				  "signature: does not verify (the file or the signature was "
				  "altered, or another key with the same id signed it)");
	rc = global_sig(ps.blob + 2 + SB_MS_KEYID_BYTES, ps.tc, ps.tc_len, NULL, pk->pk, ps.gsig);
	if (rc == -2)
		return sb_err_set(err, SB_E_NOMEM, "out of memory");
	if (rc < 0)
		return sb_err_set(err, SB_E_SECURITY,
				  "signature: the trusted comment's signature does not verify "
				  "(the trusted comment was altered)");
	if (trusted && trusted_size) {
		size_t n = ps.tc_len < trusted_size - 1 ? ps.tc_len : trusted_size - 1;

		memcpy(trusted, ps.tc, n);
		trusted[n] = '\0';
	}
	return 0;
}
