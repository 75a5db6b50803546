/*
 * hactl_packet: a minimal AF_PACKET socket for Node (N-API, plain C).
 *
 * Why our own addon: hactl must send gratuitous ARP and IPv6 unsolicited
 * Neighbour Advertisements (and tests must see ARP replies). `raw-socket` only
 * opens AF_INET/AF_INET6 sockets, which cannot carry ARP. The npm `pcap`-style
 * packages pull in libpcap (a runtime .so and -dev headers at build time),
 * are large, and several are unmaintained against current Node ABIs; we need
 * ~150 lines of syscalls: socket(AF_PACKET, SOCK_RAW), bind to one ifindex,
 * send(), and non-blocking recv() driven by libuv (uv_poll), so the VRRP
 * daemon's event loop is never blocked. N-API keeps it ABI-stable across Node
 * versions; it builds with node-gyp against the installed Node headers.
 *
 * JS API (wrapped by src/lib/net/packet.ts):
 *   open(ifindex, protocol) -> handle          protocol: ethertype, host order (0x0806, 0x86dd, 3 = ETH_P_ALL)
 *   send(handle, buffer) -> bytes sent
 *   recvStart(handle, cb(frame: Buffer, pkttype: number))   pkttype: PACKET_HOST=0, BROADCAST=1, MULTICAST=2, OTHERHOST=3, OUTGOING=4
 *   recvStop(handle)
 *   ref(handle, bool)                           keep the event loop alive while receiving (default yes)
 *   close(handle)
 *   drain(handle) -> count                      read every frame queued now and hand each to the recvStart
 *                                               callback synchronously (VRRP timer safety: before declaring
 *                                               the master down, adverts queued during a stall are read)
 *   attachFilter(handle, program: Buffer)       SO_ATTACH_FILTER with a classic BPF program (8-byte
 *                                               struct sock_filter entries, host byte order)
 *   Receive callbacks of packet sockets get a third argument: how long ago (ms, from the kernel's
 *   receive timestamp, SIOCGSTAMPNS) the frame arrived, or -1 when unknown.
 *   rxAge(fd) -> ms | -1                        the same for the last datagram read from any socket fd
 *                                               (the first call enables timestamping and returns -1)
 *   sockInfo(fd) -> {domain, type, protocol, device} | null   getsockopt SO_DOMAIN/SO_TYPE/SO_PROTOCOL/
 *                                               SO_BINDTODEVICE (finds a socket another module opened)
 *   setTimerSlack(ns)                           prctl(PR_SET_TIMERSLACK) for the calling thread (the VRRP
 *                                               daemon's timed sleeps wake on time, like keepalived's timerfd)
 *   flock(fd, op) -> 0 | errno                  flock(2) (op: LOCK_SH 1, LOCK_EX 2, LOCK_NB 4, LOCK_UN 8);
 *                                               EWOULDBLOCK is returned, not thrown (the daemon's pid-file lock)
 *   senderOpen/senderArm/senderDisarm/senderStats/senderLease/senderClose: the MASTER advert
 *                                               sender thread (sender.c)
 *   sendPktinfo6(fd, buffer, dst, src, ifindex) -> bytes sent
 *                                               sendmsg() on an AF_INET6 socket fd (the VRRP raw socket that
 *                                               raw-socket opened) with an IPV6_PKTINFO control message: the
 *                                               packet leaves from `src` on `ifindex`, whatever source the
 *                                               kernel would pick (a VIP in the same prefix, for one); the
 *                                               VRRPv3 checksum covers that source. Non-blocking (EAGAIN thrown).
 *
 * Marked sockets for the health checkers (SO_MARK = keepalived's `fwmark`;
 * Node's net/dgram cannot set it). Needs CAP_NET_ADMIN:
 *   socketWithMark(family, type, mark, bindAddr?, bindPort?) -> fd
 *       family 4|6, type 1 = SOCK_STREAM, 2 = SOCK_DGRAM; a non-blocking fd with
 *       SO_MARK set (and bound when bindAddr/bindPort given). TCP: hand it to
 *       `new net.Socket({ fd })` and connect() there (libuv reuses the fd).
 *   openDgram(family, mark, bindAddr?, bindPort, dstAddr, dstPort) -> handle
 *       a marked UDP socket connect()ed to dst, driven by the same handle API:
 *       send(handle, payload), recvStart(handle, cb(datagram | null, errCode | null)),
 *       ref, close. (dgram cannot adopt an fd, so UDP goes through here.)
 * Errors are thrown as Error with .code = "EPERM", "ENODEV", ... and .syscall.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <uv.h>

#include "errname.h"

typedef struct {
  int fd;
  int closed;       /* fd closed, close requested */
  int handle_live;  /* uv_poll handle initialised and not yet closed */
  int ext_gone;     /* JS external finalized */
  int polling;
  int dgram;        /* 1: connected UDP socket from openDgram (no Ethernet framing) */
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
  uv_poll_t poll;
} pkt_t;

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_value msg, code, error, sc;
  char buf[256];
  snprintf(buf, sizeof buf, "%s: %s", syscall, strerror(err));
  char nbuf[16];
  const char *name = errno_name(err, nbuf, sizeof nbuf);
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &error);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
  napi_set_named_property(env, error, "syscall", sc);
  napi_value eno;
  napi_create_int32(env, err, &eno);
  napi_set_named_property(env, error, "errno", eno);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_msg(napi_env env, const char *m) {
  napi_throw_error(env, "EINVAL", m);
  return NULL;
}

