/** Help on stdout: bin/hactl's answer to --help and `hactl help ...` (./main decides which text, ./help renders it). */
export function printHelp(text: string): number {
  process.stdout.write(text);
  return 0;
}
