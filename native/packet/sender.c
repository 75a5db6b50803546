/*
 * The VRRP MASTER advert sender: one native thread that sends prepared advert
 * bytes every advert interval, off the JavaScript event loop (a GC pause or a
 * busy turn of the loop no longer delays an advert). keepalived sends from its
 * one timer thread woken by a timerfd; this thread sleeps on a condition
 * variable with an absolute CLOCK_MONOTONIC deadline (one futex wake-up per
 * advert, timer slack 1 us) and is woken early by JS when an arming changes.
 *
 * The daemon's state machine decides; this only executes "send these bytes
 * every interval from time T" (src/lib/vrrp/transport.ts AdvertSender):
 *   senderOpen(fd, family) -> handle       fd: the instance's VRRP raw socket
 *   senderArm(handle, packets, dsts, src, ifindex, hopLimit, intervalMs, delayMs, ipId, leaseMs)
 *       packets: Buffer[] (copied: no allocation per advert; IPv4 full packets with
 *       IP_HDRINCL, the id rewritten per send and the header checksum with it; IPv6
 *       VRRP messages whose checksum JS computed for `src`), dsts: string[] (one per
 *       packet), src/ifindex: IPv6 IPV6_PKTINFO per send (as sendPktinfo6), hopLimit:
 *       IPv6 IPV6_HOPLIMIT per send (-1: none, the socket's multicast hop limit).
 *       The first send is delayMs from now, then every intervalMs; late by more than
 *       an interval: no burst, the next one an interval after the late one (the FSM's rule).
 *   senderDisarm(handle)
 *   senderStats(handle) -> [sent, errors, lastErrno, ipId, expired, late, lateMaxMs]
 *                         late: sends more than half an interval after their deadline
 *   senderLease(ms)       JS checks in: every sender stops (disarms itself, expired = 1)
 *                         when no check-in came for ms. A wedged event loop must not
 *                         keep this node MASTER on the wire.
 *   senderClose(handle)
 *   senderRealtime(prio) -> 0 | errno   the thread's scheduling: SCHED_RR at prio (1..99,
 *                         keepalived's vrrp_rt_priority, given to this thread only), 0: SCHED_OTHER.
 *                         It sleeps between adverts and does microseconds of work per advert; in
 *                         a process with a JS runtime and GC threads, a normal-priority thread was
 *                         woken late (5+ ms) several times a minute on a busy 2-core host.
 * The thread dies with the process (exit, SIGKILL): the watchdog then sends priority 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_PKT 1500

typedef struct {
  uint8_t buf[MAX_PKT];
  size_t len;
  struct sockaddr_storage to;
  socklen_t tolen;
} adv_pkt_t;

typedef struct sender {
  struct sender *next;
  int fd;
  int family;
  int armed;
  int closed;
  int expired;
  adv_pkt_t *pkts;
  int npkts;
  struct in6_pktinfo pi;
  int has_pi;
  int hoplimit;
  int64_t interval_ns;
  int64_t next_ns;
  uint16_t ipid;
  uint64_t sent;
  uint64_t errors;
  int last_errno;
  uint64_t late;      /* sends more than half an interval after their deadline */
  int64_t late_max_ns; /* the latest send, after its deadline */
} sender_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static int thread_started;
static int quit;
static pthread_t thr;
static sender_t *senders;
static int64_t lease_ns; /* absolute; 0: none given yet */

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void ipv4_fix(uint8_t *b, size_t len, uint16_t id) {
  if (len < 20) return;
  size_t ihl = (size_t)(b[0] & 0x0f) * 4;
  if (ihl < 20 || ihl > len) return;
  b[4] = (uint8_t)(id >> 8);
  b[5] = (uint8_t)id;
  b[10] = b[11] = 0;
  uint32_t s = 0;
  for (size_t i = 0; i < ihl; i += 2) s += (uint32_t)(b[i] << 8 | b[i + 1]);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  uint16_t c = (uint16_t)~s;
  b[10] = (uint8_t)(c >> 8);
  b[11] = (uint8_t)c;
}

