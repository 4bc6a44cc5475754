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
import { listOptions } from '../query.ts';

const MIN_REQUEST_TIMEOUT_SECONDS = 1800;
/** The longest delay a Node timer takes (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * How long a watch lasts, as Kubernetes decides: timeoutSeconds when given; otherwise the minimum request timeout
 * (1800 s) times a random factor in [1, 2), so that clients do not reconnect all at once. A negative timeout ends the
 * watch at once; one too long for a timer means no server-side end (undefined).
 */
export function watchTimeoutMs(timeoutSeconds: number | undefined, random = Math.random): number | undefined {
  const ms = timeoutSeconds === undefined ? MIN_REQUEST_TIMEOUT_SECONDS * 1000 * (1 + random()) : timeoutSeconds * 1000;
  if (ms <= 0) return 0;
  return ms > MAX_TIMER_MS ? undefined : Math.floor(ms);
}

export async function handleWatch(ctx: RequestContext, t: ResourceType, deps: HandlerDeps): Promise<void> {
  const info = infoFrom(ctx);
  const cluster = clusterFrom(ctx);
  const lo = listOptions(ctx.url.searchParams);
  const labels = parseLabelSelector(lo.labelSelector ?? null);
  const fields = parseFieldSelector(lo.fieldSelector ?? null, t.kind, Boolean(t.custom));
  const rvParam = lo.resourceVersion ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resourceVersion "${rvParam}": must be an integer`);
  const timeoutMs = watchTimeoutMs(lo.timeoutSeconds);
  const bookmarks = lo.allowWatchBookmarks;
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
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ type: 'ERROR', object: expired(`too old resource version: ${fromRV} (${initial.resourceVersion})`).status }) + '\n');
    return;
  }
  ctx.responseCode = 200;
  // No Content-Length: HTTP/1.1 streams it chunked, HTTP/2 as DATA frames on the watch's own stream.
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
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
  if (timeoutMs !== undefined) timeoutTimer = setTimeout(() => finish(), timeoutMs);
  ctx.req.on('close', () => finish());
  res.on('close', () => finish());
  // A graceful shutdown ends the stream cleanly; the client re-watches (elsewhere) from its last resourceVersion.
  const onShutdown = () => {
    if (bookmarks) send('BOOKMARK', { kind: t.kind, apiVersion: groupVersion(t), metadata: { resourceVersion: String(lastRV) } });
    finish();
  };
  if (deps.shutdown?.aborted) onShutdown(); else deps.shutdown?.addEventListener('abort', onShutdown, { once: true });
  res.on('close', () => deps.shutdown?.removeEventListener('abort', onShutdown));
  await new Promise<void>((resolve) => res.on('close', resolve));
}
