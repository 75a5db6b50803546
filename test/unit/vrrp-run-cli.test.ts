import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONTROL_SOCKET } from '../../src/lib/vrrp/control';
import { parseVrrpRunArgv } from '../../src/lib/vrrp/run-cli';

describe('vrrp run: the fast path reads the oclif flags', () => {
  it('takes every flag of the command, with the same defaults', () => {
    assert.deepEqual(parseVrrpRunArgv(['-f', 'k.conf']), { file: 'k.conf', 'control-socket': DEFAULT_CONTROL_SOCKET, 'log-format': 'text' });
    const all = parseVrrpRunArgv([
      '--file=k.conf',
      '--config-id',
      'lb1',
      '--pid-file',
      '/run/p',
      '--control-socket',
      '/run/s',
      '--log-format',
      'json',
      '--metrics',
      '127.0.0.1:9650',
      '--vrrp-only',
      '--dont-release-ipvs',
    ]);
    assert.deepEqual(all, {
      file: 'k.conf',
      'config-id': 'lb1',
      'pid-file': '/run/p',
      'control-socket': '/run/s',
      'log-format': 'json',
      metrics: '127.0.0.1:9650',
      'vrrp-only': true,
      'dont-release-ipvs': true,
    });
  });
  it('leaves to oclif (undefined) whatever it would have to word an error for', () => {
    for (const argv of [[], ['k.conf'], ['-f'], ['-f', 'k.conf', '--bogus'], ['-f', 'k.conf', '--log-format', 'xml'], ['-f', 'k.conf', 'extra']]) {
      assert.equal(parseVrrpRunArgv(argv), undefined, argv.join(' '));
    }
  });
});
