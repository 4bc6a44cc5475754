// The Permissions tab's logic (seed 002): staged additions and removals of (user | team → ClusterRole), the rules they
// lead to (the same merge the server applies on "Save changes"), and the access section as the seed's YAML.
import type { AccessRule } from './types.ts';

export interface PermissionChange { action: 'add' | 'remove'; user?: string; team?: string; role?: string }

const key = (c: PermissionChange) => `${c.user !== undefined ? 'users' : 'teams'}` as const;

/** Applies changes in order (mirrors the server's changeRules). */
export function applyChanges(rules: readonly AccessRule[], changes: readonly PermissionChange[]): AccessRule[] {
  let out: AccessRule[] = rules.map((r) => ({ ...r, users: r.users && [...r.users], teams: r.teams && [...r.teams] }));
  for (const c of changes) {
    const k = key(c);
    const who = (c.user ?? c.team)!;
    if (c.action === 'add') {
      const rule = out.find((r) => r.clusterRole === c.role);
      if (rule) rule[k] = [...new Set([...(rule[k] ?? []), who])];
      else out.push({ [k]: [who], clusterRole: c.role! } as AccessRule);
    } else {
      for (const r of out) if (c.role === undefined || r.clusterRole === c.role) r[k] = r[k]?.filter((x) => x !== who);
    }
    out = out.map((r) => {
      const x: AccessRule = { clusterRole: r.clusterRole };
      if (r.users?.length) x.users = r.users;
      if (r.teams?.length) x.teams = r.teams;
      return x;
    }).filter((r) => (r.users?.length ?? 0) + (r.teams?.length ?? 0) > 0);
  }
  return out;
}

/** One row per subject and role, for the table. */
export function grants(rules: readonly AccessRule[]): Array<{ kind: 'User' | 'Team'; name: string; role: string }> {
  return rules.flatMap((r) => [
    ...(r.users ?? []).map((name) => ({ kind: 'User' as const, name, role: r.clusterRole })),
    ...(r.teams ?? []).map((name) => ({ kind: 'Team' as const, name, role: r.clusterRole })),
  ]);
}

/** A staged change for "Add permission to <subject> as <role>", or why it cannot be added. */
export function stageAdd(rules: readonly AccessRule[], subject: { kind: 'User' | 'Team'; name: string } | null, role: string): PermissionChange | string {
  if (!subject) return 'Choose a user or team';
  if (!role) return 'Choose a ClusterRole';
  const has = grants(rules).some((g) => g.kind === subject.kind && g.name === subject.name && g.role === role);
  if (has) return `${subject.kind.toLowerCase()} ${subject.name} already has ${role}`;
  return subject.kind === 'User' ? { action: 'add', user: subject.name, role } : { action: 'add', team: subject.name, role };
}

export const describeChange = (c: PermissionChange): string =>
  `${c.action === 'add' ? 'Add' : 'Remove'} ${c.user !== undefined ? `user ${c.user}` : `team ${c.team}`}${c.role ? ` → ${c.role}` : ''}`;
