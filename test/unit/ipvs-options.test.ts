/** The one ipvsadm option table (src/lib/ipvs/options.ts) against its readers: the parser's checks, the commands' help, ipvsadm's -h. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIpvsadmArgs } from '../../src/lib/ipvs/argv';
import { OPT, OPT_NAMES, OPTIONS, TABLE, TUN_OPTS, TUN_TABLE } from '../../src/lib/ipvs/options';
import { ipvsadmUsage } from '../../src/lib/ipvs/run';
import { loadSpec } from '../../src/lib/cli/spec';
import { ROOT } from '../helpers/cli';

/** Flags of the IPVS commands that are hactl's own (taken off before ipvsadm's parser runs). */
const HACTL_ONLY = new Set(['json', 'pretty', 'yes']);
/** hactl's own flags of commands ipvsadm has no counterpart for (rs drain/undrain: weight 0, wait, the daemon's socket) */
const HACTL_ONLY_OF: Record<string, string[]> = { 'rs:drain': ['wait', 'timeout', 'inactive', 'control-socket'], 'rs:undrain': ['control-socket', 'weight'] };
const IPVS_COMMANDS = /^(vs|rs)(:|$)|^save$/;

describe('ipvsadm option table', () => {
  it('every commands_v_options row has one char per column, every tunnel row one per tunnel option', () => {
    assert.equal(OPT_NAMES.length, Object.keys(OPT).length);
    for (const [cmd, row] of Object.entries(TABLE)) assert.equal(row.length, OPT_NAMES.length, cmd);
    for (const row of TUN_TABLE) assert.equal(row.length, TUN_OPTS.length);
  });
  it('each spelling is declared once (long names repeat only as -L/-l, short letters never)', () => {
    const longs = OPTIONS.map((o) => o.long).filter((l) => l !== 'list');
    assert.equal(new Set(longs).size, longs.length);
    const shorts = OPTIONS.flatMap((o) => (o.short ? [o.short] : []));
    assert.equal(new Set(shorts).size, shorts.length);
  });
  it('every flag the vs/rs/save commands show is a table option with the same letter, and the parser takes it', () => {
    const spec = loadSpec(ROOT);
    let seen = 0;
    for (const [id, c] of Object.entries(spec.commands)) {
      if (!IPVS_COMMANDS.test(id)) continue;
      for (const f of Object.values(c.flags)) {
        if (HACTL_ONLY.has(f.name) || HACTL_ONLY_OF[id]?.includes(f.name) || f.name === 'help') continue;
        const o = OPTIONS.find((x) => x.long === f.name);
        assert.ok(o?.help, `${id} --${f.name} is not in src/lib/ipvs/options.ts`);
        assert.equal(f.char, o.short && /^[A-Za-z]$/.test(o.short) ? o.short : undefined, `${id} --${f.name}`);
        assert.equal(f.type, o.arg === 'none' ? 'boolean' : 'option', `${id} --${f.name}`);
        assert.equal(f.description, o.help.description);
        seen++;
      }
    }
    assert.ok(seen > 40, `only ${seen} IPVS flags found in the spec`);
    // The parser reads the same table: an unknown long option is popt's error, a known one is not.
    assert.throws(() => parseIpvsadmArgs(['-L', '--no-such-option']), /--no-such-option: unknown option/);
    for (const o of OPTIONS.filter((x) => x.help?.group === 'list')) assert.doesNotThrow(() => parseIpvsadmArgs(['-L', `--${o.long}`]), o.long);
  });
  it("ipvsadm's own -h text names every ipvsadm spelling (hactl's --sctp and --version aside, as ipvsadm's)", () => {
    const usage = ipvsadmUsage();
    for (const o of OPTIONS) if (o.long !== 'sctp' && o.long !== 'version') assert.ok(usage.includes(`--${o.long}`), `--${o.long} missing from ipvsadm -h`);
  });
});
