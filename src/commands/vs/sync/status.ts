import { IpvsCommand, outputFlags } from '../../../flags/ipvs';

export default class VsSyncStatus extends IpvsCommand {
  static override description = 'Show the running sync daemons (ipvsadm -L --daemon)';
  static override examples = ['<%= config.bin %> vs sync status'];
  static override flags = { json: outputFlags.json };
  protected readonly verb = 'vs sync status' as const;
}
