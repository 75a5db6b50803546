/**
 * Who runs a script, as keepalived 2.2.7 decides it (pure, no I/O: the user database and the
 * "does this user exist" question are passed in).
 *
 * - A script's own `username [groupname]` (MISC_CHECK: its `user` keyword) wins.
 * - Else the default script user (get_default_script_user): global_defs script_user; else
 *   keepalived_script when that user exists; else root. With enable_script_security keepalived
 *   insists on keepalived_script: when that user does not exist it drops every script without a
 *   user of its own (`missing`), instead of falling back to root.
 * - A user or group that does not exist: the script is not run at all (never as the daemon's
 *   own user).
 */

/** keepalived's default script user when global_defs has no script_user. */
export const DEFAULT_SCRIPT_USER = 'keepalived_script';

export interface ScriptUser {
  user: string;
  group?: string;
}

export interface DefaultScriptUser extends ScriptUser {
  /** keepalived_script is the default (enable_script_security) but does not exist: scripts without a user are dropped. */
  missing: boolean;
}

/**
 * The default script user for scripts without one of their own; undefined: root. Without
 * `userExists` (nothing known about the host) only an explicit script_user counts.
 */
export function defaultScriptUser(
  g: { script_user?: { user: string; group?: string }; enable_script_security?: boolean },
  userExists?: (name: string) => boolean,
): DefaultScriptUser | undefined {
  if (g.script_user) return { user: g.script_user.user, group: g.script_user.group, missing: false };
  if (!userExists) return undefined;
  const exists = userExists(DEFAULT_SCRIPT_USER);
  if (g.enable_script_security || exists) return { user: DEFAULT_SCRIPT_USER, missing: !exists };
  return undefined;
}

/** The script's own user (and its group), else the default's user and group. */
export function scriptUserFor(own: { user?: string; group?: string }, dflt: ScriptUser | undefined): ScriptUser | undefined {
  if (own.user) return { user: own.user, group: own.group };
  return dflt && { user: dflt.user, group: dflt.group };
}

/** The names in the text of /etc/passwd or /etc/group (getpwnam/getgrnam: a number is not a name). */
export function dbNames(db: string): Set<string> {
  const s = new Set<string>();
  for (const line of db.split('\n')) {
    const name = line.split(':')[0];
    if (name) s.add(name);
  }
  return s;
}

/** Field `field` of the colon-separated database line whose first field is `name` (a number: itself). */
function lookupId(db: string | undefined, name: string, field: number): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of (db ?? '').split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length > field && /^\d+$/.test(f[field])) return Number(f[field]);
  }
  return undefined;
}

/**
 * uid and gid of `user` (and `group`, else the user's primary group) from the texts of
 * /etc/passwd and /etc/group. Throws a one-line error naming what does not exist.
 */
export function idsFromDb(passwd: string | undefined, groups: string | undefined, user: string, group?: string): { uid: number; gid: number } {
  const uid = lookupId(passwd, user, 2);
  if (uid === undefined) throw new Error(`unknown user '${user}'`);
  let gid: number | undefined;
  if (group) {
    gid = lookupId(groups, group, 2);
    if (gid === undefined) throw new Error(`unknown group '${group}'`);
  } else gid = lookupId(passwd, user, 3);
  return { uid, gid: gid ?? uid };
}
