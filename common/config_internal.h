/* config_internal.h — private to config.c and config_load.c: the key table
 * (config.c) as config_load.c's parser sees it, by index. */
#ifndef SB_CONFIG_INTERNAL_H
#define SB_CONFIG_INTERNAL_H

#include <stddef.h>

#include "config.h"

size_t sb_config_nkeys(void);
/* The key's index in the table, or -1 for an unknown key. */
long sb_config_key_index(const char *name);
const char *sb_config_key_name(size_t i);
/* Sets key i from its text: NULL, or why the value is refused. */
const char *sb_config_key_set(struct sb_config *cfg, size_t i, const char *value);
/* s without leading and trailing blanks (in place). */
char *sb_config_trim(char *s);

#endif
