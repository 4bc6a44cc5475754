// The live identity of platform users (User and Team objects in root, fed by the informer): credentials that act
// for a user (access keys, login sessions, tokens) take the owner's current groups (User spec.groups plus
// portcullis:team:<t> for each team) at every request; a deleted owner has none.
import type { KObject } from '../../apiserver/storage/interface.ts';
import type { Informer } from '../../apiserver/controllers/informer.ts';
import { ROOT_CLUSTER } from '../../apiserver/cluster-name.ts';
import type { UserInfo } from '../../apiserver/auth/types.ts';
import { GROUP } from '../resources/index.ts';
import { teamGroup } from '../../platform/index.ts';


export interface IdentitySource {
  /** The owner's identity now, or undefined when no such User exists (or it is disabled). */
  identity(username: string): UserInfo | undefined;
}

export interface UserEntry { uid: string; groups: string[]; disabled: boolean }
/** Told of a change to one User: its entry before and after (undefined: absent). */
export type UserChangeListener = (prev: UserEntry | undefined, next: UserEntry | undefined) => void;

export class IdentityIndex implements IdentitySource {
  private readonly users = new Map<string, UserEntry>();
  /** team name → listed members and the IdP groups whose users are members too */
  private readonly teams = new Map<string, { members: Set<string>; groups: string[] }>();
  private readonly cache = new Map<string, UserInfo>();
  private readonly userListeners: UserChangeListener[] = [];

  /** Adds a listener told synchronously of every change to a User (created, updated, deleted). */
  onUserChange(listener: UserChangeListener): void { this.userListeners.push(listener); }

  register(informer: Informer): void {
    informer.on(GROUP, 'users', (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      const prev = this.users.get(ev.name);
      if (ev.type === 'DELETED') this.users.delete(ev.name); else this.users.set(ev.name, userEntry(ev.object));
      this.cache.clear();
      for (const l of this.userListeners) l(prev, this.users.get(ev.name));
    });
    informer.on(GROUP, 'teams', (ev) => {
      if (ev.cluster !== ROOT_CLUSTER) return;
      if (ev.type === 'DELETED') this.teams.delete(ev.name); else this.teams.set(ev.name, teamEntry(ev.object));
      this.cache.clear();
    });
  }

  /** Direct updates (tests, or a platform module that exports its own index). */
  setUser(name: string, obj: KObject | undefined): void {
    const prev = this.users.get(name);
    if (obj) this.users.set(name, userEntry(obj)); else this.users.delete(name);
    this.cache.clear();
    for (const l of this.userListeners) l(prev, this.users.get(name));
  }
  setTeam(name: string, obj: KObject | undefined): void {
    if (obj) this.teams.set(name, teamEntry(obj)); else this.teams.delete(name);
    this.cache.clear();
  }

  identity(username: string): UserInfo | undefined {
    const hit = this.cache.get(username);
    if (hit) return hit;
    const u = this.users.get(username);
    if (!u || u.disabled) return undefined;
    const groups = new Set(u.groups);
    for (const [name, t] of this.teams) {
      if (t.members.has(username) || t.groups.some((g) => u.groups.includes(g))) groups.add(teamGroup(name));
    }
    const info: UserInfo = Object.freeze({ username, uid: u.uid, groups: Object.freeze([...groups]) as string[] });
    this.cache.set(username, info);
    return info;
  }

  has(username: string): boolean { return this.users.has(username); }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

function userEntry(o: KObject): UserEntry {
  const spec = (o.spec ?? {}) as { groups?: unknown; disabled?: unknown };
  return { uid: o.metadata.uid ?? '', groups: strings(spec.groups), disabled: spec.disabled === true };
}

function teamEntry(o: KObject): { members: Set<string>; groups: string[] } {
  const spec = (o.spec ?? {}) as { members?: unknown; groups?: unknown };
  return { members: new Set(strings(spec.members)), groups: strings(spec.groups) };
}
