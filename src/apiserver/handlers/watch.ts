// WATCH streams: initial state (for resourceVersion ""/"0"), then committed changes filtered by
// selectors, bookmarks, timeoutSeconds, and a 410 ERROR event when the requested version is too old.
import type { RequestContext } from '../context.ts';
import { clusterFrom, infoFrom } from '../context.ts';
import { badRequest, expired, unavailable, type StatusError } from '../errors.ts';
import { mapStorageError } from '../registry/store.ts';
import type { ResourceType } from '../registry/types.ts';
import { groupVersion } from '../registry/types.ts';
import { parseFieldSelector, parseLabelSelector } from '../registry/selectors.ts';
import { collectionPrefix } from '../storage/keys.ts';
import { StorageError, type KObject, type StorageEvent } from '../storage/interface.ts';
import type { HandlerDeps } from './deps.ts';
import { negotiate, present } from './respond.ts';
import { toTable } from '../table/index.ts';

const DEFAULT_TIMEOUT_SECONDS = 1800;

export async function handleWatch(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const cluster = clusterFrom(ctx);
  const q = ctx.url.searchParams;
  const labels = parseLabelSelector(q.get('labelSelector'));
  const fields = parseFieldSelector(q.get('fieldSelector'), t.kind, Boolean(t.custom));
  const rvParam = q.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resourceVersion "${rvParam}": must be an integer`);
  const timeoutParam = q.get('timeoutSeconds');
  const timeout = timeoutParam ? Number(timeoutParam) : DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isFinite(timeout) || timeout < 0) throw badRequest(`invalid timeoutSeconds "${timeoutParam}"`);
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const { as, includeObject } = negotiate(ctx);
  const matches = (o: KObject) => (!labels || labels(o.metadata.labels ?? {})) && (!fields || fields(o));

  // The set of keys the client currently sees as matching, so objects leaving the selector become DELETED.
  const visible = new Set<string>();
  const initial = await deps.store.list(cluster, t, info.namespace, {});
  const prefix = collectionPrefix(cluster, t, info.namespace);
  const keyOf = (o: KObject) => deps.store.key(cluster, t, o.metadata.namespace ?? '', o.metadata.name!);
  const initialEvents: Array<{ type: string; object: KObject }> = [];
  for (const o of initial.items) {
    if (!matches(o)) continue;
    visible.add(keyOf(o));
    if (rvParam === '' || rvParam === '0') initialEvents.push({ type: 'ADDED', object: o });
  }
  const fromRV = rvParam === '' || rvParam === '0' ? Number(initial.resourceVersion) : Number(rvParam);

  const res = ctx.res;
  let first = true;
  const encode = (type: string, raw: unknown): string => {
    const object = type === 'ERROR' || type === 'BOOKMARK' ? raw : present(t, raw as KObject);
    if (as === 'table' && type !== 'ERROR' && type !== 'BOOKMARK') {
      const table: Partial<ReturnType<typeof toTable>> = toTable(t, [object as KObject], { includeObject, now: new Date() });
      if (!first) delete table.columnDefinitions;
      first = false;
      table.metadata = { resourceVersion: (object as KObject).metadata.resourceVersion };
      return JSON.stringify({ type, object: table }) + '\n';
    }
    return JSON.stringify({ type, object }) + '\n';
  };
  let lastRV = fromRV;
  let stopped = false;
  const send = (type: string, object: unknown) => { if (!stopped) res.write(encode(type, object)); };

  let watcher: { stop(): void } | undefined;
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let timeoutTimer: NodeJS.Timeout | undefined;
  const finish = (err?: StatusError) => {
    if (stopped) return;
    if (err) send('ERROR', err.status);
    stopped = true;
    watcher?.stop();
    clearInterval(bookmarkTimer);
    clearTimeout(timeoutTimer);
    res.end();
  };
  const deliver = (ev: StorageEvent) => {
    lastRV = ev.rv;
    const key = ev.key;
    const was = visible.has(key);
    const now = ev.type !== 'DELETED' && matches(ev.object);
    if (ev.type === 'DELETED') {
      if (was) { visible.delete(key); send('DELETED', ev.object); }
      return;
    }
    if (now && (!was || ev.type === 'ADDED')) { visible.add(key); send('ADDED', ev.object); } else if (now && was) send('MODIFIED', ev.object);
    else if (!now && was) { visible.delete(key); send('DELETED', ev.object); }
  };
  // Subscribe before answering, so a storage failure is still a proper error status; events that arrive
  // before the headers and initial state are written wait in `early`.
  let early: StorageEvent[] | undefined = [];
  try {
    watcher = deps.storage.watch(prefix, fromRV, (ev) => (early ? early.push(ev) : deliver(ev)), (e) => finish(e.code === 'Expired' ? expired(e.message) : unavailable(e.message)));
  } catch (e) {
    if (!(e instanceof StorageError && e.code === 'Expired')) throw mapStorageError(e, t, '');
    ctx.responseCode = 200;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.end(JSON.stringify({ type: 'ERROR', object: expired(`too old resource version: ${fromRV} (${initial.resourceVersion})`).status }) + '\n');
    return;
  }
  ctx.responseCode = 200;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  // Send the headers now: clients (fetch-based ones in particular) wait for them before reading events.
  res.flushHeaders();
  for (const e of initialEvents) send(e.type, e.object);
  const buffered = early;
  early = undefined;
  for (const ev of buffered) deliver(ev);
  if (stopped) return;
  bookmarkTimer = setInterval(() => {
    if (bookmarks) send('BOOKMARK', { kind: t.kind, apiVersion: groupVersion(t), metadata: { resourceVersion: String(lastRV) } });
  }, deps.bookmarkIntervalMs);
  timeoutTimer = setTimeout(() => finish(), timeout * 1000);
  ctx.req.on('close', () => finish());
  res.on('close', () => finish());
  await new Promise<void>((resolve) => res.on('close', resolve));
}
