/*
 * spool.h - the spool folders; the only code that touches spool files.
 *
 *   <dir>/tmp/         producers' files being written
 *   <dir>/new/         complete events, one JSON file each
 *   <dir>/quarantine/  refused files, each with "<name>.reason" beside it;
 *                      never overwritten: a name taken (or ending in
 *                      ".reason") gets "~1", "~2" ... added
 *
 * A producer writes tmp/<name>, fsyncs it and renames it into new/, so a
 * reader never sees a partial file.  Names are
 * "<unix ns, 20 digits>-<pid>-<8 hex>.json": lexical order is arrival order.
 */
#ifndef VMG_SPOOL_H
#define VMG_SPOOL_H

#include <stddef.h>

#include "event.h"

#define SPOOL_DEFAULT "/var/spool/vmgroup"	/* producers', vmgroupd's */
#define SPOOL_NAME_BUF 64	/* holds a name spool_write makes */
#define SPOOL_NAME_MAX 240	/* longest name listed/read/acked/quarantined */

/* Create the folders if missing (the spool 0750, its subfolders with the
 * spool's owner and group rights); refuse a spool, or a folder in it, that
 * is world-writable, a symlink or not a folder.  0 / -1 with err. */
int spool_init(const char *dir, char *err, size_t errlen);
/* Producer: queue data atomically; the file name goes to name_out. */
int spool_write(const char *dir, const char *data, size_t len,
    char *name_out, size_t name_len, char *err, size_t errlen);
/* The names in new/, sorted: every entry but dot files and names that are
 * not plain (more than SPOOL_NAME_MAX characters, or anything but printable
 * ASCII; such files are never read).  Names are safe to print.  *odd
 * (unless NULL): how many of those it left out.  0 / -1 (errno set). */
int spool_list(const char *dir, char ***names, size_t *count, size_t *odd);
/* The names in new/ that spool_list leaves out for their names (dot files
 * aside): raw bytes, NOT safe to print (quote them with name_quote).
 * 0 / -1 (errno set). */
int spool_list_odd(const char *dir, char ***names, size_t *count);
void spool_list_free(char **names, size_t count);
/* Read new/<name> into buf (NUL-terminated); a file larger than buflen - 1
 * bytes is an error ("larger than N bytes"), never cut; so is a name with
 * '/' or "." / "..", a symlink or anything but a regular file (O_NOFOLLOW,
 * O_NONBLOCK: a FIFO does not hang).  0 / -1 with err. */
int spool_read(const char *dir, const char *name, char *buf, size_t buflen,
    size_t *len, char *err, size_t errlen);
/* spool_read, then event_parse: new/<name> as a validated event.  0 / -1
 * with err (why the file cannot be read, or is no valid event). */
int spool_read_event(const char *dir, const char *name, struct event *ev,
    char *err, size_t errlen);
/* Remove new/<name> once its effect is in the directory; fsync new/.
 * 0 / -1 (errno set; EINVAL for a name that is not plain). */
int spool_ack(const char *dir, const char *name);
/* Acknowledge a batch: spool_unlink each file (in arrival order), then one
 * spool_sync for all.  An unlink not yet synced may be undone by a crash
 * (on file systems that keep metadata operations in order, such as ext4
 * and xfs, only a suffix of the batch): the file is read again, its event
 * applied again over a state that holds it already.  spool_unlink: as
 * spool_ack without the fsync; spool_sync: fsync new/.  0 / -1 (errno). */
int spool_unlink(const char *dir, const char *name);
int spool_sync(const char *dir);
/* Move new/<name> to quarantine/<name>, with quarantine/<name>.reason
 * holding reason as one line (anything but printable ASCII becomes '?',
 * at most 600 characters); fsync both folders.  Nothing in quarantine/ is
 * replaced: if <name> or <name>.reason is taken, or name ends in
 * ".reason", the file becomes <name>~N (N from 1 to 999) with its reason
 * in <name>~N.reason.  0 / -1 (errno set; EEXIST when all are taken). */
int spool_quarantine(const char *dir, const char *name, const char *reason);
/* Move new/<raw>, one of spool_list_odd's names, to quarantine/ under a
 * plain name of ours ("badname-<unique>.json", put in qname), its reason
 * quoting the name it had.  0 / -1 (errno set). */
int spool_quarantine_odd(const char *dir, const char *raw, char *qname,
    size_t qlen);

#endif
