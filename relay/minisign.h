/* minisign.h — Ed25519 keys and signatures in minisign's formats (libsodium),
 * so that a release the publisher signs verifies with `minisign -V` and a key
 * made by `minisign -G -W` signs for the publisher. The formats, as minisign
 * 0.10+ writes them (src/minisign.h in jedisct1/minisign):
 *  - public key: base64("Ed" || key id[8] || Ed25519 public key[32]), 56
 *    characters starting "RW"; a public key file is that line under
 *    "untrusted comment: minisign public key <KEYID>".
 *  - secret key file: an untrusted comment line, then base64 of 158 bytes:
 *    "Ed" || kdf "\0\0" (unencrypted) || "B2" || salt[32] || opslimit[8] ||
 *    memlimit[8] || key id[8] || Ed25519 secret key[64] || checksum[32],
 *    the checksum being BLAKE2b-256("Ed" || key id || secret key). Only the
 *    unencrypted form is written or read (a daemon cannot type a password);
 *    `minisign -S -s FILE` accepts it as it is.
 *  - signature (.minisig): four lines — "untrusted comment: …";
 *    base64("ED" || key id[8] || Ed25519(BLAKE2b-512(file))[64]);
 *    "trusted comment: …"; base64(Ed25519(signature[64] || trusted comment)).
 * Only the prehashed "ED" algorithm is produced or accepted (minisign's
 * default since 0.10; `-H` on its side). */
#ifndef SB_MINISIGN_H
#define SB_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define SB_MS_KEYID_BYTES 8
#define SB_MS_PK_BYTES	  32
#define SB_MS_SK_BYTES	  64
#define SB_MS_SIG_BYTES	  64
/* The public key's text form: 56 characters and a NUL. */
#define SB_MS_PUBKEY_TEXT 57
/* minisign's line buffers (newline and NUL included) for the untrusted and
 * the trusted comment lines: a longer line is refused by both sides. */
#define SB_MS_COMMENT_MAX	  1024
#define SB_MS_TRUSTED_COMMENT_MAX 8192
/* A whole .minisig larger than this is refused before parsing. */
#define SB_MS_SIG_FILE_MAX 16384

struct sb_ms_pubkey {
	uint8_t keyid[SB_MS_KEYID_BYTES];
	uint8_t pk[SB_MS_PK_BYTES];
};

struct sb_ms_seckey {
	uint8_t keyid[SB_MS_KEYID_BYTES];
	uint8_t sk[SB_MS_SK_BYTES]; /* libsodium's: seed[32] || public key[32] */
};

/* A new random key pair (random key id too). */
int sb_ms_keygen(struct sb_ms_seckey *sk, struct sb_ms_pubkey *pk, struct sb_err *err);
/* The public half of a secret key. */
void sb_ms_seckey_pubkey(const struct sb_ms_seckey *sk, struct sb_ms_pubkey *pk);
/* Wipes a secret key. */
void sb_ms_seckey_wipe(struct sb_ms_seckey *sk);

/* The key id as minisign prints it: 16 upper-case hex digits of the id read
 * as a little-endian integer. buf holds at least 17 bytes. */
const char *sb_ms_keyid_hex(const uint8_t keyid[SB_MS_KEYID_BYTES], char *buf);

/* "RW…" into out (SB_MS_PUBKEY_TEXT bytes). */
void sb_ms_pubkey_text(const struct sb_ms_pubkey *pk, char out[SB_MS_PUBKEY_TEXT]);
/* Parses the "RW…" line (exactly, no blanks), or a whole minisign public
 * key file (untrusted comment line, key line, optional final newline). */
int sb_ms_pubkey_parse(const char *text, struct sb_ms_pubkey *pk, struct sb_err *err);

/* The secret key file's text (malloc'd; the caller wipes and frees it). */
char *sb_ms_seckey_file_text(const struct sb_ms_seckey *sk, struct sb_err *err);
/* Parses a secret key file's text; refuses an encrypted key, another
 * algorithm, a wrong checksum (an all-zero checksum, which `minisign -G -W`
 * writes, is accepted) and a key whose public half does not match its seed. */
int sb_ms_seckey_parse(const char *text, size_t len, struct sb_ms_seckey *sk, struct sb_err *err);
/* Creates path (O_EXCL: an existing file is never overwritten) with mode
 * 0600 and the key in it, fsynced. */
int sb_ms_seckey_save(const char *path, const struct sb_ms_seckey *sk, struct sb_err *err);
/* Reads a secret key file: regular, mode 0600, owned by root or the caller
 * (sb_config_read_secret's rules). */
int sb_ms_seckey_load(const char *path, struct sb_ms_seckey *sk, struct sb_err *err);

/* Signs msg: the .minisig text (malloc'd, NUL-terminated) in *out. Comments
 * must be one line of printable text (tab allowed); NULL untrusted_comment
 * gives minisign's default, NULL trusted_comment "timestamp:<now>". */
int sb_ms_sign(const struct sb_ms_seckey *sk, const void *msg, size_t len,
	       const char *untrusted_comment, const char *trusted_comment, char **out,
	       struct sb_err *err);
/* Verifies sig (a .minisig's text, sig_len bytes) for msg against pk: the
 * key id must be pk's, the signature of BLAKE2b-512(msg) and the global
 * signature over signature || trusted comment must both verify. The trusted
 * comment, when trusted is not NULL, is copied there (it is authenticated
 * only once this returns 0). SB_E_FORMAT for a malformed file,
 * SB_E_SECURITY for another key or a signature that does not verify. */
int sb_ms_verify(const struct sb_ms_pubkey *pk, const void *msg, size_t len, const char *sig,
		 size_t sig_len, char *trusted, size_t trusted_size, struct sb_err *err);

#endif