static void maybe_free(pkt_t *p) {
  if (p->ext_gone && !p->handle_live) free(p);
}

static void on_handle_closed(uv_handle_t *h) {
  pkt_t *p = (pkt_t *)h->data;
  p->handle_live = 0;
  maybe_free(p);
}

static void release_cb(pkt_t *p) {
  if (p->cb) {
    napi_delete_reference(p->env, p->cb);
    p->cb = NULL;
  }
  if (p->actx) {
    napi_async_destroy(p->env, p->actx);
    p->actx = NULL;
  }
}

static void do_close(pkt_t *p) {
  if (p->closed) return;
  p->closed = 1;
  if (p->polling) {
    uv_poll_stop(&p->poll);
    p->polling = 0;
  }
  if (p->handle_live && !uv_is_closing((uv_handle_t *)&p->poll)) uv_close((uv_handle_t *)&p->poll, on_handle_closed);
  if (p->fd >= 0) {
    close(p->fd);
    p->fd = -1;
  }
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  pkt_t *p = (pkt_t *)data;
  p->env = env;
  release_cb(p);
  do_close(p);
  p->ext_gone = 1;
  maybe_free(p);
}

static pkt_t *get_pkt(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) {
    throw_msg(env, "expected a packet socket handle");
    return NULL;
  }
  napi_get_value_external(env, v, &data);
  pkt_t *p = (pkt_t *)data;
  if (p->closed) {
    throw_errno(env, "packet socket", EBADF);
    return NULL;
  }
  return p;
}

