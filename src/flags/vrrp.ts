/** Flags the daemon's clients share (declared once; oclif lives above src/lib). */
import { Flags } from '@oclif/core';
import { DEFAULT_CONTROL_SOCKET } from '../lib/vrrp/control';

export const controlSocketFlag = {
  'control-socket': Flags.string({ description: 'control socket of the daemon (`hactl vrrp run --control-socket`)', default: DEFAULT_CONTROL_SOCKET, helpValue: 'PATH' }),
};
