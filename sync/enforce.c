/*
 * enforce.c - nftables sets of blocked addresses (libnftables).
 */
#include "config.h"

#include <arpa/inet.h>
#include <nftables/libnftables.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "enforce.h"
#include "xmem.h"

int
enforce_add(struct enforce_set *s, const char *text)
{
	struct event_addr a;
	char why[256];
	size_t i;
	int rc;

	if ((rc = addr_parse(text, &a, why, sizeof(why))) != 0)
		return rc;
	for (i = 0; i < s->naddrs; i++)
		if (event_addr_cmp(&s->addrs[i], &a) == 0)
			return 0;
	s->addrs = xreallocarray(s->addrs, s->naddrs + 1, sizeof(*s->addrs));
	s->addrs[s->naddrs++] = a;
	qsort(s->addrs, s->naddrs, sizeof(*s->addrs), event_addr_qcmp);
	return 0;
}

void
enforce_free(struct enforce_set *s)
{
	free(s->addrs);
	memset(s, 0, sizeof(*s));
}

static int
enforce_name_ok(const char *n)
{
	size_t i;

	for (i = 0; n[i] != '\0'; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' &&
		    n[i] <= '9') || n[i] == '_' || n[i] == '-'))
			return 0;
	return i > 0 && i < 64;
}

/* Append text to a growing buffer. */
static void
put(char **buf, size_t *len, size_t *cap, const char *text)
{
	size_t n = strlen(text);

	while (*len + n + 1 > *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	memcpy(*buf + *len, text, n + 1);
	*len += n;
}

/* "add element F T SET { a, b }" for one family of addresses, if any. */
static void
put_elements(char **buf, size_t *len, size_t *cap, const char *head,
    const struct enforce_set *s, int family)
{
	char a[INET6_ADDRSTRLEN + 4];
	size_t i;
	int first = 1;

	for (i = 0; i < s->naddrs; i++) {
		if (s->addrs[i].family != family ||
		    inet_ntop(family, &s->addrs[i].u, a + 2,
		    INET6_ADDRSTRLEN) == NULL)
			continue;
		a[0] = first ? ' ' : ',';
		a[1] = ' ';
		if (first)
			put(buf, len, cap, head);
		put(buf, len, cap, first ? a + 1 : a);
		first = 0;
	}
	if (!first)
		put(buf, len, cap, " }\n");
}

int
enforce_family_ok(const char *family)
{
	static const char *const families[] = { "inet", "bridge", "ip", "ip6",
	    "netdev", NULL };
	size_t i;

	for (i = 0; families[i] != NULL; i++)
		if (strcmp(family, families[i]) == 0)
			return 1;
	return 0;
}

/* The chains and rules of --install-rules, after the table and sets.
 * DHCPv4 passes first, no more of it than a lease needs: a blocked VM
 * keeps its lease, so it stays in its group, and blocked, instead of
 * dropping out when the lease ends.  To the host: client to server (the
 * host's DHCP server); from the host: server to client; across the host
 * (bridged or routed): a client's broadcasts (DISCOVER, REQUEST, and the
 * REBINDING that keeps a lease from a server on the far side) and a
 * server's answers to a client - unless the server is blocked: a blocked
 * VM answers no DHCP client (no rogue gateway or DNS server handed out) -
 * nothing a blocked VM could send to any unicast UDP service. */
static const char *const enforce_rules_text[][2] = {
	{ "add chain", "input { type filter hook input priority filter - 10; policy accept; }" },
	{ "add chain", "forward { type filter hook forward priority filter - 10; policy accept; }" },
	{ "add chain", "output { type filter hook output priority filter - 10; policy accept; }" },
	{ "flush chain", "input" },
	{ "flush chain", "forward" },
	{ "flush chain", "output" },
	{ "add rule", "input udp sport 68 udp dport 67 accept" },
	{ "add rule", "input ip saddr @blocked4 drop" },
	{ "add rule", "input ip6 saddr @blocked6 drop" },
	{ "add rule", "forward ip daddr 255.255.255.255 udp sport 68 udp dport 67 accept" },
	{ "add rule", "forward ip saddr != @blocked4 udp sport 67 udp dport 68 accept" },
	{ "add rule", "forward ip saddr @blocked4 drop" },
	{ "add rule", "forward ip daddr @blocked4 drop" },
	{ "add rule", "forward ip6 saddr @blocked6 drop" },
	{ "add rule", "forward ip6 daddr @blocked6 drop" },
	{ "add rule", "output udp sport 67 udp dport 68 accept" },
	{ "add rule", "output ip daddr @blocked4 drop" },
	{ "add rule", "output ip6 daddr @blocked6 drop" },
	{ NULL, NULL }
};

char *
enforce_rules(const char *family, const char *table)
{
	char *buf = NULL, line[256];
	size_t len = 0, cap = 0, i;

	if ((strcmp(family, "inet") != 0 && strcmp(family, "bridge") != 0) ||
	    !enforce_name_ok(table))
		return NULL;
	if (xsnprintf(line, sizeof(line),
	    "add table %1$s %2$s\n"
	    "add set %1$s %2$s blocked4 { type ipv4_addr; }\n"
	    "add set %1$s %2$s blocked6 { type ipv6_addr; }\n", family,
	    table) == -1)
		return NULL;
	put(&buf, &len, &cap, line);
	for (i = 0; enforce_rules_text[i][0] != NULL; i++) {
		if (xsnprintf(line, sizeof(line), "%s %s %s %s\n",
		    enforce_rules_text[i][0], family, table,
		    enforce_rules_text[i][1]) == -1) {
			free(buf);
			return NULL;
		}
		put(&buf, &len, &cap, line);
	}
	return buf;
}

char *
enforce_batch(const struct enforce_set *s, const char *family,
    const char *table)
{
	char *buf = NULL, line[256];
	size_t len = 0, cap = 0;

	if (!enforce_family_ok(family) || !enforce_name_ok(table))
		return NULL;
	if (xsnprintf(line, sizeof(line),
	    "add table %s %s\n"
	    "add set %s %s blocked4 { type ipv4_addr; }\n"
	    "add set %s %s blocked6 { type ipv6_addr; }\n"
	    "flush set %s %s blocked4\n"
	    "flush set %s %s blocked6\n", family, table, family, table,
	    family, table, family, table, family, table) == -1)
		return NULL;
	put(&buf, &len, &cap, line);
	(void)xsnprintf(line, sizeof(line), "add element %s %s blocked4 {",
	    family, table);
	put_elements(&buf, &len, &cap, line, s, AF_INET);
	(void)xsnprintf(line, sizeof(line), "add element %s %s blocked6 {",
	    family, table);
	put_elements(&buf, &len, &cap, line, s, AF_INET6);
	return buf;
}

int
enforce_apply(const char *batch, char *err, size_t errlen)
{
	struct nft_ctx *nft;
	const char *msg;
	int rc;

	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (nft == NULL) {
		(void)xsnprintf(err, errlen, "cannot start libnftables");
		return -1;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, batch);
	if (rc != 0) {
		msg = nft_ctx_get_error_buffer(nft);
		(void)xsnprintf(err, errlen, "nftables: %.*s",
		    (int)strcspn(msg != NULL ? msg : "", "\n"),
		    msg != NULL ? msg : "");
	}
	nft_ctx_free(nft);
	return rc == 0 ? 0 : -1;
}