/* with mu held: every packet of s once */
static void send_all(sender_t *s) {
  for (int i = 0; i < s->npkts; i++) {
    adv_pkt_t *p = &s->pkts[i];
    ssize_t n;
    if (s->family == 4) {
      uint16_t id = (uint16_t)((s->ipid % 0xffff) + 1);
      __atomic_store_n(&s->ipid, id, __ATOMIC_RELAXED);
      ipv4_fix(p->buf, p->len, id);
      n = sendto(s->fd, p->buf, p->len, MSG_DONTWAIT, (struct sockaddr *)&p->to, p->tolen);
    } else {
      char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))] __attribute__((aligned(__alignof__(struct cmsghdr))));
      memset(cbuf, 0, sizeof cbuf);
      struct iovec iov = {p->buf, p->len};
      struct msghdr msg;
      memset(&msg, 0, sizeof msg);
      msg.msg_name = &p->to;
      msg.msg_namelen = p->tolen;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      size_t clen = 0;
      if (s->has_pi || s->hoplimit >= 0) {
        msg.msg_control = cbuf;
        msg.msg_controllen = sizeof cbuf;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        if (s->has_pi) {
          cm->cmsg_level = IPPROTO_IPV6;
          cm->cmsg_type = IPV6_PKTINFO;
          cm->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
          memcpy(CMSG_DATA(cm), &s->pi, sizeof s->pi);
          clen += CMSG_SPACE(sizeof(struct in6_pktinfo));
          cm = CMSG_NXTHDR(&msg, cm);
        }
        if (s->hoplimit >= 0 && cm) {
          cm->cmsg_level = IPPROTO_IPV6;
          cm->cmsg_type = IPV6_HOPLIMIT;
          cm->cmsg_len = CMSG_LEN(sizeof(int));
          memcpy(CMSG_DATA(cm), &s->hoplimit, sizeof(int));
          clen += CMSG_SPACE(sizeof(int));
        }
        msg.msg_controllen = clen;
      }
      n = sendmsg(s->fd, &msg, MSG_DONTWAIT);
    }
    if (n < 0) {
      __atomic_store_n(&s->last_errno, errno, __ATOMIC_RELAXED);
      __atomic_add_fetch(&s->errors, 1, __ATOMIC_RELAXED);
    } else
      __atomic_add_fetch(&s->sent, 1, __ATOMIC_RELAXED);
  }
}

