/**
 * Whether this director should announce a VIP now (docs/bgp.md, "When to announce"). Pure: the
 * LVS half's quorum states and the VRRP instances' states in, a verdict with its reason out.
 */
import { parseIp } from '../addr';
import type { VipAnnouncement } from './settings';

/** One keepalived.conf virtual_server on the VIP's address, as the LVS half sees it now. */
export interface VsQuorum {
  /** keepalived's FMT_VS ("[203.0.113.10]:tcp:80") */
  id: string;
  /** undefined: not known yet (the LVS half has not reported) */
  quorumUp: boolean | undefined;
  /** a sorry server is configured and up */
  sorryAlive?: boolean;
}

/** One vrrp_instance whose virtual_ipaddress holds the VIP. */
export interface VrrpHolder {
  instance: string;
  state: 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'STOP' | string;
}

export interface AnnounceInput {
  announcement: VipAnnouncement;
  /** 'unchecked': no health checks run in this process (`vrrp run --vrrp-only`, keepalived -P) */
  virtualServers: VsQuorum[] | 'unchecked';
  vrrp: VrrpHolder[];
  /** vrrp_script results now (name -> up; absent: no such script, or not run yet): for the VIP's track-script */
  scripts?: Readonly<Record<string, boolean | undefined>>;
}

export interface AnnounceVerdict {
  announce: boolean;
  /** one line: why (shown by status, logged on change) */
  reason: string;
}

export function decideAnnounce(inp: AnnounceInput): AnnounceVerdict {
  const a = inp.announcement;
  const no = (reason: string): AnnounceVerdict => ({ announce: false, reason });
  const tracked = a.trackScripts ?? [];
  for (const n of tracked) {
    const up = inp.scripts?.[n];
    if (up !== true) return no(`track_script ${n} is ${up === false ? 'down' : 'not known yet'}`);
  }
  const scripts = tracked.length ? `, track_script ${tracked.join(', ')} up` : '';
  if (inp.virtualServers === 'unchecked') {
    // without health checks only VRRP, or the VIP's own track-scripts, can say this node serves the VIP
    if (a.mode !== 'master-only' && !tracked.length)
      return no("mode active-active needs the virtual servers' quorum or a track-script, and no health checks run here (--vrrp-only)");
    return decideVrrp(a, inp.vrrp, `quorum not checked (--vrrp-only)${scripts}`);
  }
  if (inp.virtualServers.length === 0) return no(`no virtual_server on ${a.vip}: announced but not served`);
  const unknown = inp.virtualServers.filter((v) => v.quorumUp === undefined);
  if (unknown.length) return no(`quorum of ${unknown.map((v) => v.id).join(', ')} not known yet`);
  const down = inp.virtualServers.filter((v) => !v.quorumUp && !(a.sorryServerAnnounces && v.sorryAlive));
  if (down.length) return no(`quorum lost on ${down.map((v) => v.id).join(', ')}`);
  const sorry = inp.virtualServers.filter((v) => !v.quorumUp);
  const served = `${sorry.length ? `quorum (sorry server on ${sorry.map((v) => v.id).join(', ')})` : 'quorum'}${scripts}`;
  return decideVrrp(a, inp.vrrp, served);
}

function decideVrrp(a: VipAnnouncement, vrrp: VrrpHolder[], served: string): AnnounceVerdict {
  const no = (reason: string): AnnounceVerdict => ({ announce: false, reason });
  if (a.mode === 'master-only') {
    if (vrrp.length === 0) return no(`mode master-only but no vrrp_instance holds ${a.vip}`);
    const m = vrrp.find((h) => h.state === 'MASTER');
    if (!m) return no(`mode master-only: ${vrrp.map((h) => `${h.instance} is ${h.state}`).join(', ')}`);
    return { announce: true, reason: `${served}, ${m.instance} is MASTER` };
  }
  const fault = vrrp.filter((h) => h.state === 'FAULT');
  if (fault.length) return no(`mode active-active: ${fault.map((h) => h.instance).join(', ')} is FAULT`);
  return { announce: true, reason: `${served}, mode active-active` };
}

/** The address of a virtual server from keepalived's FMT_VS id ("[203.0.113.10]:tcp:80"); undefined for fwmark and group ids. */
export function vsAddress(id: string): string | undefined {
  const m = /^\[([^\]]+)\]:/.exec(id);
  return m ? parseIp(m[1])?.text : undefined;
}
