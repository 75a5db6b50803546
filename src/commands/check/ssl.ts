import { Flags } from '@oclif/core';
import { HandledCommand } from '../../lib/cli/base';
import { commonFlags, httpFlags, outputFlags, retryFlags, sslFileFlags, targetArg } from '../../flags/check';

export default class CheckSsl extends HandledCommand {
  static override summary = 'Run an SSL_GET check once';
  static override description = `Like HTTP_GET over TLS (no certificate verification, as keepalived). --enable-sni sends the virtual host as SNI.

Exit status: 0 up, 1 down, 2 bad usage.`;
  static override examples = [
    '<%= config.bin %> check ssl 192.0.2.10:443 --path /health',
    '<%= config.bin %> check ssl 192.0.2.10 --virtualhost www.example.com --enable-sni --path /',
    '<%= config.bin %> check ssl 192.0.2.10:443 --certificate /etc/keepalived/client.pem --key /etc/keepalived/client.key',
  ];
  static override args = targetArg;
  static override flags = {
    ...httpFlags,
    'enable-sni': Flags.boolean({ summary: 'enable_sni: send the virtualhost as SNI.' }),
    ...sslFileFlags,
    ...commonFlags,
    ...retryFlags,
    ...outputFlags,
  };
}
