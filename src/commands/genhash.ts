import { Flags } from '@oclif/core';
import { HandledCommand } from '../lib/cli/base';

export default class Genhash extends HandledCommand {
  static override summary = 'Compute the MD5 digest of a page for HTTP_GET/SSL_GET (keepalived genhash)';
  static override description = `Fetches URL from SERVER:PORT exactly as keepalived's HTTP_GET/SSL_GET checker does (GET ... HTTP/1.0, User-Agent: KeepAliveClient, Host: SERVER:PORT or the virtual host) and prints the MD5 of the body, the line to paste into a url { digest ... } block. Same request bytes and same output line as keepalived 2.2.7's genhash: the body is hashed as received (chunked encoding is not decoded, redirects are not followed), truncated at Content-Length when the server sends one, read until the server closes; the response header must end within the first 4095 bytes (keepalived's read buffer), otherwise the result is "no data received from remote webserver", as keepalived's HTTP_GET checker would see it.

Differences from keepalived's genhash:
  - exit status 1 when no digest could be computed (connection failed, timeout, no HTTP header); keepalived's genhash exits 0 even then. The failure line is the same as keepalived's.
  - -s also takes a host name (resolved once; the Host header then carries the resolved address unless -V is given, as keepalived's checker would send for that real server).
  - -t defaults to 5 seconds (keepalived's genhash has no default timeout); like keepalived it bounds the connect, the TLS handshake and each wait for data, not the whole transfer.
  - -v prints a readable dump (request, status, headers, body excerpt, timing) instead of hex; --json prints status, headers, digest and timing as JSON.
  - -m FWMARK sets SO_MARK on the connection (as keepalived's genhash) through hactl's native addon; it needs root (CAP_NET_ADMIN): without it hactl fails with "fwmark needs root (CAP_NET_ADMIN)" instead of sending unmarked packets.`;

  static override examples = [
    '<%= config.bin %> genhash -s 192.0.2.10 -p 80 -u /health',
    '<%= config.bin %> genhash -S -I -V www.example.com -s 192.0.2.10 -p 443 -u /',
    '<%= config.bin %> genhash -s web1.example.com -p 8080 -u /status -P 1.1 -t 3 --json',
    '<%= config.bin %> genhash -s 192.0.2.10 -p 80 -u / -m 42',
  ];

  static override flags = {
    server: Flags.string({ char: 's', summary: 'Server address (IPv4, IPv6 or host name).', required: true }),
    port: Flags.string({ char: 'p', summary: 'Server port.', required: true }),
    url: Flags.string({ char: 'u', summary: 'URL path to fetch, e.g. /index.html.', required: true }),
    'use-ssl': Flags.boolean({ char: 'S', summary: 'Use TLS (SSL_GET); the certificate is not verified, as keepalived.' }),
    'use-sni': Flags.boolean({ char: 'I', summary: 'Send SNI in the TLS handshake (the -V virtual host).' }),
    'use-virtualhost': Flags.string({ char: 'V', summary: 'Virtual host for the Host header (and SNI with -I).' }),
    protocol: Flags.string({ char: 'P', summary: "HTTP protocol: 1.0 (default), 1.0c (1.0 + 'Connection: close') or 1.1.", default: '1.0' }),
    timeout: Flags.string({ char: 't', summary: 'Timeout in seconds for connect and each read (default 5).' }),
    fwmark: Flags.string({ char: 'm', summary: 'Firewall mark (SO_MARK) for the connection, decimal; needs root.' }),
    verbose: Flags.boolean({ char: 'v', summary: 'Readable dump of request, response header, body excerpt and timing.' }),
    json: Flags.boolean({ summary: 'Print a JSON report (status, headers, digest, time).' }),
  };
}
