/* minisign_text.h — what minisign.c (keys) and minisign_sig.c (signatures)
 * share of minisign's text forms: the comment line's prefix and exact
 * base64. Internal to relay/. */
#ifndef SB_MINISIGN_TEXT_H
#define SB_MINISIGN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define COMMENT_PREFIX "untrusted comment: "
#define B64LEN(n)      (((n) + 2) / 3 * 4)

/* libsodium ready, or SB_E_INTERNAL. */
int sb_ms_init(struct sb_err *err);
/* Decodes exactly len base64 characters (standard alphabet, padded) into
 * exactly want bytes. */
int sb_ms_b64_exact(const char *s, size_t len, uint8_t *out, size_t want);
/* bin as padded standard base64 into out (size bytes, NUL included). */
void sb_ms_b64_put(char *out, size_t size, const uint8_t *bin, size_t n);

#endif
