import { Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';

/** Handler: src/lib/check/config-cli.ts. */
export default class CheckConfig extends HandledCommand {
  static override summary = 'Run the checkers keepalived.conf configures for one real server';
  static override description = `Reads keepalived.conf, finds the real_server (in every virtual_server, or only in --virtual-server), and runs each of its checkers once, concurrently, with the options keepalived would use (checker, real_server and virtual_server inheritance, keepalived 2.2.7 defaults; warmup is not applied). Answers "why is this real server down?". FILE_CHECK reads its track_file once and judges it as keepalived does at start; BFD_CHECK is listed, not run. The real server is up when every checker is up (as keepalived).

Exit status: 0 all up, 1 a checker is down, 2 bad usage or no such real server.`;
  static override examples = [
    '<%= config.bin %> check config --real-server 192.0.2.10:80',
    '<%= config.bin %> check config -f ./keepalived.conf --real-server 192.0.2.10:80 --virtual-server 198.51.100.1:80',
    '<%= config.bin %> check config --real-server 2001:db8::10 --virtual-server "fwmark 5" --json',
  ];
  static override flags = {
    config: Flags.string({ char: 'f', summary: 'keepalived.conf to read.', default: '/etc/keepalived/keepalived.conf' }),
    'real-server': Flags.string({ char: 'r', summary: 'Real server: ADDRESS[:PORT] or [IPv6]:PORT.', required: true }),
    'virtual-server': Flags.string({ summary: 'Only this virtual server: ADDRESS:PORT, "fwmark N" or "group NAME".' }),
    json: Flags.boolean({ summary: 'Print the results as JSON.' }),
  };
}
