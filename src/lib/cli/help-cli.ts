/** Help on stdout: bin/hactl's answer to --help and `hactl help ...` (./main decides which text, ./help renders it). */
export function printHelp(text: string): number {
  (require('./stdio-cli') as typeof import('./stdio-cli')).writeStdout(text);
  return 0;
}