/* Wrap an open, configured fd in a pkt_t (uv_poll for reads) and hand it to JS; closes fd on failure. */
static napi_value adopt_fd(napi_env env, int fd, int dgram) {
  pkt_t *p = (pkt_t *)calloc(1, sizeof(pkt_t));
  if (!p) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM);
  }
  p->fd = fd;
  p->env = env;
  p->dgram = dgram;
  uv_loop_t *loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  if (uv_poll_init(loop, &p->poll, fd) != 0) {
    close(fd);
    free(p);
    return throw_errno(env, "uv_poll_init", EIO);
  }
  p->poll.data = p;
  p->handle_live = 1;
  napi_value ext;
  napi_create_external(env, p, finalize, NULL, &ext);
  return ext;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_msg(env, "open(ifindex, protocol)");
  int32_t ifindex = 0;
  uint32_t proto = 0;
  if (napi_get_value_int32(env, argv[0], &ifindex) != napi_ok || ifindex <= 0) return throw_msg(env, "ifindex must be a positive integer");
  if (napi_get_value_uint32(env, argv[1], &proto) != napi_ok || proto > 0xffff) return throw_msg(env, "protocol must be an ethertype (0..65535)");

  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons((uint16_t)proto));
  if (fd < 0) return throw_errno(env, "socket(AF_PACKET)", errno);
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons((uint16_t)proto);
  sll.sll_ifindex = ifindex;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "bind(AF_PACKET)", e);
  }
  return adopt_fd(env, fd, 0);
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_msg(env, "send(handle, buffer)");
  pkt_t *p = get_pkt(env, argv[0]);
  if (!p) return NULL;
  void *data = NULL;
  size_t len = 0;
  bool isbuf = false;
  napi_is_buffer(env, argv[1], &isbuf);
  if (!isbuf) return throw_msg(env, "frame must be a Buffer");
  napi_get_buffer_info(env, argv[1], &data, &len);
  if (!p->dgram && len < 14) return throw_msg(env, "frame shorter than an Ethernet header");
  ssize_t n = send(p->fd, data, len, 0);
  if (n < 0) return throw_errno(env, "send(AF_PACKET)", errno);
  napi_value r;
  napi_create_int64(env, (int64_t)n, &r);
  return r;
}


/* Connected UDP socket readable (or in error: ICMP unreachable is reported by
 * recv as ECONNREFUSED/EHOSTUNREACH): cb(datagram, null) or cb(null, code). */
static void on_dgram_readable(pkt_t *p) {
  napi_env env = p->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  static unsigned char buf[65536];
  for (int i = 0; i < 64 && !p->closed && p->cb; i++) {
    ssize_t n = recv(p->fd, buf, sizeof buf, MSG_DONTWAIT);
    napi_value cb, recvr, argv[2], res;
    if (n < 0) {
      int e = errno;
      if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR) break;
      napi_get_null(env, &argv[0]);
      char nbuf[16];
      napi_create_string_utf8(env, errno_name(e, nbuf, sizeof nbuf), NAPI_AUTO_LENGTH, &argv[1]);
    } else {
      void *copy = NULL;
      napi_create_buffer_copy(env, (size_t)n, buf, &copy, &argv[0]);
      napi_get_null(env, &argv[1]);
    }
    napi_get_reference_value(env, p->cb, &cb);
    napi_get_global(env, &recvr);
    napi_status st = napi_make_callback(env, p->actx, recvr, cb, 2, argv, &res);
    if (st == napi_pending_exception) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc);
      break;
    }
  }
  napi_close_handle_scope(env, scope);
}

/* Optional string argument: 0 when undefined/null, 1 when copied, -1 on error (thrown). */
static int opt_string(napi_env env, napi_value v, char *out, size_t cap) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_undefined || t == napi_null) return 0;
  size_t len = 0;
  if (t != napi_string || napi_get_value_string_utf8(env, v, out, cap, &len) != napi_ok || len + 1 >= cap) {
    throw_msg(env, "address must be a string");
    return -1;
  }
  return 1;
}

static int fill_addr(int family, const char *addr, uint32_t port, struct sockaddr_storage *ss, socklen_t *sl) {
  memset(ss, 0, sizeof *ss);
  if (family == AF_INET) {
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    if (addr && inet_pton(AF_INET, addr, &s4->sin_addr) != 1) return -1;
    *sl = sizeof *s4;
  } else {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    if (addr && inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1) return -1;
    *sl = sizeof *s6;
  }
  return 0;
}

/* socket + SO_MARK + optional bind; returns fd or -1 after throwing. SO_MARK needs
 * CAP_NET_ADMIN (or CAP_NET_RAW on kernels >= 5.17). */
