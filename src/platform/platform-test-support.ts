// Test support for the platform controller tests: an in-process server with the RBAC and platform modules,
// and typed helpers over its store (no HTTP).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/config.ts';
import { startServer, type RunningServer } from '../server/server.ts';
import { rbacModule } from '../auth/rbac-module/index.ts';
import type { ResourceType } from '../apiserver/registry/types.ts';
import type { KObject } from '../apiserver/storage/interface.ts';
import { isNotFound } from '../apiserver/errors.ts';
import { platformModule, type PlatformModuleOptions } from './module.ts';

export interface TestPlatform {
  server: RunningServer;
  create(t: ResourceType, name: string, spec: unknown, meta?: Partial<KObject['metadata']>, cluster?: string): Promise<KObject>;
  get(t: ResourceType, name: string, cluster?: string, ns?: string): Promise<KObject | undefined>;
  type(cluster: string, group: string, resource: string): ResourceType;
  close(): Promise<void>;
}

export async function startTestPlatform(opts: PlatformModuleOptions = {}): Promise<TestPlatform> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portcullis-platform-'));
  const server = await startServer(loadConfig({ dataDir: dir, listen: '127.0.0.1:0' }), () => undefined, [rbacModule(), platformModule(opts)]);
  return {
    server,
    create: (t, name, spec, meta = {}, cluster = 'root') => server.store.create({ cluster }, t, '', {
      apiVersion: t.group ? `${t.group}/${t.version}` : t.version, kind: t.kind, metadata: { name, ...meta }, spec,
    }),
    async get(t, name, cluster = 'root', ns = '') {
      try { return await server.store.get(cluster, t, ns, name); } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    type(cluster, group, resource) {
      const t = server.catalog.typesFor(cluster).find((x) => x.group === group && x.resource === resource);
      if (!t) throw new Error(`no type ${group}/${resource} in ${cluster}`);
      return t;
    },
    async close() { await server.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}
