// Applies a tenant's `objects` (multi-document YAML) inside its logical cluster: creates or updates each
// object (labelled as platform-managed), deletes ones that were applied before and are no longer listed. New
// objects may be gathered in a CreateBatch and created in one transaction.
import { cloneObject, setOwn } from '../../apiserver/clone.ts';
import type { Store } from '../../apiserver/registry/store.ts';
import type { Catalog } from '../../apiserver/registry/catalog.ts';
import type { ResourceType } from '../../apiserver/registry/types.ts';
import type { KObject } from '../../apiserver/storage/interface.ts';
import { StatusError, isNotFound } from '../../apiserver/errors.ts';
import type { CreateBatch } from '../../apiserver/registry/create-batch.ts';
import { parseObjects, MANAGED_BY_LABEL, MANAGED_BY_VALUE, type ObjectRef } from '../resources/index.ts';

export interface ObjectsResult { applied: ObjectRef[]; problems: string[] }

async function exists(store: Store, cluster: string, t: ResourceType, ns: string, name: string): Promise<boolean> {
  try { await store.read(cluster, t, ns, name); return true; } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

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
  const base: KObject = current ? cloneObject(current) : { metadata: {} };
  const { metadata: _m, status: _s, ...content } = doc;
  for (const [k, v] of Object.entries(content)) setOwn(base as unknown as Record<string, unknown>, k, v); // '__proto__' stays data
  base.metadata = {
    ...base.metadata,
    name: meta.name,
    labels: { ...(base.metadata.labels ?? {}), ...(meta.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
  };
  if (meta.annotations) base.metadata.annotations = { ...(base.metadata.annotations ?? {}), ...meta.annotations };
  return base;
}

/**
 * Applies the objects; with a batch, objects that do not exist yet are queued there (created in one transaction by
 * the caller's commit) and problems with them are reported when it commits.
 */
export async function applyObjects(store: Store, catalog: Catalog, cluster: string, text: string | undefined, previous: readonly ObjectRef[], batch?: CreateBatch): Promise<ObjectsResult> {
  const { objects, error } = parseObjects(text);
  const problems: string[] = error ? [error] : [];
  const applied: ObjectRef[] = [];
  const ctx = { cluster };
  // A name listed twice is written in list order, one write at a time (a transaction holds a key once).
  const names = objects.map((d) => `${d.apiVersion as string}|${d.kind as string}|${(d.metadata as { namespace?: string }).namespace ?? ''}|${(d.metadata as { name: string }).name}`);
  if (new Set(names).size !== names.length) batch = undefined;
  for (const doc of objects) {
    const apiVersion = doc.apiVersion as string;
    const kind = doc.kind as string;
    const meta = doc.metadata as { name: string; namespace?: string };
    const t = typeForKind(catalog, cluster, apiVersion, kind);
    if (!t) { problems.push(`${kind} "${meta.name}": kind ${kind} in ${apiVersion} is not served in the tenant cluster`); continue; }
    const ns = t.namespaced ? meta.namespace ?? 'default' : '';
    const ref: ObjectRef = { apiVersion, kind, name: meta.name, ...(ns ? { namespace: ns } : {}) };
    // Kept even when writing fails, so that a later removal from the list still cleans it up.
    applied.push(ref);
    const fail = (e: unknown) => {
      if (!(e instanceof StatusError)) throw e;
      problems.push(`${kind} "${ns ? `${ns}/` : ''}${meta.name}": ${e.message}`);
    };
    const writeOne = () => store.update(ctx, t, ns, meta.name, (cur) => {
      const d = desiredFrom(doc, cur);
      if (ns) d.metadata.namespace = ns;
      return d;
    }, { allowCreate: true }).then(() => undefined, fail);
    if (batch) {
      let absent: boolean;
      try { absent = !(await exists(store, cluster, t, ns, meta.name)); } catch (e) { fail(e); continue; }
      if (absent) {
        const d = desiredFrom(doc, undefined);
        if (ns) d.metadata.namespace = ns;
        batch.add(t, ns, d, writeOne);
        continue;
      }
    }
    await writeOne();
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