static int marked_socket(napi_env env, napi_value *argv, size_t argc, int *out_family, int forced_type) {
  int32_t fam = 0, type = forced_type;
  uint32_t mark = 0, bport = 0;
  char baddr[64];
  size_t i = 0;
  if (napi_get_value_int32(env, argv[i++], &fam) != napi_ok || (fam != 4 && fam != 6)) {
    throw_msg(env, "family must be 4 or 6");
    return -1;
  }
  if (!forced_type && (napi_get_value_int32(env, argv[i++], &type) != napi_ok || (type != SOCK_STREAM && type != SOCK_DGRAM))) {
    throw_msg(env, "type must be 1 (SOCK_STREAM) or 2 (SOCK_DGRAM)");
    return -1;
  }
  if (napi_get_value_uint32(env, argv[i++], &mark) != napi_ok) {
    throw_msg(env, "mark must be a 32-bit unsigned integer");
    return -1;
  }
  int hb = i < argc ? opt_string(env, argv[i], baddr, sizeof baddr) : 0;
  i++;
  if (hb < 0) return -1;
  if (i < argc) {
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    if (t != napi_undefined && t != napi_null && (napi_get_value_uint32(env, argv[i], &bport) != napi_ok || bport > 65535)) {
      throw_msg(env, "bindPort must be 0..65535");
      return -1;
    }
  }
  int family = fam == 6 ? AF_INET6 : AF_INET;
  struct sockaddr_storage ss;
  socklen_t sl = 0;
  if (fill_addr(family, hb ? baddr : NULL, bport, &ss, &sl) < 0) {
    throw_msg(env, "bindAddr is not an address of that family");
    return -1;
  }
  int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, "socket", errno);
    return -1;
  }
  if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0) {
    int e = errno;
    close(fd);
    if (e == EPERM || e == EACCES) {
      napi_value msg, code, error, sc;
      napi_create_string_utf8(env, "fwmark needs root (CAP_NET_ADMIN)", NAPI_AUTO_LENGTH, &msg);
      napi_create_string_utf8(env, "EPERM", NAPI_AUTO_LENGTH, &code);
      napi_create_error(env, code, msg, &error);
      napi_create_string_utf8(env, "setsockopt(SO_MARK)", NAPI_AUTO_LENGTH, &sc);
      napi_set_named_property(env, error, "syscall", sc);
      napi_throw(env, error);
    } else
      throw_errno(env, "setsockopt(SO_MARK)", e);
    return -1;
  }
  if (hb || bport) {
    int one = 1;
    if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
      int e = errno;
      close(fd);
      throw_errno(env, "bind", e);
      return -1;
    }
  }
  *out_family = family;
  return fd;
}

static napi_value js_socket_with_mark(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return throw_msg(env, "socketWithMark(family, type, mark, bindAddr?, bindPort?)");
  int family = 0;
  int fd = marked_socket(env, argv, argc, &family, 0);
  if (fd < 0) return NULL;
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

static napi_value js_open_dgram(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) return throw_msg(env, "openDgram(family, mark, bindAddr, bindPort, dstAddr, dstPort)");
  char daddr[64];
  uint32_t dport = 0;
  if (opt_string(env, argv[4], daddr, sizeof daddr) != 1) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    return pending ? NULL : throw_msg(env, "dstAddr is required");
  }
  if (napi_get_value_uint32(env, argv[5], &dport) != napi_ok || dport == 0 || dport > 65535) return throw_msg(env, "dstPort must be 1..65535");
  int family = 0;
  int fd = marked_socket(env, argv, 4, &family, SOCK_DGRAM);
  if (fd < 0) return NULL;
  struct sockaddr_storage ss;
  socklen_t sl = 0;
  if (fill_addr(family, daddr, dport, &ss, &sl) < 0) {
    close(fd);
    return throw_msg(env, "dstAddr is not an address of that family");
  }
  if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "connect", e);
  }
  return adopt_fd(env, fd, 1);
}

/* Age in ms of the last datagram read from fd, from its kernel receive
 * timestamp (CLOCK_REALTIME); -1 when unknown. The difference is taken at
 * once, so a later clock step does not matter. */
