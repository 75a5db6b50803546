import { UsageError } from '../../lib/cli/errors';
import CheckConfig from './config';

/** `hactl check --config FILE --real-server ADDR:PORT`: the same as `hactl check config`. */
export default class Check extends CheckConfig {
  static override summary = 'Run the checkers keepalived.conf configures for one real server (same as `check config`)';
  static override examples = [
    '<%= config.bin %> check --config /etc/keepalived/keepalived.conf --real-server 192.0.2.10:80',
    '<%= config.bin %> check tcp 192.0.2.10:80',
    '<%= config.bin %> check http 192.0.2.10:80 --path /health --digest 9b3a0c85a887a256d6939da88aabd8cd',
  ];

  override async run(): Promise<void> {
    if (this.argv.length === 0) {
      throw new UsageError('give a checker type (hactl check tcp|http|ssl|smtp|misc|dns|udp|ping TARGET) or --real-server ADDR:PORT [--config FILE]', {
        hint: 'see `hactl check --help`',
      });
    }
    await super.run();
  }
}
