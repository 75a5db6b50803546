/*
 * hactl-watchdog: the VRRP daemon's dead-man switch (src/lib/daemon/watchdog.ts).
 *
 * `hactl vrrp run` starts it with a pipe on its stdin and writes, on every change of its set
 * of MASTER instances, a plan: what to do should the daemon die without saying goodbye
 * (priority-0 adverts, ready encoded; VIPs to remove; nftables batches). When the pipe closes
 * without a "bye" frame (the daemon was SIGKILLed or crashed: the kernel closes its fds), it
 * runs the plan once (adverts first: the backup takes over after Skew_Time instead of the
 * master-down interval) and exits. A "bye" (clean stop: the daemon did all that itself) makes it
 * exit at once. It ignores SIGTERM/SIGINT/SIGHUP: a signal to the whole group (systemctl stop,
 * Ctrl-C) reaches the daemon, whose stop ends with "bye".
 *
 * Plain C, no dependencies: a few hundred KiB of memory for the daemon's lifetime, where a
 * Node process would take ~40 MiB.
 *
 * Frames on stdin: u32le length, then `length` bytes: 'B' (bye) or 'P' followed by actions:
 * u8 kind, u32le length, body:
 *   1 IPv4 advert: u8 ifname length, ifname, 4-byte destination, the whole IPv4 packet (IP_HDRINCL)
 *   2 IPv6 advert: u8 ifname length, ifname, 16-byte source, 16-byte destination, the VRRP message
 *   3 address:     u8 ifname length, ifname, u8 family (4|6), u8 prefix, 4|16 address bytes
 *   4 nf_tables:   one batch for a NETLINK_NETFILTER socket
 *   5 rtnetlink:   u8 ifname length (0: none), ifname, u32le offset where the interface's index
 *                  goes (0xffffffff: none), one request (RTM_DELROUTE, RTM_DELRULE)
 *   6 link:        u8 ifname length, ifname: a use_vmac macvlan of the daemon's, deleted last
 *                  (RTM_DELLINK), as the daemon's clean stop deletes it (BACKUP instances' too)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef NETLINK_NETFILTER
#define NETLINK_NETFILTER 12
#endif

static unsigned char *plan;
static uint32_t plan_len;

static int read_full(void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(0, (char *)buf + got, n - got);
    if (r == 0) return 0;
    if (r < 0) {
      if (errno == EINTR) continue;
      return 0;
    }
    got += (size_t)r;
  }
  return 1;
}

static uint32_t le32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* ifname from a length-prefixed field; returns bytes used or 0 */
static size_t ifname_at(const unsigned char *p, size_t n, char out[IF_NAMESIZE]) {
  if (n < 1 || p[0] == 0 || p[0] >= IF_NAMESIZE || (size_t)p[0] + 1 > n) return 0;
  memcpy(out, p + 1, p[0]);
  out[p[0]] = 0;
  return (size_t)p[0] + 1;
}

static int send_v4(const unsigned char *b, size_t n) {
  char ifn[IF_NAMESIZE];
  size_t k = ifname_at(b, n, ifn);
  if (!k || n < k + 4 + 20) return -1;
  int s = socket(AF_INET, SOCK_RAW, 112);
  if (s < 0) return -1;
  int one = 1;
  setsockopt(s, IPPROTO_IP, IP_HDRINCL, &one, sizeof one);
  setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifn, (socklen_t)strlen(ifn));
  struct ip_mreqn mr;
  memset(&mr, 0, sizeof mr);
  mr.imr_ifindex = (int)if_nametoindex(ifn);
  setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr);
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  memcpy(&to.sin_addr, b + k, 4);
  ssize_t r = sendto(s, b + k + 4, n - k - 4, 0, (struct sockaddr *)&to, sizeof to);
  close(s);
  return r < 0 ? -1 : 0;
}

static int send_v6(const unsigned char *b, size_t n) {
  char ifn[IF_NAMESIZE];
  size_t k = ifname_at(b, n, ifn);
  if (!k || n < k + 32 + 8) return -1;
  unsigned idx = if_nametoindex(ifn);
  int s = socket(AF_INET6, SOCK_RAW, 112);
  if (s < 0) return -1;
  int hops = 255;
  setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
  setsockopt(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops);
  int ii = (int)idx;
  setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ii, sizeof ii);
  setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifn, (socklen_t)strlen(ifn));
  struct sockaddr_in6 from;
  memset(&from, 0, sizeof from);
  from.sin6_family = AF_INET6;
  memcpy(&from.sin6_addr, b + k, 16);
  from.sin6_scope_id = idx;
  /* the checksum covers this source: without it the kernel would pick another */
  if (bind(s, (struct sockaddr *)&from, sizeof from) < 0) {
    close(s);
    return -1;
  }
  struct sockaddr_in6 to;
  memset(&to, 0, sizeof to);
  to.sin6_family = AF_INET6;
  memcpy(&to.sin6_addr, b + k + 16, 16);
  to.sin6_scope_id = idx;
  ssize_t r = sendto(s, b + k + 32, n - k - 32, 0, (struct sockaddr *)&to, sizeof to);
  close(s);
  return r < 0 ? -1 : 0;
}