static double rx_age_ms(int fd) {
  struct timespec ts, now;
  if (ioctl(fd, SIOCGSTAMPNS, &ts) < 0) return -1;
  clock_gettime(CLOCK_REALTIME, &now);
  double age = (double)(now.tv_sec - ts.tv_sec) * 1e3 + (double)(now.tv_nsec - ts.tv_nsec) / 1e6;
  return age >= 0 && age < 60000 ? age : -1;
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  pkt_t *p = (pkt_t *)h->data;
  if (p->dgram) {
    /* libuv reports POLLERR (a pending ICMP error) as status UV_EBADF and stops
     * the handle: read the error with recv() and poll again. */
    if (p->closed || !p->cb) return;
    on_dgram_readable(p);
    if (status < 0 && !p->closed && p->polling) uv_poll_start(&p->poll, UV_READABLE, on_readable);
    return;
  }
  if (status < 0 || p->closed || !p->cb) return;
  napi_env env = p->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  static unsigned char buf[65536];
  for (int i = 0; i < 64 && !p->closed && p->cb; i++) {
    struct sockaddr_ll from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(p->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    if (n < 0) break; /* EAGAIN or error: wait for the next readable event */
    napi_value frame, pt, age, cb, recv, argv[3], res;
    void *copy = NULL;
    double a = rx_age_ms(p->fd);
    napi_create_buffer_copy(env, (size_t)n, buf, &copy, &frame);
    napi_create_int32(env, from.sll_pkttype, &pt);
    napi_create_double(env, a, &age);
    argv[0] = frame;
    argv[1] = pt;
    argv[2] = age;
    napi_get_reference_value(env, p->cb, &cb);
    napi_get_global(env, &recv);
    napi_status st = napi_make_callback(env, p->actx, recv, cb, 3, argv, &res);
    if (st == napi_pending_exception) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc);
      break;
    }
  }
  napi_close_handle_scope(env, scope);
}

static napi_value js_recv_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_msg(env, "recvStart(handle, callback)");
  pkt_t *p = get_pkt(env, argv[0]);
  if (!p) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_function) return throw_msg(env, "callback must be a function");
  release_cb(p);
  p->env = env;
  napi_create_reference(env, argv[1], 1, &p->cb);
  napi_value name;
  napi_create_string_utf8(env, "hactl:packet", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &p->actx);
  if (!p->polling) {
    if (uv_poll_start(&p->poll, UV_READABLE, on_readable) != 0) return throw_errno(env, "uv_poll_start", EIO);
    p->polling = 1;
  }
  return NULL;
}

static napi_value js_recv_stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return throw_msg(env, "recvStop(handle)");
  pkt_t *p = get_pkt(env, argv[0]);
  if (!p) return NULL;
  if (p->polling) {
    uv_poll_stop(&p->poll);
    p->polling = 0;
  }
  release_cb(p);
  return NULL;
}

static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_msg(env, "ref(handle, bool)");
  pkt_t *p = get_pkt(env, argv[0]);
  if (!p) return NULL;
  bool on = true;
  napi_get_value_bool(env, argv[1], &on);
  if (on)
    uv_ref((uv_handle_t *)&p->poll);
  else
    uv_unref((uv_handle_t *)&p->poll);
  return NULL;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return throw_msg(env, "close(handle)");
  void *data = NULL;
  napi_valuetype t;
  if (napi_typeof(env, argv[0], &t) != napi_ok || t != napi_external) return throw_msg(env, "expected a packet socket handle");
  napi_get_value_external(env, argv[0], &data);
  pkt_t *p = (pkt_t *)data;
  p->env = env;
  release_cb(p);
  do_close(p);
  return NULL;
}

