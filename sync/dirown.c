/*
 * dirown.c - who vmgroupd is in the directory, and whether a node's owner
 * there is vmgroupd (dir.h: dir_self_find, struct dir_node's owner).
 *
 * OpenLDAP says who a session is (Who am I?, "dn:<DN>") and keeps the
 * creator of each entry (creatorsName).  Active Directory keeps an owner
 * in each object's security descriptor, read with the SD flags control
 * asking for the owner alone (MS-ADTS 3.1.1.3.4.1.11; no right beyond read
 * needed), and says nothing to Who am I? (Samba) or "u:DOMAIN\name": the
 * account's SID is read from its entry, found by the keytab's principal.
 * Part of the directory module: it speaks LDAP.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dir.h"
#include "dirpriv.h"
#include "dn.h"
#include "log.h"
#include "xmem.h"

#define SDFLAGS_OID "1.2.840.113556.1.4.801"
#define SID_MIN 8		/* revision, count, 6-octet authority */

/* SEQUENCE { INTEGER 1 }: OWNER_SECURITY_INFORMATION */
static char sdflags_ber[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };
static LDAPControl sdflags = { (char *)(uintptr_t)SDFLAGS_OID,
    { sizeof(sdflags_ber), sdflags_ber }, 0 };
static LDAPControl *sdflags_ctrls[] = { &sdflags, NULL };

LDAPControl **
dir_priv_sdflags(void)
{
	return sdflags_ctrls;
}

/* The octets of the SID at the start of p (n available): its length, or 0
 * if it is none. */
static size_t
sid_len(const uint8_t *p, size_t n)
{
	size_t len;

	if (n < SID_MIN || p[0] != 1 || p[1] > 15)
		return 0;
	len = SID_MIN + 4 * (size_t)p[1];
	return len <= n ? len : 0;
}

/* The owner SID of a self-relative security descriptor: its offset
 * (OffsetOwner, octets 4-7 little-endian) checked against the value. */
static int
sd_owner(const struct berval *sd, const uint8_t **sid, size_t *len)
{
	const uint8_t *p = (const uint8_t *)sd->bv_val;
	uint32_t off;

	if (sd->bv_len < 20 || p[0] != 1)
		return -1;
	off = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
	    (uint32_t)p[7] << 24;
	if (off < 20 || off >= sd->bv_len)
		return -1;
	*sid = p + off;
	*len = sid_len(*sid, sd->bv_len - off);
	return *len > 0 ? 0 : -1;
}

enum dir_owner
dir_owner_of(const struct dir *d, const struct dir_value *sd, size_t nsd,
    const struct dir_value *creator, size_t ncreator)
{
	struct berval bv;
	const uint8_t *sid;
	size_t len;

	if (d->self_sidlen > 0 && nsd > 0) {
		bv.bv_val = (char *)(uintptr_t)sd[0].val;
		bv.bv_len = sd[0].len;
		if (sd_owner(&bv, &sid, &len) == -1)
			return DIR_OWNER_UNKNOWN;
		return len == d->self_sidlen &&
		    memcmp(sid, d->self_sid, len) == 0 ? DIR_OWNER_SELF :
		    DIR_OWNER_OTHER;
	}
	if (d->self_dn[0] != '\0' && ncreator > 0)
		return creator[0].len == strlen(d->self_dn) &&
		    strncasecmp((const char *)creator[0].val, d->self_dn,
		    creator[0].len) == 0 ? DIR_OWNER_SELF : DIR_OWNER_OTHER;
	return DIR_OWNER_UNKNOWN;
}

int
dir_priv_owner(struct dir *d, LDAPMessage *e)
{
	struct berval **sd, **cr;
	struct dir_value *vsd, *vcr;
	size_t nsd, ncr;
	int owner;

	sd = ldap_get_values_len(d->ld, e, "nTSecurityDescriptor");
	cr = ldap_get_values_len(d->ld, e, "creatorsName");
	vsd = dir_priv_values(sd, &nsd);
	vcr = dir_priv_values(cr, &ncr);
	owner = dir_owner_of(d, vsd, nsd, vcr, ncr);
	free(vsd);
	free(vcr);
	ldap_value_free_len(sd);
	ldap_value_free_len(cr);
	return owner;
}

/* The account's SID: the one entry under the default naming context whose
 * userPrincipalName is the principal or whose sAMAccountName is its name
 * (before the @).  0 found, 1 not (or not one), -1 connection failure. */
static int
self_sid(struct dir *d, const char *principal, char *err, size_t errlen)
{
	static char a_nc[] = "defaultNamingContext", a_sid[] = "objectSid";
	static char *const root_attrs[] = { a_nc, NULL };
	static char *const sid_attrs[] = { a_sid, NULL };
	struct dir_entry root = { 0 }, *found = NULL;
	char name[256], base[512], *f1 = NULL, *f2 = NULL, filter[1024], *at;
	size_t n = 0;
	int rc = 1;

	if (xstrlcpy(name, principal, sizeof(name)) == -1 ||
	    (at = strchr(name, '@')) == NULL || at == name)
		return 1;
	*at = '\0';
	if (dn_filter_eq("userPrincipalName", principal, &f1) == -1 ||
	    dn_filter_eq("sAMAccountName", name, &f2) == -1 ||
	    xsnprintf(filter, sizeof(filter), "(|%s%s)", f1, f2) == -1)
		goto out;
	if (dir_entry_read(d, "", root_attrs, &root, err, errlen) == -1) {
		rc = dir_error(d) == DIR_LOST ? -1 : 1;
		goto out;
	}
	if (root.nvals[0] != 1 || root.vals[0][0].len >= sizeof(base) ||
	    memchr(root.vals[0][0].val, '\0', root.vals[0][0].len) != NULL)
		goto out;
	memcpy(base, root.vals[0][0].val, root.vals[0][0].len);
	base[root.vals[0][0].len] = '\0';
	if (dir_entries_search(d, base, filter, sid_attrs, &found, &n, err,
	    errlen) == -1) {
		rc = dir_error(d) == DIR_LOST ? -1 : 1;
		goto out;
	}
	if (n == 1 && found[0].nvals[0] == 1 &&
	    sid_len(found[0].vals[0][0].val, found[0].vals[0][0].len) ==
	    found[0].vals[0][0].len &&
	    found[0].vals[0][0].len <= sizeof(d->self_sid)) {
		memcpy(d->self_sid, found[0].vals[0][0].val,
		    found[0].vals[0][0].len);
		d->self_sidlen = found[0].vals[0][0].len;
		rc = 0;
	}
out:
	dir_entries_free(found, n);
	dir_entry_free(&root);
	free(f1);
	free(f2);
	return rc;
}

int
dir_self_find(struct dir *d, char *err, size_t errlen)
{
	int rc;

	d->self_dn[0] = '\0';
	if (d->self_sidlen > 0)
		return 0;	/* found at an earlier bind: an account's SID
				 * does not change */
	if (strncmp(d->authzid, "dn:", 3) == 0 && d->authzid[3] != '\0') {
		(void)xstrlcpy(d->self_dn, d->authzid + 3, sizeof(d->self_dn));
		return 0;
	}
	if (d->params.principal == NULL)
		return 0;
	rc = self_sid(d, d->params.principal, err, errlen);
	if (rc == 1 && !d->self_warned) {
		log_warnx("cannot find the account of %s in the directory: "
		    "nodes are known as vmgroupd's by the local record only",
		    d->params.principal);
		d->self_warned = 1;
	}
	return rc == -1 ? -1 : 0;
}
