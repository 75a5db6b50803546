/*
 * hactl_netlink: synchronous netlink datagram I/O for the IPVS client (N-API, plain C).
 *
 * Why: `hactl restore` sends tens of thousands of generic netlink requests, one
 * ACK each. Through the `netlink` npm package every ACK costs two recvmsg()
 * (peek + read), a Buffer and a JS callback; under emulation that was most of
 * the run time. Netlink requests to the kernel are processed inside sendmsg(),
 * so the replies are already queued when send() returns: reading them at once,
 * without the event loop, never waits on anything but the kernel.
 *
 * JS API (wrapped by src/lib/ipvs/client.ts, which falls back to the npm
 * package when this addon is not built):
 *   open(protocol, bufBytes) -> [fd, portid, rcvbuf]   socket(AF_NETLINK, SOCK_RAW), SO_{SND,RCV}BUF(FORCE)
 *                                              (FORCE needs CAP_NET_ADMIN), bound by the kernel (portid from
 *                                              getsockname); rcvbuf is the receive buffer the kernel granted
 *   send(fd, buffer, length) -> bytes           one sendmsg() to the kernel (port 0)
 *   recv(fd, buffer, timeoutMs) -> bytes        one datagram into buffer (poll()ed first); 0 on timeout;
 *                                               -size when the datagram did not fit (MSG_TRUNC)
 *   acks(fd, firstSeq, count, errnos: Int32Array, timeoutMs) -> seen
 *       reads datagrams until every sequence first..first+count-1 has its NLMSG_ERROR (ACK) or the
 *       timeout passes; errnos[seq - first] = positive errno (0 = success). Other messages are skipped.
 *       Returns how many distinct ACKs were seen.
 *   close(fd)
 * Errors are thrown as Error with .code = "EPERM", "ENOBUFS", ... and .syscall.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <node_api.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "errname.h"

static napi_value throw_errno(napi_env env, const char *syscall, int e) {
  napi_value msg, code, err, sc;
  char text[160];
  snprintf(text, sizeof text, "%s: %s", syscall, strerror(e));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg);
  char nbuf[16];
  const char *name = errno_name(e, nbuf, sizeof nbuf);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &err);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, err, "syscall", sc);
  napi_value errnoV;
  napi_create_int32(env, e, &errnoV);
  napi_set_named_property(env, err, "errno", errnoV);
  napi_throw(env, err);
  return NULL;
}

static napi_value throw_msg(napi_env env, const char *m) {
  napi_throw_type_error(env, NULL, m);
  return NULL;
}

static napi_value num(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is readable or the deadline passes: 1 readable, 0 timeout, -errno. */
static int wait_readable(int fd, int64_t deadline) {
  for (;;) {
    int64_t left = deadline - now_ms();
    if (left < 0) left = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, (int)(left > 0x7fffffff ? 0x7fffffff : left));
    if (r > 0) return 1;
    if (r == 0) return 0;
    if (errno != EINTR) return -errno;
  }
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t proto = 0, buf = 0;
  if (argc < 2 || napi_get_value_uint32(env, argv[0], &proto) != napi_ok || napi_get_value_uint32(env, argv[1], &buf) != napi_ok)
    return throw_msg(env, "open(protocol, bufBytes)");
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, (int)proto);
  if (fd < 0) return throw_errno(env, "socket", errno);
  if (buf) {
    int v = (int)buf;
    /* FORCE needs CAP_NET_ADMIN; without it the plain option (capped by [rw]mem_max) is used. */
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v) < 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof v) < 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
  }
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "bind", e);
  }
  socklen_t sl = sizeof sa;
  if (getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "getsockname", e);
  }
  int rcv = 0;
  socklen_t rl = sizeof rcv;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &rl) < 0) rcv = 0;
  napi_value arr;
  napi_create_array_with_length(env, 3, &arr);
  napi_set_element(env, arr, 0, num(env, fd));
  napi_set_element(env, arr, 1, num(env, sa.nl_pid));
  napi_set_element(env, arr, 2, num(env, rcv));
  return arr;
}

