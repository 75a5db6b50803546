/**
 * FileReader backed by node:fs (the thin I/O adapter of the config engine).
 * Globs are expanded by walking only the directories the pattern needs.
 */
import * as fs from 'node:fs';
import { type FileReader, globToRegExp, hasGlob } from './reader';

function globWalk(pattern: string, missed?: { count: number }): string[] {
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let current: string[] = [pattern.startsWith('/') ? '/' : '.'];
  const start = pattern.startsWith('/') ? 1 : 0;
  for (let i = start; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const dir of current) {
      const join = (n: string) => (dir === '/' ? `/${n}` : `${dir}/${n}`);
      if (!hasGlob(part)) {
        const p = join(part);
        if (last ? fs.existsSync(p) : isDir(p)) next.push(p);
        else if (missed) missed.count++;
        continue;
      }
      const re = globToRegExp(part);
      let names: string[] = [];
      try {
        names = fs.readdirSync(dir);
      } catch {
        if (missed) missed.count++;
        continue;
      }
      for (const n of names.sort()) {
        if (n.startsWith('.') && !part.startsWith('.')) continue;
        if (!re.test(n)) continue;
        const p = join(n);
        if (last || isDir(p)) next.push(p);
      }
    }
    current = next;
    if (current.length > 10000) break;
  }
  return current.sort();
}

function fileKind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export const nodeReader: FileReader = {
  read(path, maxBytes) {
    let fd: number | undefined;
    try {
      const st = fs.statSync(path);
      if (st.isDirectory()) return { ok: false, code: 'EISDIR', message: 'is a directory' };
      // Decided by type before any open(): opening a FIFO blocks until a writer comes, and a device
      // can be endless. keepalived's read_conf_file skips these and executable files alike.
      if (!st.isFile()) return { ok: false, code: 'ENOTREG', message: `not a regular file (${fileKind(st)})` };
      if (st.mode & 0o111) return { ok: false, code: 'ENOTREG', message: 'an executable file' };
      if (st.isFile() && st.size > maxBytes) return { ok: false, code: 'ETOOBIG', message: `larger than ${maxBytes} bytes` };
      fd = fs.openSync(path, 'r');
      if (st.isFile() && st.size > 0) {
        // A regular file: one read into a buffer of its size (no chunks to join), unless it grew meanwhile.
        const whole = Buffer.allocUnsafe(st.size);
        let got = 0;
        while (got < st.size) {
          const k = fs.readSync(fd, whole, got, st.size - got, null);
          if (k <= 0) break;
          got += k;
        }
        const probe = Buffer.allocUnsafe(1);
        if (got < st.size) return { ok: true, data: whole.subarray(0, got) };
        if (fs.readSync(fd, probe, 0, 1, null) === 0) return { ok: true, data: whole };
        // It grew: read the rest the general way.
        const rest = Buffer.allocUnsafe(1 << 20);
        const chunks: Buffer[] = [whole, Buffer.from(probe)];
        let total = got + 1;
        for (;;) {
          if (total > maxBytes) return { ok: false, code: 'ETOOBIG', message: `larger than ${maxBytes} bytes` };
          const k = fs.readSync(fd, rest, 0, rest.length, null);
          if (k <= 0) break;
          total += k;
          chunks.push(Buffer.from(rest.subarray(0, k)));
        }
        if (total > maxBytes) return { ok: false, code: 'ETOOBIG', message: `larger than ${maxBytes} bytes` };
        return { ok: true, data: Buffer.concat(chunks, total) };
      }
      const chunks: Buffer[] = [];
      let total = 0;
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, null);
        if (n <= 0) break;
        total += n;
        if (total > maxBytes) return { ok: false, code: 'ETOOBIG', message: `larger than ${maxBytes} bytes` };
        chunks.push(Buffer.from(buf.subarray(0, n)));
      }
      return { ok: true, data: Buffer.concat(chunks, total) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, code: 'ENOENT', message: 'no such file or directory' };
      if (code === 'EACCES' || code === 'EPERM') return { ok: false, code: 'EACCES', message: 'permission denied' };
      if (code === 'EISDIR') return { ok: false, code: 'EISDIR', message: 'is a directory' };
      return { ok: false, code: 'EOTHER', message: (e as Error).message };
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  },
  glob: globWalk,
  cwd: () => process.cwd(),
};
