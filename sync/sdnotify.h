/*
 * sdnotify.h - sd_notify(3) by hand, for Type=notify units: one datagram
 * to $NOTIFY_SOCKET, if the service manager set one.  No libsystemd.
 */
#ifndef VMG_SDNOTIFY_H
#define VMG_SDNOTIFY_H

/* Send msg ("READY=1", "STATUS=...", several lines at once); nothing
 * when $NOTIFY_SOCKET is unset; a failed send is logged, not fatal. */
void sdnotify(const char *msg);

#endif
