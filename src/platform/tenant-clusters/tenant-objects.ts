// Applies a tenant's `objects` (multi-document YAML) inside its logical cluster: creates or updates each
// object (labelled as platform-managed), deletes ones that were applied before and are no longer listed.
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { ResourceType } from '../../apiserver/registry/types.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { StatusError, isNotFound } from '../../apiserver/errors.ts';
import { parseObjects, MANAGED_BY_LABEL, MANAGED_BY_VALUE, type ObjectRef } from '../resources/index.ts';

export interface ObjectsResult { applied: ObjectRef[]; problems: string[] }

function splitApiVersion(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

export function typeForKind(catalog: Catalog, cluster: string, apiVersion: string, kind: string): ResourceType | undefined {
  const [group, version] = splitApiVersion(apiVersion);
  return catalog.typesFor(cluster).find((t) => t.group === group && t.version === version && t.kind === kind && !t.virtualCreate);
}

const refKey = (r: ObjectRef) => `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;

/** The desired object written over the current one: the manifest's content, metadata merged, our label set. */
function desiredFrom(doc: Record<string, unknown>, current: KObject | undefined): KObject {
  const meta = (doc.metadata ?? {}) as KObject['metadata'];
  const base: KObject = current ? structuredClone(current) : { metadata: {} };
  const { metadata: _m, status: _s, ...content } = doc;
  Object.assign(base, content);
  base.metadata = {
    ...base.metadata,
    name: meta.name,
    labels: { ...(base.metadata.labels ?? {}), ...(meta.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
  };
  if (meta.annotations) base.metadata.annotations = { ...(base.metadata.annotations ?? {}), ...meta.annotations };
  return base;
}

export async function applyObjects(store: Store, catalog: Catalog, cluster: string, text: string | undefined, previous: readonly ObjectRef[]): Promise<ObjectsResult> {
  const { objects, error } = parseObjects(text);
  const problems: string[] = error ? [error] : [];
  const applied: ObjectRef[] = [];
  const ctx = { cluster };
  for (const doc of objects) {
    const apiVersion = doc.apiVersion as string;
    const kind = doc.kind as string;
    const meta = doc.metadata as { name: string; namespace?: string };
    const t = typeForKind(catalog, cluster, apiVersion, kind);
    if (!t) { problems.push(`${kind} "${meta.name}": kind ${kind} in ${apiVersion} is not served in the tenant cluster`); continue; }
    const ns = t.namespaced ? meta.namespace ?? 'default' : '';
    const ref: ObjectRef = { apiVersion, kind, name: meta.name, ...(ns ? { namespace: ns } : {}) };
    try {
      await store.update(ctx, t, ns, meta.name, (cur) => {
        const d = desiredFrom(doc, cur);
        if (ns) d.metadata.namespace = ns;
        return d;
      }, { allowCreate: true });
      applied.push(ref);
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
      problems.push(`${kind} "${ns ? `${ns}/` : ''}${meta.name}": ${e.message}`);
      applied.push(ref); // keep tracking it so that a later removal from the list still cleans it up
    }
  }
  const keep = new Set(applied.map(refKey));
  for (const old of previous) {
    if (keep.has(refKey(old))) continue;
    const t = typeForKind(catalog, cluster, old.apiVersion, old.kind);
    if (!t) continue;
    try {
      const cur = await store.get(cluster, t, old.namespace ?? '', old.name);
      if (cur.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) await store.delete(ctx, t, old.namespace ?? '', old.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return { applied, problems };
}
