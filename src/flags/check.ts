/**
 * The flags of the `hactl check <type>` commands (named after the
 * keepalived.conf keywords, `_` -> `-`), for the command classes, i.e. the
 * spec (oclif lives above src/lib). Turning them into checker options and running:
 * src/lib/check/run-cli.ts (no oclif).
 */
import { Args, Flags } from '@oclif/core';

export const commonFlags = {
  'connect-ip': Flags.string({ summary: 'connect_ip: address to connect to instead of TARGET.', helpGroup: 'CONNECTION' }),
  'connect-port': Flags.string({ summary: "connect_port: port to connect to instead of TARGET's.", helpGroup: 'CONNECTION' }),
  bindto: Flags.string({ summary: 'bindto: source address.', helpGroup: 'CONNECTION' }),
  'bind-port': Flags.string({ summary: 'bind_port: source port.', helpGroup: 'CONNECTION' }),
  'connect-timeout': Flags.string({ summary: 'connect_timeout in seconds (default 5): bounds connect and every read/write.', helpGroup: 'CONNECTION' }),
  fwmark: Flags.string({ summary: 'fwmark: SO_MARK on the checker\'s packets (decimal; needs root / CAP_NET_ADMIN).', helpGroup: 'CONNECTION' }),
};

/** HTTP_GET / SSL_GET: the url blocks and the request options (shared by `check http` and `check ssl`). */
export const httpFlags = {
  path: Flags.string({ summary: 'url path (default /).', helpGroup: 'URL' }),
  digest: Flags.string({ summary: 'url digest: expected MD5 of the body (from hactl genhash).', helpGroup: 'URL' }),
  'status-code': Flags.string({ summary: 'url status_code: N or N-M, repeatable (default 200-299).', multiple: true, helpGroup: 'URL' }),
  regex: Flags.string({ summary: 'url regex: PCRE2 pattern the body must match (after status and digest).', helpGroup: 'URL' }),
  'regex-options': Flags.string({ summary: 'url regex_options, e.g. "caseless multiline" (keepalived\'s PCRE2 option words).', helpGroup: 'URL' }),
  'regex-no-match': Flags.boolean({ summary: 'url regex_no_match: the check passes when the regex does NOT match.', helpGroup: 'URL' }),
  'regex-min-offset': Flags.string({ summary: 'url regex_min_offset: first body offset where the match may start.', helpGroup: 'URL' }),
  'regex-max-offset': Flags.string({ summary: 'url regex_max_offset: last body offset where the match may start.', helpGroup: 'URL' }),
  url: Flags.string({ summary: 'Another url block: "path=/x,digest=HEX,status_code=200-299 301,virtualhost=NAME" (repeatable).', multiple: true, helpGroup: 'URL' }),
  virtualhost: Flags.string({ summary: 'virtualhost: Host header (default ADDRESS:PORT).' }),
  'http-protocol': Flags.string({ summary: 'http_protocol: 1.0 (default), 1.0C or 1.1.' }),
};

/** SSL_GET: keepalived's global SSL { } block (client certificate for servers that ask for one). */
export const sslFileFlags = {
  certificate: Flags.string({ summary: 'SSL certificate: client certificate chain file (PEM).', helpGroup: 'SSL' }),
  key: Flags.string({ summary: 'SSL key: private key file (PEM; default: in the certificate file).', helpGroup: 'SSL' }),
  password: Flags.string({ summary: 'SSL password: pass phrase of the key.', helpGroup: 'SSL' }),
  ca: Flags.string({ summary: 'SSL ca: CA file (loaded; like keepalived, the server certificate is not verified).', helpGroup: 'SSL' }),
};

export const retryFlags = {
  retry: Flags.string({ summary: 'retry: extra attempts after a failure (default 1; DNS 3; MISC 0).', helpGroup: 'RETRY' }),
  'nb-get-retry': Flags.string({ summary: 'Old name of --retry.', helpGroup: 'RETRY', hidden: true }),
  'delay-before-retry': Flags.string({ summary: 'delay_before_retry in seconds (default 3 for HTTP/SSL, delay_loop for DNS, else 1).', helpGroup: 'RETRY' }),
  'delay-loop': Flags.string({ summary: 'delay_loop in seconds (default 60): the default of DNS delay_before_retry and misc_timeout.', helpGroup: 'RETRY' }),
  warmup: Flags.string({ summary: 'warmup: wait a random time up to this many seconds first (default 0 here).', helpGroup: 'RETRY' }),
};

export const outputFlags = {
  json: Flags.boolean({ summary: 'Print the result as JSON.' }),
};

export const targetArg = {
  target: Args.string({ description: 'Real server: ADDRESS[:PORT], [IPv6]:PORT or HOSTNAME[:PORT]', required: true }),
};

