import { HandledCommand } from '../../lib/cli/base';
import { commonFlags, httpFlags, outputFlags, retryFlags, targetArg } from '../../flags/check';

export default class CheckHttp extends HandledCommand {
  static override summary = 'Run an HTTP_GET check once';
  static override description = `GET each url from the real server as keepalived does (same request bytes as genhash) and check the status code (default 200-299) and, when given, the MD5 digest of the body. Each url gets its own retries (--retry, --delay-before-retry, default 1 retry after 3 s).

Exit status: 0 up, 1 down, 2 bad usage.`;
  static override examples = ['<%= config.bin %> check http 192.0.2.10:80 --path /health', '<%= config.bin %> check http 192.0.2.10:8080 --path / --digest 9b3a0c85a887a256d6939da88aabd8cd --status-code 200 --retry 0', '<%= config.bin %> check http 192.0.2.10 --url path=/a --url "path=/b,status_code=200-299 301" --json'];
  static override args = targetArg;
  static override flags = {
    ...httpFlags,
    ...commonFlags,
    ...retryFlags,
    ...outputFlags,
  };
}
