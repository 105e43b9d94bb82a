/* names.c — see names.h. Rules follow POSIX's portable filename character set
 * restricted the way useradd's default NAME_REGEX does, so every name we
 * serve is one that shadow-utils would have accepted locally. */
#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* Names a Debian or Ubuntu host gives rights to by name, so a tenant must
 * never define them: base-passwd's static users and groups (disk, shadow,
 * staff, …); groups that sudoers, polkit rules, udev rules or a package's
 * socket grant privileges to (admin — Ubuntu's sudoers grants %admin —,
 * sudo, wheel, docker, lxd, libvirt, kvm, lpadmin, netdev, plugdev, …); and
 * the system accounts packages create. Sorted (bsearch), ASCII lower case;
 * man/scimbridge.conf.5 lists the same names. Plus the families in
 * reserved_prefix. The admin adds more with reserved_names. */
static const char *const reserved[] = {
    "adm",	    "admin",	    "audio",
    "audit",	    "avahi",	    "backup",
    "bin",	    "bind",	    "bluetooth",
    "cdrom",	    "chrony",	    "colord",
    "containerd",   "crontab",	    "daemon",
    "dbus",	    "dialout",	    "dip",
    "disk",	    "dnsmasq",	    "docker",
    "fax",	    "floppy",	    "fwupd-refresh",
    "games",	    "gdm",	    "gnats",
    "gpio",	    "i2c",	    "incus",
    "incus-admin",  "input",	    "irc",
    "kernoops",	    "kmem",	    "kvm",
    "landscape",    "libvirt",	    "libvirt-dnsmasq",
    "libvirt-qemu", "lightdm",	    "list",
    "log",	    "lp",	    "lpadmin",
    "lxd",	    "mail",	    "man",
    "messagebus",   "microk8s",	    "mlocate",
    "mysql",	    "netdev",	    "news",
    "nm-openvpn",   "nobody",	    "nogroup",
    "nscd",	    "nslcd",	    "ntp",
    "openldap",	    "operator",	    "pcap",
    "plocate",	    "plugdev",	    "podman",
    "polkitd",	    "pollinate",    "postdrop",
    "postfix",	    "postgres",	    "proxy",
    "pulse",	    "pulse-access", "qemu",
    "rdma",	    "redis",	    "render",
    "root",	    "rtkit",	    "sambashare",
    "saned",	    "sasl",	    "scanner",
    "sgx",	    "shadow",	    "snap_daemon",
    "spi",	    "src",	    "ssh",
    "sshd",	    "ssl-cert",	    "sssd",
    "staff",	    "sudo",	    "sudoers",
    "sync",	    "sys",	    "syslog",
    "tape",	    "tcpdump",	    "tss",
    "tty",	    "uinput",	    "usbmux",
    "users",	    "utmp",	    "uucp",
    "uuidd",	    "vboxusers",    "video",
    "voice",	    "wheel",	    "whoopsie",
    "wireshark",    "www-data",
};

/* systemd-journal, systemd-network, …; Debian's convention for new system
 * accounts (_apt, _chrony, _ssh); libvirt's and incus's helper groups. */