static napi_value js_drain(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return throw_msg(env, "drain(handle)");
  pkt_t *p = get_pkt(env, argv[0]);
  if (!p) return NULL;
  if (p->dgram) return throw_msg(env, "drain() is for packet sockets");
  static unsigned char buf[65536];
  int count = 0;
  /* bounded: a flood must not keep the caller here forever */
  while (count < 4096 && !p->closed && p->cb) {
    struct sockaddr_ll from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(p->fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    if (n < 0) break; /* EAGAIN: the queue is empty */
    count++;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value frame, pt, age, cb, global, args[3], res;
    void *copy = NULL;
    double a = rx_age_ms(p->fd);
    napi_create_buffer_copy(env, (size_t)n, buf, &copy, &frame);
    napi_create_int32(env, from.sll_pkttype, &pt);
    napi_create_double(env, a, &age);
    args[0] = frame;
    args[1] = pt;
    args[2] = age;
    napi_get_reference_value(env, p->cb, &cb);
    napi_get_global(env, &global);
    napi_status st = napi_call_function(env, global, cb, 3, args, &res);
    napi_close_handle_scope(env, scope);
    if (st != napi_ok) return NULL; /* the callback threw: the exception goes to drain()'s caller */
  }
  napi_value ret;
  napi_create_int32(env, count, &ret);
  return ret;
}

static napi_value js_attach_filter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 2) return throw_msg(env, "attachFilter(handle, program)");
  pkt_t *p = get_pkt(env, argv[0]);
  if (!p) return NULL;
  bool isbuf = false;
  napi_is_buffer(env, argv[1], &isbuf);
  if (!isbuf) return throw_msg(env, "program must be a Buffer of struct sock_filter");
  void *data = NULL;
  size_t len = 0;
  napi_get_buffer_info(env, argv[1], &data, &len);
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
    return throw_msg(env, "program length must be a non-zero multiple of 8 bytes (at most 4096 instructions)");
  struct sock_fprog prog = {(unsigned short)(len / sizeof(struct sock_filter)), (struct sock_filter *)data};
  if (setsockopt(p->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) return throw_errno(env, "setsockopt(SO_ATTACH_FILTER)", errno);
  return NULL;
}

static napi_value js_rx_age(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ret;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return throw_msg(env, "rxAge(fd)");
  napi_create_double(env, rx_age_ms(fd), &ret);
  return ret;
}

static napi_value js_sock_info(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ret, v;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return throw_msg(env, "sockInfo(fd)");
  int domain = 0, type = 0, proto = 0;
  socklen_t l = sizeof(int);
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l) < 0) {
    napi_get_null(env, &ret);
    return ret;
  }
  l = sizeof(int);
  getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l);
  l = sizeof(int);
  getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l);
  char dev[64] = {0};
  socklen_t dl = sizeof dev - 1;
  if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, &dl) < 0) dev[0] = 0;
  napi_create_object(env, &ret);
  napi_create_int32(env, domain, &v);
  napi_set_named_property(env, ret, "domain", v);
  napi_create_int32(env, type, &v);
  napi_set_named_property(env, ret, "type", v);
  napi_create_int32(env, proto, &v);
  napi_set_named_property(env, ret, "protocol", v);
  napi_create_string_utf8(env, dev, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, ret, "device", v);
  return ret;
}

/* soError(fd): pending SO_ERROR of a socket (0: none; reading clears it), -1 when getsockopt fails.
 * libuv reports EOF, not ECONNRESET, when data and a reset arrive together (POLLHUP after a partial
 * read): the HTTP checker asks here whether its "EOF" was a reset, as keepalived's read() sees it. */
static napi_value js_so_error(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ret;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return throw_msg(env, "soError(fd)");
  int err = 0;
  socklen_t l = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0) err = -1;
  napi_create_int32(env, err, &ret);
  return ret;
}

static napi_value js_set_timer_slack(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int64_t ns = 0;
  if (argc < 1 || napi_get_value_int64(env, argv[0], &ns) != napi_ok || ns < 0) return throw_msg(env, "setTimerSlack(ns)");
  if (prctl(PR_SET_TIMERSLACK, (unsigned long)ns, 0, 0, 0) < 0) return throw_errno(env, "prctl(PR_SET_TIMERSLACK)", errno);
  return NULL;
}

