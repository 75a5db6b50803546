/**
 * Host side, before the IPVS VM boots: copies the tunnel kernel modules the
 * guest does not load at boot (ipip, ip6_tunnel and their dependencies) from
 * the VM's unpacked kernel package into ROOT/dist/vm-modules/ (git-ignored), so
 * that with --copy they reach the guest at /work/dist/vm-modules/. The guest
 * test (guest/arp-tun.test.ts) insmods them in the order of `load-order.txt`.
 * Dependencies come from modules.dep of that tree (post-order: deps first).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED } from '../helpers/cli';

export const VM_MODULES = ['ipip', 'ip6_tunnel'];
export const ORDER_FILE = 'load-order.txt';

export interface VmModulesResult {
  dir: string;
  /** kernel release the modules are for */
  kver?: string;
  /** file names in insmod order */
  order: string[];
  /** why nothing was copied (the guest test then skips with it) */
  skip?: string;
}

/** The modules tree of the VM kernel: $IPVS_VM_CACHE/kernel/<pkg>/lib/modules/<kver>. */
export function vmModuleTree(cache = process.env.IPVS_VM_CACHE || '/var/cache/ipvs-vm'): string | undefined {
  const kdir = path.join(cache, 'kernel');
  let pkgs: string[];
  try {
    pkgs = fs.readdirSync(kdir).sort();
  } catch {
    return undefined;
  }
  const want = process.env.IPVS_VM_KERNEL_PKG;
  const pkg = want && pkgs.includes(want) ? want : pkgs.filter((p) => p.startsWith('linux-image-')).pop();
  if (!pkg) return undefined;
  const mdir = path.join(kdir, pkg, 'lib', 'modules');
  const kvers = fs.existsSync(mdir) ? fs.readdirSync(mdir).filter((k) => fs.existsSync(path.join(mdir, k, 'modules.dep'))) : [];
  return kvers.length ? path.join(mdir, kvers.sort().pop()!) : undefined;
}

/** Module name of a modules.dep path ("kernel/net/ipv4/ip_tunnel.ko.xz" -> "ip_tunnel"). */
const modName = (p: string) => path.basename(p).replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');

/** Insmod order (dependencies first) of `wanted`, from modules.dep text. Throws for an unknown module. */
export function loadOrder(modulesDep: string, wanted: string[]): string[] {
  const deps = new Map<string, { file: string; deps: string[] }>();
  for (const line of modulesDep.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line.trim());
    if (m) deps.set(modName(m[1]), { file: m[1], deps: m[2].split(/\s+/).filter(Boolean) });
  }
  const out: string[] = [];
  const visit = (name: string, stack: string[]) => {
    const e = deps.get(name);
    if (!e) throw new Error(`module ${name} is not in modules.dep`);
    if (out.includes(e.file) || stack.includes(name)) return;
    for (const d of e.deps) visit(modName(d), [...stack, name]);
    out.push(e.file);
  };
  for (const w of wanted) visit(w, []);
  return out;
}

/**
 * Copy (decompressing if needed) the modules into ROOT/dist/vm-modules. Never
 * throws: `skip` says why not. On a fresh machine the kernel is not unpacked
 * yet: then `run-in-vm.sh --build-only` (the harness's first-run step) does it.
 */
export function prepareVmModules(root: string, tree = vmModuleTree(), harness = path.join(SHARED, 'ipvs-vm', 'run-in-vm.sh')): VmModulesResult {
  const dir = path.join(root, 'dist', 'vm-modules');
  fs.rmSync(dir, { recursive: true, force: true });
  if (!tree && fs.existsSync(harness)) {
    spawnSync(harness, ['--build-only'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
    tree = vmModuleTree();
  }
  if (!tree) return { dir, order: [], skip: 'the VM kernel module tree was not found under /var/cache/ipvs-vm/kernel (run the VM once)' };
  try {
    const order = loadOrder(fs.readFileSync(path.join(tree, 'modules.dep'), 'utf8'), VM_MODULES);
    fs.mkdirSync(dir, { recursive: true });
    const names: string[] = [];
    for (const rel of order) {
      const src = path.join(tree, rel);
      const name = `${modName(rel)}.ko`;
      if (rel.endsWith('.ko')) fs.copyFileSync(src, path.join(dir, name));
      else {
        const tool = rel.endsWith('.xz') ? 'xz' : rel.endsWith('.zst') ? 'zstd' : 'gzip';
        const r = spawnSync(tool, ['-dc', src], { maxBuffer: 64 << 20 });
        if (r.status !== 0) throw new Error(`${tool} -dc ${src} failed: ${r.stderr?.toString() ?? r.error}`);
        fs.writeFileSync(path.join(dir, name), r.stdout);
      }
      names.push(name);
    }
    const kver = path.basename(tree);
    fs.writeFileSync(path.join(dir, ORDER_FILE), `# kernel ${kver}\n${names.join('\n')}\n`);
    return { dir, kver, order: names };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { dir, order: [], skip: `cannot copy the tunnel modules: ${(e as Error).message}` };
  }
}
