/*
 * name.h - DNS names: label rules for untrusted input, and the names
 * vmgroup gives to groups, SRV owners and PTR owners.  See doc/naming.md.
 *
 * Group names: "<host>-<group>-vm" (host and group each one valid label,
 * folded to lower case).  Long-name rule: when that is longer than 63 octets
 * the name is
 *   the first 43 octets of "<host>-<group>", with any hyphens at their end
 *   dropped, then "-", then the 16 lower-case hex digits of the 64-bit
 *   FNV-1a hash (basis 0xcbf29ce484222325, prime 0x100000001b3) of the whole
 *   untruncated "<host>-<group>-vm", then "-vm"
 * (at most 43 + 1 + 16 + 3 = 63 octets): still a label, still ending in -vm,
 * the same every time, and different for different groups unless their
 * hashes collide (the model refuses a collision).  Known vector:
 * "hypervisor-17" + "ubuntu-22-04-server-cloudimg-amd64-hardened-cis-level2"
 * -> "hypervisor-17-ubuntu-22-04-server-cloudimg-b4ccf3238ed2b424-vm".
 */
#ifndef VMG_NAME_H
#define VMG_NAME_H

#include <stddef.h>
#include <stdint.h>

#define NAME_LABEL_MAX 63
#define NAME_FQDN_MAX 253
#define NAME_LABEL_BUF 64
#define NAME_FQDN_BUF 254
#define NAME_GROUP_PREFIX 43	/* octets kept when a group name is hashed */

/* One label of untrusted input: letters, digits, hyphen; 1-63 octets; no
 * hyphen first or last; folded to lower case into out.  Reserved names are
 * refused: "@", names starting with "_" (_msdcs, _tcp, ...), the zone's own
 * names (domaindnszones, forestdnszones), the Windows global query block
 * list (wpad, isatap) and localhost.  0, or -1 with the reason in err
 * ("\"<input>\": <reason>", the input quoted by name_quote).  err may be
 * NULL. */
int name_label_check(const char *in, char out[NAME_LABEL_BUF], char *err,
    size_t errlen);
/* name_label_check, and names ending in "-vm" (group names) refused: for
 * VM names, so a VM cannot take another host's group name. */
int name_vm_check(const char *in, char out[NAME_LABEL_BUF], char *err,
    size_t errlen);
/* The same syntax rules without the reserved names (settings, our labels). */
int name_label_syntax(const char *in, char out[NAME_LABEL_BUF], char *err,
    size_t errlen);
/* A zone: dot-separated labels (syntax rules), one trailing dot dropped,
 * at most 253 octets, folded. */
int name_zone_check(const char *in, char out[NAME_FQDN_BUF], char *err,
    size_t errlen);
/* "<host>-<group>-vm", hashed when long (above).  0, or -1 if host or group
 * is not a valid label (name_label_syntax). */
int name_group(const char *host, const char *group, char out[NAME_LABEL_BUF]);
/* Relative SRV owner names: "_vmgroup._tcp.<host>" holds the host's groups,
 * "_vm._tcp.<group node>" the group's VMs.  -1 if empty or too long. */
int name_srv_host(const char *host, char out[NAME_FQDN_BUF]);
int name_srv_group(const char *group_node, char out[NAME_FQDN_BUF]);
/* rel + "." + zone; rel "@" is the zone itself.  -1 if too long or either
 * is empty. */
int name_fqdn(const char *rel, const char *zone, char out[NAME_FQDN_BUF]);
/* Full reverse name: AF_INET 10.1.2.4 -> "4.2.1.10.in-addr.arpa"; AF_INET6
 * the 32 nibbles, lowest first, + ".ip6.arpa".  -1 for another family. */
int name_ptr(int family, const void *addr, char out[NAME_FQDN_BUF]);
/* fqdn relative to zone: "a.b.<zone>" -> "a.b", the zone itself -> "@";
 * -1 if not inside it.  Case-insensitive, at a label boundary only
 * ("xexample.test" is not in "example.test"); no trailing dots. */
int name_relative(const char *fqdn, const char *zone, char out[NAME_FQDN_BUF]);
/* 64-bit FNV-1a of a string; _update folds more bytes into a hash (start
 * from NAME_FNV_BASIS). */
#define NAME_FNV_BASIS 0xcbf29ce484222325ULL
uint64_t name_fnv1a64(const char *s);
uint64_t name_fnv1a64_update(uint64_t h, const void *data, size_t len);
/* Copy untrusted bytes into out for a message: printable ASCII kept, the
 * rest as \xNN, at most 40 input bytes ("..." after). */
void name_quote(const char *in, char *out, size_t outlen);

/* A fast 64-bit mix of len bytes into h, eight at a time: for hashes that
 * stay inside the process (never stored, never compared across runs). */
uint64_t name_mix64(uint64_t h, const void *data, size_t len);

#endif
