/*
 * The symbolic name of an errno ("EPERM", "ENOBUFS"...) for the .code of the errors the addons
 * throw: glibc's strerrorname_np (2.32+), so no errno table is kept by hand here. Elsewhere
 * (older glibc, musl) the code is "E" followed by the number and the TS side names it by .errno
 * (src/lib/netlink/errors.ts).
 */
#ifndef HACTL_ERRNAME_H
#define HACTL_ERRNAME_H
#include <stdio.h>
#include <string.h>

static const char *errno_name(int e, char *buf, size_t n) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *s = strerrorname_np(e);
  if (s) return s;
#endif
  snprintf(buf, n, "E%d", e);
  return buf;
}
#endif
