/** oclif flags shared by the `hactl arp` commands. */
import { Flags } from '@oclif/core';

export const vipFlag = Flags.string({ description: 'virtual IP (IPv4 or IPv6); repeat for several', multiple: true, char: 'v', helpValue: 'ADDR' });
export const vipFlagRequired = Flags.string({
  description: 'virtual IP (IPv4 or IPv6); repeat for several',
  multiple: true,
  char: 'v',
  helpValue: 'ADDR',
  required: true,
});
export const stateDirFlag = Flags.string({
  description: 'where setup records what it changed (default /var/lib/hactl, or $HACTL_STATE_DIR)',
  helpValue: 'DIR',
});
export const dryRunFlag = Flags.boolean({ description: 'print the ordered changes without applying them', default: false });
export const persistFlag = Flags.boolean({
  description: 'also write a sysctl.d file and a systemd oneshot unit (enabled) that re-applies the setup at boot',
  default: false,
});
export const sysctlDirFlag = Flags.string({ description: 'sysctl.d directory for --persist (default /etc/sysctl.d, or $HACTL_SYSCTL_DIR)', helpValue: 'DIR' });
export const unitDirFlag = Flags.string({
  description: 'systemd unit directory for --persist (default /etc/systemd/system, or $HACTL_UNIT_DIR)',
  helpValue: 'DIR',
});
export const jsonFlag = Flags.boolean({ description: 'machine-readable output', default: false });
