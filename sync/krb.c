/*
 * krb.c - keytab -> private MEMORY ccache -> GSSAPI credential.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gssapi/gssapi_krb5.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "krb.h"
#include "xmem.h"

static void
krb_err(krb5_context ctx, krb5_error_code code, const char *what, char *err,
    size_t errlen)
{
	const char *msg = krb5_get_error_message(ctx, code);

	(void)xsnprintf(err, errlen, "%s: %s", what, msg);
	krb5_free_error_message(ctx, msg);
}

int
krb_check_keytab(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		(void)xsnprintf(err, errlen, "keytab %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		(void)xsnprintf(err, errlen, "keytab %s: not a regular file",
		    path);
		close(fd);
		return -1;
	}
	close(fd);
	if (st.st_mode & (S_IROTH | S_IWOTH | S_IWGRP)) {
		(void)xsnprintf(err, errlen, "keytab %s: mode %04o lets others "
		    "read or change it; chmod 0600 (or 0640 for a group) it",
		    path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

int
krb_init(struct krb *k, const char *keytab, const char *principal, char *err,
    size_t errlen)
{
	krb5_error_code code;

	memset(k, 0, sizeof(*k));
	k->cred = GSS_C_NO_CREDENTIAL;
	if (xstrlcpy(k->keytab, keytab, sizeof(k->keytab)) == -1 ||
	    xstrlcpy(k->principal, principal, sizeof(k->principal)) == -1) {
		(void)xsnprintf(err, errlen, "keytab path or principal too long");
		return -1;
	}
	if (krb_check_keytab(keytab, err, errlen) == -1)
		return -1;
	code = krb5_init_context(&k->ctx);
	if (code != 0) {
		(void)xsnprintf(err, errlen, "krb5_init_context: %s",
		    strerror(code));
		k->ctx = NULL;
		return -1;
	}
	return 0;
}

void
krb_free(struct krb *k)
{
	OM_uint32 minor;

	if (k->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &k->cred);
	if (k->cc != NULL)
		krb5_cc_destroy(k->ctx, k->cc);
	if (k->ctx != NULL)
		krb5_free_context(k->ctx);
	memset(k, 0, sizeof(*k));
	k->cred = GSS_C_NO_CREDENTIAL;
}

int
krb_stale(const struct krb *k, time_t now, unsigned margin)
{
	return k->cred == GSS_C_NO_CREDENTIAL || k->endtime <= now + margin;
}

/* A new MEMORY ccache holding creds, and a GSSAPI credential over it. */
static int
krb_store(struct krb *k, krb5_principal princ, krb5_creds *creds, char *err,
    size_t errlen)
{
	krb5_error_code code;
	krb5_ccache cc = NULL;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	OM_uint32 major, minor;

	if ((code = krb5_cc_new_unique(k->ctx, "MEMORY", NULL, &cc)) != 0 ||
	    (code = krb5_cc_initialize(k->ctx, cc, princ)) != 0 ||
	    (code = krb5_cc_store_cred(k->ctx, cc, creds)) != 0) {
		krb_err(k->ctx, code, "memory ccache", err, errlen);
		goto fail;
	}
	major = gss_krb5_import_cred(&minor, cc, princ, NULL, &cred);
	if (GSS_ERROR(major)) {
		(void)xsnprintf(err, errlen, "gss_krb5_import_cred failed "
		    "(major %u, minor %u)", major, minor);
		goto fail;
	}
	if (xsnprintf(k->ccname, sizeof(k->ccname), "%s:%s",
	    krb5_cc_get_type(k->ctx, cc), krb5_cc_get_name(k->ctx, cc)) == -1 ||
	    GSS_ERROR(gss_krb5_ccache_name(&minor, k->ccname, NULL))) {
		(void)xsnprintf(err, errlen, "cannot point GSSAPI at the "
		    "private credential cache");
		gss_release_cred(&minor, &cred);
		goto fail;
	}
	if (k->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &k->cred);
	if (k->cc != NULL)
		krb5_cc_destroy(k->ctx, k->cc);
	k->cc = cc;
	k->cred = cred;
	k->endtime = creds->times.endtime;
	return 0;
fail:
	if (cc != NULL)
		krb5_cc_destroy(k->ctx, cc);
	return -1;
}

int
krb_acquire(struct krb *k, char *err, size_t errlen)
{
	krb5_error_code code;
	krb5_principal princ = NULL;
	krb5_keytab kt = NULL;
	krb5_get_init_creds_opt *opt = NULL;
	krb5_creds creds;
	int rc = -1, have_creds = 0;

	if (krb_check_keytab(k->keytab, err, errlen) == -1)
		return -1;
	if ((code = krb5_parse_name(k->ctx, k->principal, &princ)) != 0) {
		krb_err(k->ctx, code, "principal", err, errlen);
		goto out;
	}
	if ((code = krb5_kt_resolve(k->ctx, k->keytab, &kt)) != 0 ||
	    (code = krb5_get_init_creds_opt_alloc(k->ctx, &opt)) != 0) {
		krb_err(k->ctx, code, "keytab", err, errlen);
		goto out;
	}
	memset(&creds, 0, sizeof(creds));
	code = krb5_get_init_creds_keytab(k->ctx, &creds, princ, kt, 0, NULL,
	    opt);
	if (code != 0) {
		krb_err(k->ctx, code, "getting a ticket from the keytab", err,
		    errlen);
		goto out;
	}
	have_creds = 1;
	rc = krb_store(k, princ, &creds, err, errlen);
out:
	if (have_creds)
		krb5_free_cred_contents(k->ctx, &creds);
	if (opt != NULL)
		krb5_get_init_creds_opt_free(k->ctx, opt);
	if (kt != NULL)
		krb5_kt_close(k->ctx, kt);
	if (princ != NULL)
		krb5_free_principal(k->ctx, princ);
	return rc;
}