static int nl_open(int proto) {
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
  if (s < 0) return -1;
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof sa);
  sa.nl_family = AF_NETLINK;
  if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
    close(s);
    return -1;
  }
  struct timeval tv = {0, 300000};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return s;
}

/* send one request and read its answer (the ACK or error); 0 done, -1 refused or no answer */
static int nl_request(int s, const void *msg, size_t n) {
  struct sockaddr_nl to;
  memset(&to, 0, sizeof to);
  to.nl_family = AF_NETLINK;
  if (sendto(s, msg, n, 0, (struct sockaddr *)&to, sizeof to) < 0) return -1;
  char buf[8192];
  int res = -1;
  for (;;) {
    ssize_t r = recv(s, buf, sizeof buf, MSG_DONTWAIT);
    if (r <= 0) {
      if (r < 0 && errno == EAGAIN) {
        /* wait for the answer once (SO_RCVTIMEO) */
        r = recv(s, buf, sizeof buf, 0);
        if (r <= 0) break;
      } else
        break;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)r); h = NLMSG_NEXT(h, r)) {
      if (h->nlmsg_type == NLMSG_ERROR) {
        struct nlmsgerr *e = (struct nlmsgerr *)NLMSG_DATA(h);
        res = e->error == 0 ? 0 : -1;
      }
    }
    break;
  }
  return res;
}

static int del_addr(int s, const unsigned char *b, size_t n) {
  char ifn[IF_NAMESIZE];
  size_t k = ifname_at(b, n, ifn);
  if (!k || n < k + 2) return -1;
  int fam = b[k] == 6 ? AF_INET6 : AF_INET;
  size_t alen = fam == AF_INET6 ? 16 : 4;
  if (n < k + 2 + alen) return -1;
  unsigned idx = if_nametoindex(ifn);
  if (!idx) return -1;
  struct {
    struct nlmsghdr h;
    struct ifaddrmsg a;
    char attrs[2 * RTA_SPACE(16)];
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_type = RTM_DELADDR;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  req.h.nlmsg_seq = 1;
  req.a.ifa_family = (unsigned char)fam;
  req.a.ifa_prefixlen = b[k + 1];
  req.a.ifa_index = idx;
  size_t len = NLMSG_LENGTH(sizeof req.a);
  unsigned short types[2] = {IFA_LOCAL, IFA_ADDRESS};
  for (int i = 0; i < 2; i++) {
    struct rtattr *ra = (struct rtattr *)((char *)&req + NLMSG_ALIGN(len));
    ra->rta_type = types[i];
    ra->rta_len = (unsigned short)RTA_LENGTH(alen);
    memcpy(RTA_DATA(ra), b + k + 2, alen);
    len = NLMSG_ALIGN(len) + RTA_SPACE(alen);
  }
  req.h.nlmsg_len = (uint32_t)len;
  return nl_request(s, &req, len);
}

static int rtnl_msg(int s, const unsigned char *b, size_t n) {
  char ifn[IF_NAMESIZE] = "";
  size_t k = 1;
  if (n < 1) return -1;
  if (b[0]) {
    k = ifname_at(b, n, ifn);
    if (!k) return -1;
  }
  if (n < k + 4 + sizeof(struct nlmsghdr)) return -1;
  uint32_t at = le32(b + k);
  size_t len = n - k - 4;
  unsigned char *msg = malloc(len);
  if (!msg) return -1;
  memcpy(msg, b + k + 4, len);
  if (at != 0xffffffffu) {
    uint32_t idx = if_nametoindex(ifn);
    if (!idx || at > len - 4) {
      free(msg);
      return -1;
    }
    memcpy(msg + at, &idx, 4);
  }
  int r = nl_request(s, msg, len);
  free(msg);
  return r;
}

/* an interface request (RTM_GETLINK, RTM_DELLINK) for interface `idx` */
struct link_req {
  struct nlmsghdr h;
  struct ifinfomsg i;
};
static void link_req_init(struct link_req *req, unsigned short type, unsigned short flags, unsigned idx) {
  memset(req, 0, sizeof *req);
  req->h.nlmsg_len = NLMSG_LENGTH(sizeof req->i);
  req->h.nlmsg_type = type;
  req->h.nlmsg_flags = flags;
  req->h.nlmsg_seq = type;
  req->i.ifi_family = AF_UNSPEC;
  req->i.ifi_index = (int)idx;
}

/* RTM_GETLINK: is interface `idx` a macvlan (IFLA_LINKINFO / IFLA_INFO_KIND "macvlan")? */
static int is_macvlan(int s, unsigned idx) {
  struct link_req req;
  link_req_init(&req, RTM_GETLINK, NLM_F_REQUEST, idx);
  struct sockaddr_nl to;
  memset(&to, 0, sizeof to);
  to.nl_family = AF_NETLINK;
  if (sendto(s, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0) return 0;
  static char buf[16384];
  ssize_t r = recv(s, buf, sizeof buf, 0);
  if (r <= 0) return 0;
  for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)r); h = NLMSG_NEXT(h, r)) {
    if (h->nlmsg_type != RTM_NEWLINK) continue;
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    if ((unsigned)ifi->ifi_index != idx) continue;
    int len = (int)IFLA_PAYLOAD(h);
    for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
      if ((a->rta_type & 0x3fff) != IFLA_LINKINFO) continue;
      int ilen = (int)RTA_PAYLOAD(a);
      for (struct rtattr *b = RTA_DATA(a); RTA_OK(b, ilen); b = RTA_NEXT(b, ilen))
        if ((b->rta_type & 0x3fff) == IFLA_INFO_KIND && RTA_PAYLOAD(b) >= 7 && memcmp(RTA_DATA(b), "macvlan", 7) == 0) return 1;
    }
  }
  return 0;
}