static int get_buffer(napi_env env, napi_value v, void **data, size_t *len) {
  bool is = false;
  napi_is_buffer(env, v, &is);
  if (is) return napi_get_buffer_info(env, v, data, len) == napi_ok ? 0 : -1;
  napi_is_typedarray(env, v, &is);
  if (!is) return -1;
  napi_typedarray_type t;
  size_t n, off;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &t, &n, data, &ab, &off) != napi_ok) return -1;
  *len = n * (t == napi_int32_array || t == napi_uint32_array ? 4 : 1);
  return 0;
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  uint32_t n = 0;
  void *data;
  size_t len;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || get_buffer(env, argv[1], &data, &len) < 0 ||
      napi_get_value_uint32(env, argv[2], &n) != napi_ok || n > len)
    return throw_msg(env, "send(fd, buffer, length)");
  struct sockaddr_nl to;
  memset(&to, 0, sizeof to);
  to.nl_family = AF_NETLINK;
  ssize_t r;
  do r = sendto(fd, data, n, 0, (struct sockaddr *)&to, sizeof to);
  while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, "sendmsg", errno);
  return num(env, (double)r);
}

static napi_value js_recv(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  uint32_t timeout = 0;
  void *data;
  size_t len;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || get_buffer(env, argv[1], &data, &len) < 0 ||
      napi_get_value_uint32(env, argv[2], &timeout) != napi_ok)
    return throw_msg(env, "recv(fd, buffer, timeoutMs)");
  int64_t deadline = now_ms() + timeout;
  for (;;) {
    ssize_t r = recv(fd, data, len, MSG_DONTWAIT | MSG_TRUNC);
    if (r >= 0) return num(env, (size_t)r > len ? -(double)r : (double)r);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return throw_errno(env, "recvmsg", errno);
    int w = wait_readable(fd, deadline);
    if (w == 0) return num(env, 0);
    if (w < 0) return throw_errno(env, "poll", -w);
  }
}

static napi_value js_acks(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  uint32_t first = 0, count = 0, timeout = 0;
  void *data;
  size_t len;
  if (argc < 5 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_uint32(env, argv[1], &first) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &count) != napi_ok || get_buffer(env, argv[3], &data, &len) < 0 || len < (size_t)count * 4 ||
      napi_get_value_uint32(env, argv[4], &timeout) != napi_ok)
    return throw_msg(env, "acks(fd, firstSeq, count, errnos: Int32Array, timeoutMs)");
  int32_t *errnos = (int32_t *)data;
  uint8_t *seen = (uint8_t *)calloc(count ? count : 1, 1);
  if (!seen) return throw_errno(env, "calloc", ENOMEM);
  /* An ACK is 36 bytes; an error reply echoes the request (a few hundred bytes at most here). */
  static char buf[65536] __attribute__((aligned(8)));
  uint32_t got = 0;
  int64_t deadline = now_ms() + timeout;
  while (got < count) {
    ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        int w = wait_readable(fd, deadline);
        if (w > 0) continue;
        if (w == 0) break;
        free(seen);
        return throw_errno(env, "poll", -w);
      }
      int e = errno;
      free(seen);
      return throw_errno(env, "recvmsg", e);
    }
    size_t off = 0;
    while (off + sizeof(struct nlmsghdr) <= (size_t)r) {
      struct nlmsghdr *h = (struct nlmsghdr *)(buf + off);
      if (h->nlmsg_len < sizeof(struct nlmsghdr) || off + h->nlmsg_len > (size_t)r) break;
      uint32_t i = h->nlmsg_seq - first;
      if (h->nlmsg_type == NLMSG_ERROR && i < count && h->nlmsg_len >= sizeof(struct nlmsghdr) + 4 && !seen[i]) {
        int32_t e;
        memcpy(&e, NLMSG_DATA(h), 4);
        errnos[i] = -e;
        seen[i] = 1;
        got++;
      }
      off += NLMSG_ALIGN(h->nlmsg_len);
    }
  }
  free(seen);
  return num(env, got);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok) return throw_msg(env, "close(fd)");
  if (fd >= 0) close(fd);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_default, NULL},
      {"acks", NULL, js_acks, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
