import { Flags } from '@oclif/core';
import CheckConfig from './config';

/** `hactl check --config FILE --real-server ADDR:PORT`: the same as `hactl check config`. */
export default class Check extends CheckConfig {
  static override summary = 'Run the checkers keepalived.conf configures for one real server (same as `check config`)';
  static override examples = [
    '<%= config.bin %> check --config /etc/keepalived/keepalived.conf --real-server 192.0.2.10:80',
    '<%= config.bin %> check tcp 192.0.2.10:80',
    '<%= config.bin %> check http 192.0.2.10:80 --path /health --digest 9b3a0c85a887a256d6939da88aabd8cd',
  ];
  static override flags = {
    ...CheckConfig.flags,
    // not required here: without it, `hactl check` explains the checker types
    'real-server': Flags.string({ char: 'r', summary: 'Real server: ADDRESS[:PORT] or [IPv6]:PORT.' }),
  };
}