static const char *const reserved_prefix[] = {"systemd-", "_", "libvirt-", "incus-"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ASCII only, whatever the locale: ctype's islower() says yes to Latin-1
 * letters in a Latin-1 locale. */
static bool ascii_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool sb_name_valid(const char *s)
{
	size_t n = 0;

	if (!s || !(ascii_lower(s[0]) || s[0] == '_'))
		return false;
	/* The first character is a letter or '_', so the name is not all digits
	 * and does not start with '-'. */
	for (; s[n]; n++) {
		char c = s[n];

		if (n >= SB_NAME_MAX)
			return false;
		if (!(ascii_lower(c) || ascii_digit(c) || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static char ascii_fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool sb_ascii_iequal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (ascii_fold(*a) != ascii_fold(*b))
			return false;
	return *a == *b;
}

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool sb_name_reserved(const char *s, const struct sb_strlist *extra)
{
	if (bsearch(s, reserved, COUNT(reserved), sizeof(reserved[0]), cmp_name))
		return true;
	for (size_t i = 0; i < COUNT(reserved_prefix); i++)
		if (strncmp(s, reserved_prefix[i], strlen(reserved_prefix[i])) == 0)
			return true;
	for (size_t i = 0; extra && i < extra->n; i++)
		if (sb_ascii_iequal(s, extra->v[i]))
			return true;
	return false;
}

size_t sb_name_reserved_count(void)
{
	return COUNT(reserved);
}

const char *sb_name_reserved_at(size_t i)
{
	return i < COUNT(reserved) ? reserved[i] : NULL;
}

/* A growable buffer for the template expanders. */
struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void sbuf_add(struct sbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t ncap = (b->n + len + 1) * 2;
		char *np = realloc(b->p, ncap);

		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static char *sbuf_done(struct sbuf *b)
{
	if (b->oom || !b->p) {
		free(b->p);
		return b->oom ? NULL : strdup("");
	}
	return b->p;
}

/* What one %X of a template stands for. */
struct conv {
	char key;
	const char *s;
	size_t len;
};

static struct conv conv_of(char key, const char *s)
{
	return (struct conv){key, s ? s : "", s ? strlen(s) : 0};
}

/* fmt with each %X replaced by X's entry in cv and "%%" by '%'. NULL for
 * any other conversion (a trailing '%' too) or when memory runs out: the
 * one expander of name_format and home. */
static char *expand(const char *fmt, const struct conv *cv, size_t n_cv)
{
	struct sbuf b = {0};

	for (const char *p = fmt; *p; p++) {
		const struct conv *c = NULL;

		if (*p != '%') {
			sbuf_add(&b, p, 1);
			continue;
		}
		if (*++p == '%') {
			sbuf_add(&b, "%", 1);
			continue;
		}
		for (size_t i = 0; i < n_cv && !c; i++)
			if (cv[i].key == *p)
				c = &cv[i];
		if (!c) {
			free(b.p);
			return NULL;
		}
		sbuf_add(&b, c->s, c->len);
	}
	return sbuf_done(&b);
}

char *sb_format_login(const char *fmt, const char *user_name, const char *domain)
{
	const char *at = user_name ? strchr(user_name, '@') : NULL;
	struct conv cv[] = {conv_of('u', user_name), conv_of('l', user_name), conv_of('d', domain)};
	char *out;

	if (at) /* %l: the part before the '@' */
		cv[1].len = (size_t)(at - user_name);
	out = expand(fmt, cv, COUNT(cv));
	for (char *q = out; q && *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return out;
}

char *sb_format_home(const char *fmt, const char *login, const char *domain, uint32_t uid)
{
	char num[16];
	struct conv cv[3];
	char *out;

	snprintf(num, sizeof(num), "%u", uid);
	cv[0] = conv_of('u', login);
	cv[1] = conv_of('d', domain);
	cv[2] = conv_of('i', num);
	out = expand(fmt, cv, COUNT(cv));
	if (!out)
		return NULL;
	if (out[0] != '/' || strchr(out, ':')) {
		free(out);
		return NULL;
	}
	for (char *q = out; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f) {
			free(out);
			return NULL;
		}
	return out;
}

char *sb_gecos_clean(const char *in)
{
	size_t n = 0, len = in ? strlen(in) : 0;
	char *out = malloc((len < SB_GECOS_MAX ? len : SB_GECOS_MAX) + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < len && n < SB_GECOS_MAX; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == ':' || c == ',' || c < 0x20 || c == 0x7f)
			continue;
		out[n++] = (char)c;
	}
	/* Never end inside a UTF-8 sequence: drop a trailing partial one. */
	if (n > 0 && ((unsigned char)out[n - 1] & 0x80)) {
		size_t start = n - 1, need;
		unsigned char lead;

		while (start > 0 && ((unsigned char)out[start] & 0xc0) == 0x80)
			start--;
		lead = (unsigned char)out[start];
		need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
		if (n - start < need)
			n = start;
	}
	out[n] = '\0';
	return out;
}

char *sb_group_name_from_display(const char *display)
{
	char *out = strdup(display ? display : "");

	if (!out)
		return NULL;
	for (char *q = out; *q; q++) {
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
		else if (*q == ' ')
			*q = '-';
	}
	return out;
}
