/**
 * Generators of large keepalived.conf files for the benches and the
 * hostile-input tests. Only documentation addresses (192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and interfaces eth0-eth4.
 * Every generated config is meant to be clean for keepalived 2.2.7
 * (unique virtual servers, unique VRID per interface and family, unique VIPs).
 */
import * as fs from 'node:fs';

export interface BigConfigOptions {
  virtualServers: number;
  realServersPerVs: number;
  vrrpInstances: number;
  /** add a global_defs block (default true) */
  globalDefs?: boolean;
}

const V4_NETS = ['192.0.2', '198.51.100', '203.0.113'];
export const VRRP_INTERFACES = ['eth0', 'eth1', 'eth2', 'eth3', 'eth4'];

/** i-th virtual service address and port: 254 hosts x 3 nets x ports 1024.. */
function vsAddr(i: number): [string, number] {
  const host = (i % 254) + 1;
  const net = V4_NETS[Math.floor(i / 254) % V4_NETS.length]!;
  const port = 1024 + Math.floor(i / (254 * V4_NETS.length));
  return [`${net}.${host}`, port];
}

function vrrpInstance(i: number): string {
  const iface = VRRP_INTERFACES[i % VRRP_INTERFACES.length]!;
  const vrid = (Math.floor(i / VRRP_INTERFACES.length) % 255) + 1;
  // 508 unique IPv4 VIPs, IPv6 after that.
  const vip = i < 508 ? `${V4_NETS[Math.floor(i / 254)]}.${(i % 254) + 1}/24` : `2001:db8:${(i + 1).toString(16)}::10/64`;
  return `vrrp_instance VI_${i} {
    state BACKUP
    interface ${iface}
    virtual_router_id ${vrid}
    priority ${100 + (i % 50)}
    advert_int 1
    virtual_ipaddress {
        ${vip}
    }
}
`;
}

function virtualServer(i: number, rsCount: number): string {
  const [addr, port] = vsAddr(i);
  let rs = '';
  for (let r = 0; r < rsCount; r++) {
    const rsAddr = `203.0.113.${(r % 254) + 1}`;
    const rsPort = 10000 + (i % 50000);
    rs += `    real_server ${rsAddr} ${rsPort} {
        weight ${1 + (r % 5)}
        TCP_CHECK {
            connect_timeout 3
            retry 2
            delay_before_retry 2
        }
    }
`;
  }
  return `virtual_server ${addr} ${port} {
    delay_loop 10
    lb_algo wrr
    lb_kind NAT
    protocol TCP
${rs}}
`;
}

/** Yields the config in chunks (one block each). */
export function* bigConfigChunks(o: BigConfigOptions): Generator<string> {
  if (o.globalDefs !== false) yield 'global_defs {\n    router_id HACTL_BENCH\n}\n';
  for (let i = 0; i < o.vrrpInstances; i++) yield vrrpInstance(i);
  for (let i = 0; i < o.virtualServers; i++) yield virtualServer(i, o.realServersPerVs);
}

/** Write a generated config to `file`; returns its size in bytes. */
export function writeBigConfig(file: string, o: BigConfigOptions): number {
  const fd = fs.openSync(file, 'w');
  let size = 0;
  let buf: string[] = [];
  let bufLen = 0;
  const flush = () => {
    const b = Buffer.from(buf.join(''), 'utf8');
    fs.writeSync(fd, b);
    size += b.length;
    buf = [];
    bufLen = 0;
  };
  try {
    for (const chunk of bigConfigChunks(o)) {
      buf.push(chunk);
      bufLen += chunk.length;
      if (bufLen > 1 << 20) flush();
    }
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return size;
}

/** Number of virtual servers (4 real servers each, no VRRP) that makes a config of about `bytes`. */
export function virtualServersForSize(bytes: number, realServersPerVs = 4): number {
  const one = Buffer.byteLength(virtualServer(123456, realServersPerVs));
  return Math.ceil(bytes / one);
}

/**
 * Write at least `bytes` bytes of a repeated pattern without holding them in
 * memory. Only whole repetitions are written (a line pattern stays whole lines).
 */
export function writeRepeated(file: string, pattern: string, bytes: number): void {
  const unit = Buffer.from(pattern.repeat(Math.max(1, Math.floor((1 << 20) / pattern.length))));
  const one = Buffer.byteLength(pattern);
  const fd = fs.openSync(file, 'w');
  try {
    let left = Math.ceil(bytes / one) * one;
    while (left > 0) {
      const n = Math.min(left, unit.length);
      fs.writeSync(fd, unit, 0, n);
      left -= n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