/* a macvlan of the daemon's: only a macvlan (IFLA_INFO_KIND) is deleted; 0 done */
static int del_link(int s, const unsigned char *b, size_t n) {
  char ifn[IF_NAMESIZE];
  size_t k = ifname_at(b, n, ifn);
  if (!k) return -1;
  unsigned idx = if_nametoindex(ifn);
  if (!idx || !is_macvlan(s, idx)) return -1;
  struct link_req req;
  link_req_init(&req, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, idx);
  return nl_request(s, &req, req.h.nlmsg_len);
}

/* run the actions of one pass: adverts (1, 2); then addresses, routes/rules, nft (3, 5, 4); then links (6) */
static void run(int pass, int *sent, int *removed, int *removed_links) {
  int rt = -1, nf = -1;
  size_t off = 1;
  while (off + 5 <= plan_len) {
    unsigned kind = plan[off];
    uint32_t n = le32(plan + off + 1);
    const unsigned char *b = plan + off + 5;
    if (n > plan_len - off - 5) break;
    off += 5 + n;
    if (pass == 1 && kind == 1) *sent += send_v4(b, n) == 0;
    else if (pass == 1 && kind == 2)
      *sent += send_v6(b, n) == 0;
    else if (pass == 2 && kind == 3) {
      if (rt < 0) rt = nl_open(NETLINK_ROUTE);
      if (rt >= 0) *removed += del_addr(rt, b, n) == 0;
    } else if (pass == 2 && kind == 5) {
      if (rt < 0) rt = nl_open(NETLINK_ROUTE);
      if (rt >= 0) rtnl_msg(rt, b, n);
    } else if (pass == 2 && kind == 4) {
      if (nf < 0) nf = nl_open(NETLINK_NETFILTER);
      if (nf >= 0) nl_request(nf, b, n);
    } else if (pass == 3 && kind == 6) {
      if (rt < 0) rt = nl_open(NETLINK_ROUTE);
      if (rt >= 0) *removed_links += del_link(rt, b, n) == 0;
    }
  }
  if (rt >= 0) close(rt);
  if (nf >= 0) close(nf);
}

int main(void) {
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  for (;;) {
    unsigned char hdr[4];
    if (!read_full(hdr, 4)) break;
    uint32_t n = le32(hdr);
    if (n == 0 || n > (16u << 20)) break;
    unsigned char *f = malloc(n);
    if (!f) break;
    if (!read_full(f, n)) {
      free(f);
      break;
    }
    if (f[0] == 'B') return 0;
    if (f[0] == 'P') {
      free(plan);
      plan = f;
      plan_len = n;
    } else
      free(f);
  }
  /* the daemon is gone without a goodbye */
  if (!plan || plan_len <= 1) return 0;
  int sent = 0, removed = 0, links = 0;
  run(1, &sent, &removed, &links);
  run(2, &sent, &removed, &links);
  run(3, &sent, &removed, &links);
  fprintf(stderr, "hactl-watchdog[%d]: the VRRP daemon died without stopping; sent %d priority-0 advert(s), removed %d virtual address(es) and %d vmac interface(s)\n",
          (int)getpid(), sent, removed, links);
  return 1;
}
