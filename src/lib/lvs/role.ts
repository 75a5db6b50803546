/**
 * What `hactl vrrp run` decides about the LVS half before starting anything: where it runs
 * (lvsRole) and its spec from the parsed model (lvsSpecFromModel, for reload plans). Kept out
 * of ./daemon so that a VRRP-only start does not load the LVS half's checkers, reconciler and
 * IPVS client (~30 ms of module loading before the first advert, issue 16's cold start);
 * ./daemon re-exports both.
 */
import { nodeHostProbe } from '../conf/host-probe';
import { type LoadResult, loadConfig } from '../conf/index';
import type { KeepalivedConfig } from '../conf/model';
import { defaultScriptUser } from '../proc/user';
import { lvsSpecFromConfig } from './from-config';

/** `vrrp run`'s flags that the LVS half reads (./daemon re-exports this). */
export interface LvsHalfFlags {
  file: string;
  'config-id'?: string;
  'control-socket'?: string;
  'pid-file'?: string;
  'checkers-pid'?: string;
  'log-format'?: string;
  metrics?: string;
  'lvs-only'?: boolean;
  'vrrp-only'?: boolean;
  'dont-release-ipvs'?: boolean;
}

/** The LVS half's spec from a parsed keepalived.conf (its default script user applied as keepalived does). */
export function lvsSpecFromModel(model: KeepalivedConfig, userExists = nodeHostProbe().userExists) {
  // keepalived's default script user (src/lib/proc/user): with enable_script_security it is
  // keepalived_script even when that user does not exist, and the scripts then do not run
  const g = model.global_defs;
  const su = defaultScriptUser(g, userExists);
  if (!g.script_user && su) g.script_user = { user: su.user, pos: g.pos };
  return lvsSpecFromConfig(model);
}

/**
 * Where the LVS half of `vrrp run` runs: 'here' (--lvs-only, or virtual servers without any
 * vrrp_instance), 'child' (both: a child process), 'none' (--vrrp-only, no virtual servers,
 * or a configuration with errors, which the VRRP half reports and refuses). `loaded`: the
 * file already parsed by the caller (it is parsed once per start).
 */
export function lvsRole(flags: LvsHalfFlags, loaded?: LoadResult): 'here' | 'child' | 'none' {
  if (flags['vrrp-only']) return 'none';
  if (flags['lvs-only']) return 'here';
  const r = loaded ?? loadConfig(flags.file, { configId: flags['config-id'] });
  if (r.fatal || r.diagnostics.some((d) => d.severity === 'error')) return 'none';
  const hasVs = (r.model?.virtual_servers?.length ?? 0) > 0;
  const hasVrrp = (r.model?.vrrp_instances?.length ?? 0) > 0;
  if (!hasVs) return 'none';
  return hasVrrp ? 'child' : 'here';
}