static void *run(void *arg) {
  (void)arg;
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  prctl(PR_SET_NAME, "vrrp-advert", 0, 0, 0); /* ps -L / top -H show it */
  pthread_mutex_lock(&mu);
  while (!quit) {
    int64_t now = mono_ns();
    int64_t wake = INT64_MAX;
    int any = 0;
    for (sender_t *s = senders; s; s = s->next) {
      if (!s->armed) continue;
      int64_t lease = __atomic_load_n(&lease_ns, __ATOMIC_ACQUIRE);
      if (lease && now >= lease) {
        s->armed = 0;
        __atomic_store_n(&s->expired, 1, __ATOMIC_RELAXED);
        continue;
      }
      if (s->next_ns <= now) {
        int64_t late = now - s->next_ns;
        if (late > __atomic_load_n(&s->late_max_ns, __ATOMIC_RELAXED)) __atomic_store_n(&s->late_max_ns, late, __ATOMIC_RELAXED);
        if (late * 2 > s->interval_ns) __atomic_add_fetch(&s->late, 1, __ATOMIC_RELAXED);
        send_all(s);
        int64_t nx = s->next_ns + s->interval_ns;
        s->next_ns = nx > now ? nx : now + s->interval_ns;
      }
      any = 1;
      if (s->next_ns < wake) wake = s->next_ns;
    }
    if (!any) {
      pthread_cond_wait(&cv, &mu);
      continue;
    }
    int64_t lease = __atomic_load_n(&lease_ns, __ATOMIC_ACQUIRE);
    if (lease && lease < wake) wake = lease;
    struct timespec ts = {(time_t)(wake / 1000000000LL), (long)(wake % 1000000000LL)};
    pthread_cond_timedwait(&cv, &mu, &ts);
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

static void stop_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  quit = 1;
  for (sender_t *s = senders; s; s = s->next) s->armed = 0;
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  if (thread_started) pthread_join(thr, NULL);
  thread_started = 0;
}

static napi_value fail(napi_env env, const char *code, const char *m) {
  napi_throw_error(env, code, m);
  return NULL;
}

static int rt_prio; /* senderRealtime: SCHED_RR priority of the thread, 0: SCHED_OTHER */

static int apply_sched(void) {
  struct sched_param sp = {.sched_priority = rt_prio};
  return pthread_setschedparam(thr, rt_prio > 0 ? SCHED_RR | SCHED_RESET_ON_FORK : SCHED_OTHER, &sp);
}

static int ensure_thread(napi_env env) {
  if (thread_started) return 0;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&cv, &ca);
  pthread_condattr_destroy(&ca);
  quit = 0;
  if (pthread_create(&thr, NULL, run, NULL) != 0) return -1;
  thread_started = 1;
  napi_add_env_cleanup_hook(env, stop_thread, NULL);
  if (rt_prio > 0) apply_sched();
  return 0;
}

static void unlink_sender(sender_t *s) {
  for (sender_t **pp = &senders; *pp; pp = &(*pp)->next)
    if (*pp == s) {
      *pp = s->next;
      break;
    }
}

static void finalize_sender(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sender_t *s = (sender_t *)data;
  pthread_mutex_lock(&mu);
  unlink_sender(s);
  pthread_mutex_unlock(&mu);
  free(s->pkts);
  free(s);
}

static sender_t *get_sender(napi_env env, napi_value v) {
  napi_valuetype t;
  void *data = NULL;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) {
    fail(env, "EINVAL", "expected an advert sender handle");
    return NULL;
  }
  napi_get_value_external(env, v, &data);
  return (sender_t *)data;
}

static napi_value js_sender_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], ext;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1, fam = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 || napi_get_value_int32(env, argv[1], &fam) != napi_ok ||
      (fam != 4 && fam != 6))
    return fail(env, "EINVAL", "senderOpen(fd, family 4|6)");
  if (ensure_thread(env) < 0) return fail(env, "EAGAIN", "cannot start the advert sender thread");
  sender_t *s = (sender_t *)calloc(1, sizeof(sender_t));
  if (!s) return fail(env, "ENOMEM", "out of memory");
  s->fd = fd;
  s->family = fam;
  s->hoplimit = -1;
  pthread_mutex_lock(&mu);
  s->next = senders;
  senders = s;
  pthread_mutex_unlock(&mu);
  napi_create_external(env, s, finalize_sender, NULL, &ext);
  return ext;
}

static int64_t ms_to_ns(double ms) { return (int64_t)(ms * 1e6); }

