/**
 * The daemons' control socket protocol: a unix stream socket, one request
 * line in, one JSON document out. Shared by the VRRP daemon and its LVS half.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/**
 * What a request line gets: `answers[line]()`, or for `VERB ARG` `answers[VERB](ARG)`; an answer
 * may be a promise (a reload). Unknown requests get `{"error": ...}`, and so does an answer that throws.
 */
export type LineAnswers = Record<string, (arg?: string) => unknown>;

/**
 * Serve `answers` as JSON on the unix socket `p` (a stale socket file is
 * replaced; its directory is created).
 */
export function serveLineJson(p: string, answers: LineAnswers): net.Server {
  try {
    if (fs.statSync(p).isSocket()) fs.unlinkSync(p);
  } catch {
    /* absent */
  }
  try {
    fs.mkdirSync(path.dirname(p), { recursive: true });
  } catch {
    /* reported by listen */
  }
  const srv = net.createServer((c) => {
    let buf = '';
    let answered = false;
    c.setEncoding('utf8');
    c.on('data', (d) => {
      if (answered) return;
      buf += d;
      if (!buf.includes('\n')) return;
      answered = true;
      const cmd = buf.split('\n')[0].trim();
      const sp = cmd.indexOf(' ');
      const [verb, arg] = Object.hasOwn(answers, cmd) || sp < 0 ? [cmd, undefined] : [cmd.slice(0, sp), cmd.slice(sp + 1)];
      const answer = Object.hasOwn(answers, verb) ? answers[verb] : undefined;
      if (!answer) {
        c.end(`${JSON.stringify({ error: `unknown request "${cmd.slice(0, 40)}"` })}\n`);
        return;
      }
      c.setTimeout(0);
      new Promise((resolve) => resolve(answer(arg))).then(
        (v) => c.end(`${JSON.stringify(v)}\n`),
        (e: unknown) => c.end(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`),
      );
    });
    c.on('error', () => {});
    c.setTimeout(5000, () => c.destroy());
  });
  srv.listen(p);
  return srv;
}

/** A bound control socket: close() stops serving and removes the socket file only while it is still ours. */
export interface OwnedServer {
  readonly server: net.Server;
  close(): void;
}

/** True when something accepts connections on the unix socket `p` (a live daemon). */
export function socketAnswers(p: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.createConnection(p);
    const done = (v: boolean) => {
      clearTimeout(t);
      c.destroy();
      resolve(v);
    };
    // a listener whose backlog is full does not answer in time either: it is alive
    const t = setTimeout(() => done(true), timeoutMs);
    c.on('connect', () => done(true));
    c.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'EAGAIN'));
  });
}

/**
 * Serve `answers` on `p` as serveLineJson does, but never take a socket from a
 * live daemon: refuses (rejects with `refuse(p)`) when one answers there, replaces
 * only a dead socket file, and resolves once listening (a bind error rejects).
 */
export async function bindLineJson(p: string, answers: LineAnswers, refuse: (p: string) => Error): Promise<OwnedServer> {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(p);
  } catch {
    st = undefined;
  }
  if (st) {
    if (!st.isSocket()) throw new Error(`${p} exists and is not a socket`);
    if (await socketAnswers(p)) throw refuse(p);
  }
  const srv = serveLineJson(p, answers);
  await new Promise<void>((resolve, reject) => {
    srv.once('listening', () => resolve());
    srv.once('error', reject);
  });
  const ino = fs.statSync(p).ino;
  let open = true;
  return {
    server: srv,
    close() {
      if (!open) return;
      open = false;
      srv.close();
      try {
        if (fs.lstatSync(p).ino === ino) fs.unlinkSync(p);
      } catch {
        /* gone */
      }
    },
  };
}

/** Send one request line to `p` and parse the JSON answer. Rejects on timeout, connection errors and bad JSON. */
export function queryLineJson(p: string, request: string, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const c = net.createConnection(p);
    let buf = '';
    const t = setTimeout(() => {
      c.destroy();
      reject(new Error(`no answer from ${p} within ${timeoutMs} ms`));
    }, timeoutMs);
    c.setEncoding('utf8');
    c.on('connect', () => c.write(`${request}\n`));
    c.on('data', (d) => {
      buf += d;
    });
    c.on('end', () => {
      clearTimeout(t);
      try {
        resolve(JSON.parse(buf));
      } catch {
        reject(new Error(`bad answer from ${p}`));
      }
    });
    c.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

/** A daemon's `status` answer on its control socket (rejects with the daemon's own error sentence, when it gives one). */
export async function queryStatus<T>(p: string, timeoutMs = 3000): Promise<T> {
  const j = (await queryLineJson(p, 'status', timeoutMs)) as T & { error?: string };
  if (j.error) throw new Error(j.error);
  return j;
}