static napi_value js_flock(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ret;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1, op = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 || napi_get_value_int32(env, argv[1], &op) != napi_ok)
    return throw_msg(env, "flock(fd, op)");
  int r;
  do r = flock(fd, op);
  while (r < 0 && errno == EINTR);
  napi_create_int32(env, r < 0 ? errno : 0, &ret);
  return ret;
}

/* sendmsg with IPV6_PKTINFO: the source address and interface of this one datagram (RFC 3542).
 * A sticky IPV6_PKTINFO set with setsockopt() only gives raw sockets the interface, not the source. */
static napi_value js_send_pktinfo6(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) return throw_msg(env, "sendPktinfo6(fd, buffer, dst, src, ifindex)");
  int32_t fd = -1, ifindex = 0;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return throw_msg(env, "fd must be a socket descriptor");
  bool isbuf = false;
  napi_is_buffer(env, argv[1], &isbuf);
  if (!isbuf) return throw_msg(env, "payload must be a Buffer");
  void *data = NULL;
  size_t len = 0;
  napi_get_buffer_info(env, argv[1], &data, &len);
  char dst[64], src[64];
  if (opt_string(env, argv[2], dst, sizeof dst) != 1 || opt_string(env, argv[3], src, sizeof src) != 1) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    return pending ? NULL : throw_msg(env, "dst and src are required");
  }
  if (napi_get_value_int32(env, argv[4], &ifindex) != napi_ok || ifindex < 0) return throw_msg(env, "ifindex must be a non-negative integer");
  struct sockaddr_in6 to;
  memset(&to, 0, sizeof to);
  to.sin6_family = AF_INET6;
  if (inet_pton(AF_INET6, dst, &to.sin6_addr) != 1) return throw_msg(env, "dst is not an IPv6 address");
  /* a link-local destination needs its zone */
  if (IN6_IS_ADDR_LINKLOCAL(&to.sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&to.sin6_addr)) to.sin6_scope_id = (uint32_t)ifindex;
  char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))] __attribute__((aligned(__alignof__(struct cmsghdr))));
  memset(cbuf, 0, sizeof cbuf);
  struct iovec iov = {data, len};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_name = &to;
  msg.msg_namelen = sizeof to;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = IPPROTO_IPV6;
  cm->cmsg_type = IPV6_PKTINFO;
  cm->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
  struct in6_pktinfo *pi = (struct in6_pktinfo *)CMSG_DATA(cm);
  if (inet_pton(AF_INET6, src, &pi->ipi6_addr) != 1) return throw_msg(env, "src is not an IPv6 address");
  pi->ipi6_ifindex = (unsigned)ifindex;
  ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT);
  if (n < 0) return throw_errno(env, "sendmsg(IPV6_PKTINFO)", errno);
  napi_value r;
  napi_create_int64(env, (int64_t)n, &r);
  return r;
}

void sender_register(napi_env env, napi_value exports); /* sender.c */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"recvStart", NULL, js_recv_start, NULL, NULL, NULL, napi_default, NULL},
      {"recvStop", NULL, js_recv_stop, NULL, NULL, NULL, napi_default, NULL},
      {"ref", NULL, js_ref, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"socketWithMark", NULL, js_socket_with_mark, NULL, NULL, NULL, napi_default, NULL},
      {"openDgram", NULL, js_open_dgram, NULL, NULL, NULL, napi_default, NULL},
      {"drain", NULL, js_drain, NULL, NULL, NULL, napi_default, NULL},
      {"attachFilter", NULL, js_attach_filter, NULL, NULL, NULL, napi_default, NULL},
      {"rxAge", NULL, js_rx_age, NULL, NULL, NULL, napi_default, NULL},
      {"sockInfo", NULL, js_sock_info, NULL, NULL, NULL, napi_default, NULL},
      {"soError", NULL, js_so_error, NULL, NULL, NULL, napi_default, NULL},
      {"setTimerSlack", NULL, js_set_timer_slack, NULL, NULL, NULL, napi_default, NULL},
      {"flock", NULL, js_flock, NULL, NULL, NULL, napi_default, NULL},
      {"sendPktinfo6", NULL, js_send_pktinfo6, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  sender_register(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