static napi_value js_sender_arm(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 10) return fail(env, "EINVAL", "senderArm(handle, packets, dsts, src, ifindex, hopLimit, intervalMs, delayMs, ipId, leaseMs)");
  sender_t *s = get_sender(env, argv[0]);
  if (!s) return NULL;
  if (s->closed) return fail(env, "EBADF", "advert sender closed");
  uint32_t n = 0, nd = 0;
  bool isarr = false;
  napi_is_array(env, argv[1], &isarr);
  if (!isarr) return fail(env, "EINVAL", "packets must be an array of Buffers");
  napi_get_array_length(env, argv[1], &n);
  napi_get_array_length(env, argv[2], &nd);
  if (n == 0 || n != nd || n > 4096) return fail(env, "EINVAL", "one destination per packet (1..4096)");
  int32_t ifindex = 0, hop = -1, ipid = 0;
  double interval = 0, delay = 0, lease = 0;
  napi_get_value_int32(env, argv[4], &ifindex);
  napi_get_value_int32(env, argv[5], &hop);
  napi_get_value_double(env, argv[6], &interval);
  napi_get_value_double(env, argv[7], &delay);
  napi_get_value_int32(env, argv[8], &ipid);
  napi_get_value_double(env, argv[9], &lease);
  if (!(interval >= 1)) return fail(env, "EINVAL", "intervalMs must be >= 1");
  if (hop < -1 || hop > 255) return fail(env, "EINVAL", "hopLimit must be -1..255");
  adv_pkt_t *pkts = (adv_pkt_t *)calloc(n, sizeof(adv_pkt_t));
  if (!pkts) return fail(env, "ENOMEM", "out of memory");
  for (uint32_t i = 0; i < n; i++) {
    napi_value b, d;
    napi_get_element(env, argv[1], i, &b);
    napi_get_element(env, argv[2], i, &d);
    bool isbuf = false;
    napi_is_buffer(env, b, &isbuf);
    void *data = NULL;
    size_t len = 0;
    if (isbuf) napi_get_buffer_info(env, b, &data, &len);
    char dst[64];
    size_t dl = 0;
    if (!isbuf || len == 0 || len > MAX_PKT || napi_get_value_string_utf8(env, d, dst, sizeof dst, &dl) != napi_ok) {
      free(pkts);
      return fail(env, "EINVAL", "packets: Buffers of 1..1500 bytes, dsts: address strings");
    }
    memcpy(pkts[i].buf, data, len);
    pkts[i].len = len;
    if (s->family == 4) {
      struct sockaddr_in *a = (struct sockaddr_in *)&pkts[i].to;
      a->sin_family = AF_INET;
      pkts[i].tolen = sizeof *a;
      if (inet_pton(AF_INET, dst, &a->sin_addr) != 1) {
        free(pkts);
        return fail(env, "EINVAL", "dst is not an IPv4 address");
      }
    } else {
      struct sockaddr_in6 *a = (struct sockaddr_in6 *)&pkts[i].to;
      a->sin6_family = AF_INET6;
      pkts[i].tolen = sizeof *a;
      if (inet_pton(AF_INET6, dst, &a->sin6_addr) != 1) {
        free(pkts);
        return fail(env, "EINVAL", "dst is not an IPv6 address");
      }
      if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&a->sin6_addr)) a->sin6_scope_id = (uint32_t)ifindex;
    }
  }
  struct in6_pktinfo pi;
  memset(&pi, 0, sizeof pi);
  int has_pi = 0;
  if (s->family == 6) {
    char src[64];
    size_t sl = 0;
    napi_valuetype t;
    napi_typeof(env, argv[3], &t);
    if (t == napi_string && napi_get_value_string_utf8(env, argv[3], src, sizeof src, &sl) == napi_ok && sl > 0) {
      if (inet_pton(AF_INET6, src, &pi.ipi6_addr) != 1) {
        free(pkts);
        return fail(env, "EINVAL", "src is not an IPv6 address");
      }
      pi.ipi6_ifindex = (unsigned)ifindex;
      has_pi = 1;
    }
  }
  pthread_mutex_lock(&mu);
  adv_pkt_t *old = s->pkts;
  s->pkts = pkts;
  s->npkts = (int)n;
  s->pi = pi;
  s->has_pi = has_pi;
  s->hoplimit = s->family == 6 ? hop : -1;
  s->interval_ns = ms_to_ns(interval);
  int64_t now = mono_ns();
  s->next_ns = now + (delay > 0 ? ms_to_ns(delay) : 0);
  __atomic_store_n(&s->ipid, (uint16_t)ipid, __ATOMIC_RELAXED);
  s->armed = 1;
  __atomic_store_n(&s->expired, 0, __ATOMIC_RELAXED);
  if (lease > 0) __atomic_store_n(&lease_ns, now + ms_to_ns(lease), __ATOMIC_RELEASE);
  pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
  free(old);
  return NULL;
}

