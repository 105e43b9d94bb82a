/* names.h — what a login or group name may be on this host, and the text
 * clean-ups the mapping applies (GECOS, group names from displayName,
 * name_format and home templates). */
#ifndef SB_NAMES_H
#define SB_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SB_NAME_MAX  32
#define SB_GECOS_MAX 255

/* Portable POSIX name: [a-z_][a-z0-9_.-]*, at most 32 bytes (so never all
 * digits, never a leading '-'); ASCII whatever the locale. */
bool sb_name_valid(const char *s);
/* ASCII case-insensitive equality, whatever the locale (domains and
 * ignore_groups entries). */
bool sb_ascii_iequal(const char *a, const char *b);
struct sb_strlist;
/* Names never served from the tenant: the built-in list of names a Debian or
 * Ubuntu host gives rights to (root, disk, sudo, admin, docker, …, and the
 * systemd-*, _*, libvirt-*, incus-* families), plus `extra` (the config's
 * reserved_names, compared ignoring ASCII case; may be NULL). */
bool sb_name_reserved(const char *s, const struct sb_strlist *extra);
/* The built-in list, for tests and documentation. */
size_t sb_name_reserved_count(void);
const char *sb_name_reserved_at(size_t i);
/* Expands name_format (%u userName, %l its local part, %d domain, %%) and
 * lower-cases ASCII. malloc'd; NULL on a bad template or no memory. */
char *sb_format_login(const char *fmt, const char *user_name, const char *domain);
/* Expands home (%u login, %d domain, %i uid). malloc'd, NULL if the result is
 * not an absolute path or holds ':' or a control character. */
char *sb_format_home(const char *fmt, const char *login, const char *domain, uint32_t uid);
/* GECOS without ':' ',' and control characters, cut to SB_GECOS_MAX bytes on
 * a UTF-8 boundary. malloc'd. */
char *sb_gecos_clean(const char *in);
/* displayName → group name: lower-cased, spaces become '-'. malloc'd; the
 * result may still be invalid (check with sb_name_valid). */
char *sb_group_name_from_display(const char *display);

#endif
