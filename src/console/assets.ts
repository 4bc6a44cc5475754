// The console's built files (web/dist, made by `npm run build:web`), loaded once into memory with gzip variants,
// and index.html with a per-response CSP nonce for the component library's style elements.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const DEFAULT_DIST = path.resolve(import.meta.dirname, '../../web/dist');

export interface Asset { body: Buffer; gzip?: Buffer; type: string }
export interface ConsoleAssets { index: string; files: Map<string, Asset> }

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.woff2': 'font/woff2', '.json': 'application/json', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json',
};
const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json', '.map', '.txt']);
/** Where index.html carries the nonce (the app reads it for its style elements). */
export const NONCE_PLACEHOLDER = '__CSP_NONCE__';

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p, base) : [path.relative(base, p).split(path.sep).join('/')];
  });
}

/** The built console, or undefined when it has not been built. */
export function loadAssets(dist = DEFAULT_DIST): ConsoleAssets | undefined {
  const indexFile = path.join(dist, 'index.html');
  if (!existsSync(indexFile)) return undefined;
  const files = new Map<string, Asset>();
  for (const rel of walk(dist)) {
    if (rel === 'index.html') continue;
    const ext = path.extname(rel);
    const body = readFileSync(path.join(dist, rel));
    files.set(rel, { body, type: TYPES[ext] ?? 'application/octet-stream', gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined });
  }
  return { index: readFileSync(indexFile, 'utf8'), files };
}
