/*
 * krb.c - keytab -> private MEMORY ccache -> GSSAPI credential.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gssapi/gssapi_krb5.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "krb.h"
#include "krbprof.h"
#include "xmem.h"

static void
krb_err(krb5_context ctx, krb5_error_code code, const char *what, char *err,
    size_t errlen)
{
	const char *msg = krb5_get_error_message(ctx, code);

	(void)xsnprintf(err, errlen, "%s: %s", what, msg);
	krb5_free_error_message(ctx, msg);
}

/* " (a symbolic link to TARGET)" when path is one, else "". */
static void
krb_link_note(const char *path, char *note, size_t len)
{
	char target[PATH_MAX];
	ssize_t n;

	note[0] = '\0';
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	(void)xsnprintf(note, len, " (a symbolic link to %s)", target);
}

/* What mode m lets others or the group do that a keytab must not allow. */
static const char *
krb_mode_problem(mode_t m)
{
	static const char *const who[] = {
		NULL, "others write it", "others read it",
		"others read and write it"
	};
	static const char *const with_group[] = {
		"its group write it", "others write it and its group write it",
		"others read it and its group write it",
		"others read and write it and its group write it"
	};
	unsigned o = ((m & S_IROTH) ? 2 : 0) | ((m & S_IWOTH) ? 1 : 0);

	return (m & S_IWGRP) ? with_group[o] : who[o];
}

/*
 * Open the keytab, following a symbolic link, and check the file actually
 * opened (fstat of the descriptor): a regular file that others may neither
 * read nor write and its group may not write.  The descriptor (close it) /
 * -1 with err naming what is wrong and the chmod that fixes it.
 */
static int
krb_open_keytab(const char *path, char *err, size_t errlen)
{
	char note[PATH_MAX + 32];
	const char *problem;
	struct stat st;
	int fd, rc = -1;

	krb_link_note(path, note, sizeof(note));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1) {
		(void)xsnprintf(err, errlen, "keytab %s%s: %s", path, note,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		(void)xsnprintf(err, errlen, "keytab %s%s: not a regular file",
		    path, note);
		goto out;
	}
	problem = krb_mode_problem(st.st_mode);
	if (problem != NULL) {
		(void)xsnprintf(err, errlen, "keytab %s%s: mode %04o lets %s; "
		    "fix it with: chmod %04o %s", path, note,
		    (unsigned)(st.st_mode & 07777), problem,
		    (unsigned)(st.st_mode & 07777 & ~(mode_t)(S_IRWXO | S_IWGRP)),
		    path);
		goto out;
	}
	rc = fd;
out:
	if (rc == -1)
		close(fd);
	return rc;
}

int
krb_check_keytab(const char *path, char *err, size_t errlen)
{
	int fd;

	if ((fd = krb_open_keytab(path, err, errlen)) == -1)
		return -1;
	close(fd);
	return 0;
}

int
krb_check_principal(const char *keytab, const char *principal, char *err,
    size_t errlen)
{
	krb5_context ctx = NULL;
	profile_t prof = NULL;
	krb5_principal princ = NULL;
	krb5_keytab kt = NULL;
	krb5_keytab_entry ent;
	krb5_error_code code;
	char ktname[64];
	int fd, rc = -1;

	if ((fd = krb_open_keytab(keytab, err, errlen)) == -1)
		return -1;
	if (krbprof_context(&ctx, &prof, err, errlen) == -1)
		goto out;
	if ((code = krb5_parse_name(ctx, principal, &princ)) != 0) {
		krb_err(ctx, code, "principal", err, errlen);
		goto out;
	}
	if (xsnprintf(ktname, sizeof(ktname), "FILE:/proc/self/fd/%d",
	    fd) == -1 || (code = krb5_kt_resolve(ctx, ktname, &kt)) != 0) {
		(void)xsnprintf(err, errlen, "keytab %s: cannot be read",
		    keytab);
		goto out;
	}
	code = krb5_kt_get_entry(ctx, kt, princ, 0, 0, &ent);
	if (code == KRB5_KT_NOTFOUND || code == KRB5_KT_END)
		(void)xsnprintf(err, errlen, "keytab %s holds no key for %s "
		    "(klist -k %s lists the principals it holds)", keytab,
		    principal, keytab);
	else if (code != 0)
		krb_err(ctx, code, keytab, err, errlen);
	else {
		krb5_free_keytab_entry_contents(ctx, &ent);
		rc = 0;
	}
out:
	if (kt != NULL)
		krb5_kt_close(ctx, kt);
	if (princ != NULL)
		krb5_free_principal(ctx, princ);
	if (ctx != NULL)
		krb5_free_context(ctx);
	krbprof_free(prof);
	close(fd);
	return rc;
}

int
krb_init(struct krb *k, const char *keytab, const char *principal, char *err,
    size_t errlen)
{
	memset(k, 0, sizeof(*k));
	k->cred = GSS_C_NO_CREDENTIAL;
	if (xstrlcpy(k->keytab, keytab, sizeof(k->keytab)) == -1 ||
	    xstrlcpy(k->principal, principal, sizeof(k->principal)) == -1) {
		(void)xsnprintf(err, errlen, "keytab path or principal too long");
		return -1;
	}
	if (krb_check_keytab(keytab, err, errlen) == -1)
		return -1;
	return krbprof_context(&k->ctx, &k->prof, err, errlen);
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
	krbprof_free(k->prof);
	memset(k, 0, sizeof(*k));
	k->cred = GSS_C_NO_CREDENTIAL;
}

unsigned
krb_margin(const struct krb *k, unsigned margin)
{
	time_t life = k->endtime - k->starttime;

	if (k->endtime == 0 || life <= 0)
		return margin;
	if ((time_t)margin > life / 2)
		return (unsigned)(life / 2);
	return margin;
}

int
krb_stale(const struct krb *k, time_t now, unsigned margin)
{
	return k->cred == GSS_C_NO_CREDENTIAL ||
	    k->endtime <= now + (time_t)krb_margin(k, margin);
}

time_t
krb_renew_at(const struct krb *k, unsigned margin)
{
	if (k->cred == GSS_C_NO_CREDENTIAL)
		return 0;
	return k->endtime - (time_t)krb_margin(k, margin);
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
	k->starttime = creds->times.starttime != 0 ?
	    creds->times.starttime : creds->times.authtime;
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
	char ktname[64];
	int fd, rc = -1, have_creds = 0;

	/* the file checked is the file read: through the open descriptor */
	if ((fd = krb_open_keytab(k->keytab, err, errlen)) == -1)
		return -1;
	if ((code = krb5_parse_name(k->ctx, k->principal, &princ)) != 0) {
		krb_err(k->ctx, code, "principal", err, errlen);
		goto out;
	}
	if (xsnprintf(ktname, sizeof(ktname), "FILE:/proc/self/fd/%d",
	    fd) == -1) {
		(void)xsnprintf(err, errlen, "keytab name too long");
		goto out;
	}
	if ((code = krb5_kt_resolve(k->ctx, ktname, &kt)) != 0 ||
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
	close(fd);
	return rc;
}
