/**
 * Output of the short-lived commands on fd 1 and 2 without creating
 * process.stdout / process.stderr: for a pipe (`$(hactl ...)`, the usual case in
 * scripts) node builds a net.Socket, loading net and the stream modules, ~3 ms
 * of each run (issue 11, start-up). On Linux those streams write synchronously
 * to pipes, files and TTYs anyway, so a write(2) here keeps the same order and
 * bytes. Once anything but a full write happens (a non-blocking fd answering
 * EAGAIN, an unexpected error), that fd goes through the process stream from
 * then on, as before. A reader that went away (EPIPE) ends the output silently,
 * like a Unix tool, instead of an unhandled 'error' event with a stack trace.
 */
import * as fs from 'node:fs';

type Fd = 1 | 2;

/** per fd: 'sync' (write(2) here), 'stream' (fell back to process.stdout/stderr), 'closed' (EPIPE) */
const mode: Record<Fd, 'sync' | 'stream' | 'closed'> = { 1: 'sync', 2: 'sync' };

function stream(fd: Fd): NodeJS.WriteStream {
  return fd === 1 ? process.stdout : process.stderr;
}

/** Write all of `text` to `fd`. */
export function writeFd(fd: Fd, text: string): void {
  if (mode[fd] === 'closed' || text === '') return;
  if (mode[fd] === 'stream') {
    stream(fd).write(text);
    return;
  }
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  try {
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') {
      mode[fd] = 'closed';
      return;
    }
    mode[fd] = 'stream';
    stream(fd).write(buf.subarray(off));
  }
}

export const writeStdout = (text: string): void => writeFd(1, text);
export const writeStderr = (text: string): void => writeFd(2, text);

/**
 * Whether fd 1 or 2 is a terminal (what process.stdout.isTTY says, without creating the
 * stream). A pipe or a file is told by fstat alone: node:tty loads net and the stream
 * modules, which only a character device (a terminal, /dev/null) makes worth asking.
 */
export function isTTY(fd: Fd): boolean {
  try {
    if (!fs.fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return (require('node:tty') as typeof import('node:tty')).isatty(fd);
}
