// Server configuration: defaults, an optional YAML config file, and flags (flags win), validated with zod.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const configSchema = z.object({
  dataDir: z.string().min(1).default('./data'),
  listen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]*):\d{1,5}$/, 'listen must look like HOST:PORT or :PORT').default(':8443'),
  hostnames: z.array(z.string().min(1)).default([]),
  store: z.string().optional(),
  externalUrl: z.string().url().optional(),
  bookmarkIntervalSeconds: z.number().positive().default(60),
  watchCacheEvents: z.number().int().positive().default(100_000),
  watchCacheWindowSeconds: z.number().positive().default(75),
  /** Period of the watch cache's idle-cluster sweep: a cluster unused for one to two periods is compressed; 0: never. */
  watchCacheIdleSweepSeconds: z.number().nonnegative().default(60),
  auditPolicyFile: z.string().min(1).optional(),
  auditLogPath: z.string().min(1).optional(),
  auditLogMaxSizeMB: z.number().nonnegative().default(100),
  auditLogMaxBackups: z.number().int().nonnegative().default(10),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  metrics: z.boolean().default(true),
  metricsPerCluster: z.boolean().default(false),
  shutdownDelaySeconds: z.number().nonnegative().default(0),
  shutdownTimeoutSeconds: z.number().positive().default(60),
}).strict();

export type ServerConfig = z.infer<typeof configSchema>;

export interface ConfigFlags {
  config?: string;
  dataDir?: string;
  listen?: string;
  hostname?: string[];
  store?: string;
  externalUrl?: string;
  auditPolicyFile?: string;
  auditLogPath?: string;
  auditLogMaxsize?: string;
  auditLogMaxbackup?: string;
  logLevel?: string;
  metrics?: boolean;
  metricsPerCluster?: boolean;
  shutdownDelaySeconds?: string;
  shutdownTimeoutSeconds?: string;
}

/** Reads the config file (if any), applies flags over it, and validates the result. */
export function loadConfig(flags: ConfigFlags): ServerConfig {
  let fromFile: Record<string, unknown> = {};
  if (flags.config) {
    let text: string;
    try { text = readFileSync(flags.config, 'utf8'); } catch (e) {
      throw new Error(`cannot read config file ${flags.config}: ${(e as Error).message}`);
    }
    const parsed = parseYaml(text) as unknown;
    if (parsed !== null && typeof parsed !== 'object') throw new Error(`config file ${flags.config} must hold a YAML mapping`);
    fromFile = (parsed ?? {}) as Record<string, unknown>;
  }
  const merged: Record<string, unknown> = { ...fromFile };
  if (flags.dataDir) merged.dataDir = flags.dataDir;
  if (flags.listen) merged.listen = flags.listen;
  if (flags.hostname?.length) merged.hostnames = flags.hostname;
  if (flags.store) merged.store = flags.store;
  if (flags.externalUrl) merged.externalUrl = flags.externalUrl;
  if (flags.auditPolicyFile) merged.auditPolicyFile = flags.auditPolicyFile;
  if (flags.auditLogPath) merged.auditLogPath = flags.auditLogPath;
  if (flags.auditLogMaxsize !== undefined) merged.auditLogMaxSizeMB = Number(flags.auditLogMaxsize);
  if (flags.auditLogMaxbackup !== undefined) merged.auditLogMaxBackups = Number(flags.auditLogMaxbackup);
  if (flags.logLevel) merged.logLevel = flags.logLevel;
  if (flags.metrics === false) merged.metrics = false;
  if (flags.metricsPerCluster) merged.metricsPerCluster = true;
  if (flags.shutdownDelaySeconds !== undefined) merged.shutdownDelaySeconds = Number(flags.shutdownDelaySeconds);
  if (flags.shutdownTimeoutSeconds !== undefined) merged.shutdownTimeoutSeconds = Number(flags.shutdownTimeoutSeconds);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return { ...result.data, dataDir: path.resolve(result.data.dataDir) };
}

export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  return { host: host || '0.0.0.0', port: Number(listen.slice(i + 1)) };
}
