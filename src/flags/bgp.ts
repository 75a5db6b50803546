/** Flags every `hactl bgp` command shares (declared once, used by src/commands/bgp/*; oclif lives above src/lib). */
import { Flags } from '@oclif/core';
import { DEFAULT_SETTINGS_FILE } from '../lib/bgp/settings';

export const bgpFlags = {
  config: Flags.string({ char: 'c', description: 'the announcement settings file (docs/bgp.md)', default: DEFAULT_SETTINGS_FILE, helpValue: 'FILE' }),
  'vty-socket': Flags.string({ description: "FRR's vty socket directory (vtysh --vty_socket), when FRR does not use /var/run/frr", helpValue: 'DIR' }),
  'frr-pathspace': Flags.string({ description: "FRR's pathspace (vtysh -N), when FRR runs with -N", helpValue: 'NAME' }),
};
