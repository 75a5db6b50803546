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
 * Errors are thrown as Error with .code = "EPERM", "ENODEV", ... and .syscall.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

typedef struct {
  int fd;
  int closed;       /* fd closed, close requested */
  int handle_live;  /* uv_poll handle initialised and not yet closed */
  int ext_gone;     /* JS external finalized */
  int polling;
  napi_env env;
  napi_ref cb;
  napi_async_context actx;
  uv_poll_t poll;
} pkt_t;

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_value msg, code, error, sc;
  char buf[256];
  snprintf(buf, sizeof buf, "%s: %s", syscall, strerror(err));
  const char *name = "EIO";
  switch (err) {
    case EPERM: name = "EPERM"; break;
    case EACCES: name = "EACCES"; break;
    case ENODEV: name = "ENODEV"; break;
    case ENXIO: name = "ENXIO"; break;
    case EINVAL: name = "EINVAL"; break;
    case ENETDOWN: name = "ENETDOWN"; break;
    case EMSGSIZE: name = "EMSGSIZE"; break;
    case EAGAIN: name = "EAGAIN"; break;
    case ENOBUFS: name = "ENOBUFS"; break;
    case EBADF: name = "EBADF"; break;
    case EAFNOSUPPORT: name = "EAFNOSUPPORT"; break;
    default: break;
  }
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
  pkt_t *p = (pkt_t *)calloc(1, sizeof(pkt_t));
  if (!p) {
    close(fd);
    return throw_errno(env, "calloc", ENOMEM);
  }
  p->fd = fd;
  p->env = env;
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
  if (len < 14) return throw_msg(env, "frame shorter than an Ethernet header");
  ssize_t n = send(p->fd, data, len, 0);
  if (n < 0) return throw_errno(env, "send(AF_PACKET)", errno);
  napi_value r;
  napi_create_int64(env, (int64_t)n, &r);
  return r;
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  pkt_t *p = (pkt_t *)h->data;
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
    napi_value frame, pt, cb, recv, argv[2], res;
    void *copy = NULL;
    napi_create_buffer_copy(env, (size_t)n, buf, &copy, &frame);
    napi_create_int32(env, from.sll_pkttype, &pt);
    argv[0] = frame;
    argv[1] = pt;
    napi_get_reference_value(env, p->cb, &cb);
    napi_get_global(env, &recv);
    napi_status st = napi_make_callback(env, p->actx, recv, cb, 2, argv, &res);
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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"recvStart", NULL, js_recv_start, NULL, NULL, NULL, napi_default, NULL},
      {"recvStop", NULL, js_recv_stop, NULL, NULL, NULL, napi_default, NULL},
      {"ref", NULL, js_ref, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
