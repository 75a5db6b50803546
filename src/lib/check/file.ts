/** FILE_CHECK's I/O: read a track_file as keepalived does (at most 127 bytes, non-blocking). The status rules are ./track-file (pure). */
import * as fs from 'node:fs';

/** Reads a track file: its text, or undefined when missing or unreadable. */
export type TrackFileReader = (path: string) => string | undefined;

export function readTrackFile(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const buf = Buffer.alloc(127);
    const n = fs.readSync(fd, buf, 0, 127, null);
    return buf.subarray(0, n).toString('latin1');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
