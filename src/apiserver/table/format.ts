// Cell formatting helpers mirroring Kubernetes' printers: labels, label selectors, container lists,
// access modes, RBAC subjects, and safe field access on plain JSON objects.

export type J = Record<string, unknown>;
export const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The object at a path of keys, or {} (never throws). */
export const o = (v: unknown, ...keys: string[]): J => {
  let cur: unknown = v;
  for (const k of keys) cur = isObj(cur) ? cur[k] : undefined;
  return isObj(cur) ? cur : {};
};
export const a = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const s = (v: unknown): string => (typeof v === 'string' ? v : '');
export const n = (v: unknown, dflt = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);

/** labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(m: unknown): string {
  const entries = Object.entries(isObj(m) ? m : {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${String(v)}`).join(',');
}

/** LabelSelectorAsSelector(...).String(): requirements sorted by key; "" for an empty or absent selector. */
export function labelSelectorString(sel: unknown): string {
  if (!isObj(sel)) return '';
  const reqs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(o(sel, 'matchLabels'))) reqs.push([k, `${k}=${String(v)}`]);
  for (const e of a(sel.matchExpressions)) {
    const key = s(o(e).key);
    const values = a(o(e).values).map(String).sort();
    switch (s(o(e).operator)) {
      case 'In': reqs.push([key, `${key} in (${values.join(',')})`]); break;
      case 'NotIn': reqs.push([key, `${key} notin (${values.join(',')})`]); break;
      case 'Exists': reqs.push([key, key]); break;
      case 'DoesNotExist': reqs.push([key, `!${key}`]); break;
      default: return '<invalid>';
    }
  }
  return reqs.sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([, r]) => r).join(',');
}
/** metav1.FormatLabelSelector: like labelSelectorString but "<none>" when empty. */
export const formatLabelSelector = (sel: unknown): string => labelSelectorString(sel) || '<none>';

/** layoutContainerCells: comma-joined container names and images. */
export function containerCells(containers: unknown): [names: string, images: string] {
  const list = a(containers).map((c) => o(c));
  return [list.map((c) => s(c.name)).join(','), list.map((c) => s(c.image)).join(',')];
}

/** GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order, duplicates removed. */
export function accessModes(modes: unknown): string {
  const set = new Set(a(modes).map(String));
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** SubjectsStrings: users, groups and service accounts ("ns/name") of RBAC subjects. */
export function subjectsStrings(subjects: unknown): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const out = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const subj of a(subjects).map((x) => o(x))) {
    if (subj.kind === 'User') out.users.push(s(subj.name));
    else if (subj.kind === 'Group') out.groups.push(s(subj.name));
    else if (subj.kind === 'ServiceAccount') out.serviceAccounts.push(`${s(subj.namespace)}/${s(subj.name)}`);
  }
  return out;
}