static napi_value js_sender_disarm(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return fail(env, "EINVAL", "senderDisarm(handle)");
  sender_t *s = get_sender(env, argv[0]);
  if (!s) return NULL;
  pthread_mutex_lock(&mu);
  s->armed = 0;
  pthread_mutex_unlock(&mu);
  return NULL;
}

static napi_value js_sender_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return fail(env, "EINVAL", "senderClose(handle)");
  sender_t *s = get_sender(env, argv[0]);
  if (!s) return NULL;
  pthread_mutex_lock(&mu);
  s->armed = 0;
  s->closed = 1;
  pthread_mutex_unlock(&mu);
  return NULL;
}

static napi_value js_sender_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], arr, v;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return fail(env, "EINVAL", "senderStats(handle)");
  sender_t *s = get_sender(env, argv[0]);
  if (!s) return NULL;
  /* no lock: the event loop thread must never make the sender wait for it (a JS thread
   * preempted while holding the mutex delayed adverts on a loaded host) */
  double vals[7] = {(double)__atomic_load_n(&s->sent, __ATOMIC_RELAXED), (double)__atomic_load_n(&s->errors, __ATOMIC_RELAXED),
                    (double)__atomic_load_n(&s->last_errno, __ATOMIC_RELAXED), (double)__atomic_load_n(&s->ipid, __ATOMIC_RELAXED),
                    (double)__atomic_load_n(&s->expired, __ATOMIC_RELAXED), (double)__atomic_load_n(&s->late, __ATOMIC_RELAXED),
                    (double)__atomic_load_n(&s->late_max_ns, __ATOMIC_RELAXED) / 1e6};
  napi_create_array_with_length(env, 7, &arr);
  for (uint32_t i = 0; i < 7; i++) {
    napi_create_double(env, vals[i], &v);
    napi_set_element(env, arr, i, v);
  }
  return arr;
}

static napi_value js_sender_lease(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  double ms = 0;
  if (argc < 1 || napi_get_value_double(env, argv[0], &ms) != napi_ok || !(ms > 0)) return fail(env, "EINVAL", "senderLease(ms > 0)");
  /* no lock and no wake-up: the lease is always longer than the interval of a MASTER, so the
   * thread reads the new one at its next advert (and a thread with nothing armed ignores it) */
  __atomic_store_n(&lease_ns, mono_ns() + ms_to_ns(ms), __ATOMIC_RELEASE);
  return NULL;
}

static napi_value js_sender_realtime(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], r;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t prio = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &prio) != napi_ok || prio < 0 || prio > sched_get_priority_max(SCHED_RR))
    return fail(env, "EINVAL", "senderRealtime(priority 0..99)");
  if (ensure_thread(env) < 0) return fail(env, "EAGAIN", "cannot start the advert sender thread");
  int old = rt_prio;
  rt_prio = prio;
  int err = apply_sched();
  if (err) rt_prio = old;
  napi_create_int32(env, err, &r);
  return r;
}

void sender_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"senderOpen", NULL, js_sender_open, NULL, NULL, NULL, napi_default, NULL},
      {"senderArm", NULL, js_sender_arm, NULL, NULL, NULL, napi_default, NULL},
      {"senderDisarm", NULL, js_sender_disarm, NULL, NULL, NULL, napi_default, NULL},
      {"senderClose", NULL, js_sender_close, NULL, NULL, NULL, napi_default, NULL},
      {"senderStats", NULL, js_sender_stats, NULL, NULL, NULL, napi_default, NULL},
      {"senderLease", NULL, js_sender_lease, NULL, NULL, NULL, napi_default, NULL},
      {"senderRealtime", NULL, js_sender_realtime, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
