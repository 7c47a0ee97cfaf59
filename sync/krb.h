/*
 * krb.h - Kerberos credentials of the service account, from its keytab
 * into a private MEMORY ccache, as a GSSAPI credential for libldap.
 *
 * The caller's KRB5CCNAME and default ccache are never used or touched:
 * GSSAPI in this thread is pointed at the private cache
 * (gss_krb5_ccache_name), which is what Cyrus SASL's GSSAPI mechanism then
 * uses when libldap binds (dir_open, dir.h).  That pointer is thread-global
 * state of the GSSAPI library: krb_acquire sets it for the calling thread,
 * so the bind must happen in that thread, after krb_acquire.
 * Credentials are re-acquired from the keytab before they end.
 */
#ifndef VMG_KRB_H
#define VMG_KRB_H

#include <gssapi/gssapi.h>
#include <krb5.h>
#include <profile.h>
#include <time.h>

struct krb {
	krb5_context ctx;		/* over prof (krbprof.h) */
	profile_t prof;
	krb5_ccache cc;			/* MEMORY:, private to this process */
	gss_cred_id_t cred;		/* GSS_C_NO_CREDENTIAL until acquired */
	char ccname[128];		/* "MEMORY:...", GSSAPI's cache here */
	time_t endtime;			/* end of the TGT, 0 if none */
	time_t starttime;		/* its start: life = end - start */
	int margin_said;		/* the margin clamp was logged */
	char principal[256];
	char keytab[4096];
};

/* Check the keytab (krb_check_keytab) and set up; nothing is contacted
 * yet.  0 / -1 with err. */
int krb_init(struct krb *k, const char *keytab, const char *principal,
    char *err, size_t errlen);
/* Get a fresh TGT from the keytab (contacts the KDC); the keytab is checked
 * again and read through the descriptor that was checked.  0 / -1. */
int krb_acquire(struct krb *k, char *err, size_t errlen);
/* The renewal margin for the ticket held: margin, but at most half the
 * ticket's life (a margin as long as the life would renew on every use). */
unsigned krb_margin(const struct krb *k, unsigned margin);
/* True when there is no credential or it ends within krb_margin(). */
int krb_stale(const struct krb *k, time_t now, unsigned margin);
/* When to renew the credential held (its end minus krb_margin()); 0 if
 * there is none. */
time_t krb_renew_at(const struct krb *k, unsigned margin);
void krb_free(struct krb *k);
/* The keytab, a symbolic link followed, must be a regular file that others
 * may neither read nor write and its group may not write; err names what
 * is wrong and the chmod that fixes it.  0 / -1 with err. */
int krb_check_keytab(const char *path, char *err, size_t errlen);
/* krb_check_keytab, and the keytab holds a key for principal (nothing is
 * contacted): 0 / -1 with err naming what is missing. */
int krb_check_principal(const char *keytab, const char *principal, char *err,
    size_t errlen);

#endif
