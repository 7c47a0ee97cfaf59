/*
 * name.h - DNS names: label rules for untrusted input, and the names
 * vmgroup gives to groups, SRV owners and PTR owners.  See doc/naming.md.
 *
 * Group names: "<host>-<group>-vm".  When that is longer than 63 octets the
 * name is the first 43 octets of "<host>-<group>" (a trailing hyphen
 * dropped), "-", the 16 lower-case hex digits of the 64-bit FNV-1a hash of
 * the whole untruncated "<host>-<group>-vm", and "-vm": still a label, still
 * ending in -vm, the same every time, and different for different groups
 * unless their hashes collide (the model refuses a collision).
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
 * refused: "@", names starting with "_", the zone's own names
 * (domaindnszones, forestdnszones), the Windows global query block list
 * (wpad, isatap) and localhost.  0, or -1 with the reason in err. */
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
/* "<host>-<group>-vm", hashed when long (above).  0 / -1. */
int name_group(const char *host, const char *group, char out[NAME_LABEL_BUF]);
/* "_vmgroup._tcp.<host>": the host's groups.  "_vm._tcp.<group>": its VMs. */
int name_srv_host(const char *host, char out[NAME_FQDN_BUF]);
int name_srv_group(const char *group_node, char out[NAME_FQDN_BUF]);
/* rel + "." + zone; rel "@" is the zone itself.  0 / -1 if too long. */
int name_fqdn(const char *rel, const char *zone, char out[NAME_FQDN_BUF]);
/* "4.3.2.1.in-addr.arpa" or the 32 nibbles + ".ip6.arpa". */
int name_ptr(int family, const void *addr, char out[NAME_FQDN_BUF]);
/* fqdn relative to zone ("@" for the zone itself); -1 if not inside it. */
int name_relative(const char *fqdn, const char *zone, char out[NAME_FQDN_BUF]);
/* 64-bit FNV-1a of a string; _update folds more bytes into a hash (start
 * from NAME_FNV_BASIS). */
#define NAME_FNV_BASIS 0xcbf29ce484222325ULL
uint64_t name_fnv1a64(const char *s);
uint64_t name_fnv1a64_update(uint64_t h, const void *data, size_t len);
/* Copy untrusted bytes into out for a message: printable ASCII kept, the
 * rest as \xNN, at most 40 input bytes ("..." after). */
void name_quote(const char *in, char *out, size_t outlen);

#endif
