// The module graph's rules (docs/architecture.md): no import cycle; each folder imports only the folders LAYERS
// allows (the core imports no feature module); a module is entered only through its public index.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** What each folder of src/ may import besides itself (server/ is the composition root, cli/ the commands). */
export const LAYERS: Record<string, readonly string[]> = {
  'apiserver': ['pki'],
  'pki': [],
  'auth': ['apiserver', 'pki'],
  'audit': ['apiserver'],
  'admission': ['apiserver', 'auth'],
  'console': ['apiserver'],
  'platform': ['apiserver', 'auth', 'pki'],
  'credentials': ['apiserver', 'pki', 'platform'],
  'identity': ['apiserver', 'pki', 'platform', 'credentials'],
  'clusters': ['apiserver', 'admission', 'platform', 'credentials'],
  'observability': ['apiserver', 'audit'],
  'server': [
    'apiserver', 'pki', 'auth', 'audit', 'admission', 'console', 'platform', 'credentials', 'identity', 'clusters',
    'observability',
    'cli', // server/backup.ts reuses cli/progress.ts: to move (the commands should be the only users of cli/)
  ],
  'cli': ['server', 'pki'],
  'main.ts': ['cli'],
};

/** Feature modules: entered from outside only through their index.ts (nested ones too, inside their parent). */
const MODULES = ['admission', 'audit', 'auth/authn', 'auth/authz/rbac', 'auth/rbac-module', 'clusters', 'console',
  'credentials', 'identity', 'observability', 'platform'];

/** Tests, test support and benchmarks may reach into a module's files; they must still not close a cycle. */
const isTestCode = (f: string): boolean =>
  !f.startsWith('src/') || f.endsWith('.test.ts') || f.endsWith('-test-support.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** file -> files it imports (static, type-only, re-exports and dynamic imports), repository-relative. */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(path.join(ROOT, f), 'utf8'), true, true);
    const targets = info.importedFiles.filter((i) => i.fileName.startsWith('.'))
      .map((i) => path.normalize(path.join(path.dirname(f), i.fileName)));
    graph.set(f, [...new Set(targets)]);
  }
  return graph;
}

/** The import cycles (strongly connected components of more than one file, or a file importing itself). */
export function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], on = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next++); stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const comp: string[] = [];
    for (let w = ''; w !== v;) { w = stack.pop()!; on.delete(w); comp.push(w); }
    if (comp.length > 1 || graph.get(v)?.includes(v)) found.push(comp.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const folderOf = (f: string): string => f.split('/')[1]!;

/** Imports that cross into a folder LAYERS does not allow. */
export function layerViolations(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    if (isTestCode(from)) continue;
    const allowed = LAYERS[folderOf(from)];
    for (const to of targets) {
      if (!to.startsWith('src/') || folderOf(to) === folderOf(from)) continue;
      if (!allowed?.includes(folderOf(to))) out.push(`${from} -> ${to}`);
    }
  }
  return out;
}

/** The module folders containing `f`, outermost first (a folder with an index.ts inside a module is one too). */
function modulesOf(f: string): string[] {
  const dirs: string[] = [];
  const parts = path.dirname(f).split('/');
  for (let i = 2; i <= parts.length; i++) {
    const dir = parts.slice(1, i).join('/');
    const inModule = MODULES.includes(dir) || (dirs.length > 0 && existsSync(path.join(ROOT, 'src', dir, 'index.ts')));
    if (inModule) dirs.push(dir);
  }
  return dirs;
}

/** Imports of a module's file other than its index.ts from outside that module. */
export function internalsViolations(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    if (isTestCode(from)) continue;
    for (const to of targets) {
      const outer = modulesOf(to).find((m) => !from.startsWith(`src/${m}/`));
      if (outer === undefined || to === `src/${outer}/index.ts`) continue;
      out.push(`${from} -> ${to} (use src/${outer}/index.ts)`);
    }
  }
  return out;
}

const graph = importGraph([...sourceFiles('src'), ...sourceFiles('test'), ...sourceFiles('bench')]);

test('every feature module has a public index.ts', () => {
  assert.deepEqual(MODULES.filter((m) => !existsSync(path.join(ROOT, 'src', m, 'index.ts'))), []);
  assert.deepEqual(readdirSync(path.join(ROOT, 'src')).filter((f) => !(f in LAYERS)), [], 'a new folder needs LAYERS');
});

test('no import cycle', () => {
  assert.deepEqual(cycles(graph), []);
});

test('each folder imports only what LAYERS allows: the core imports no feature module', () => {
  assert.deepEqual(layerViolations(graph), []);
});

test('modules are imported through their public index.ts', () => {
  assert.deepEqual(internalsViolations(graph), []);
});

test('the checks catch a cycle, a core import of a feature and an import of internals', () => {
  const g = new Map<string, string[]>([
    ['src/apiserver/a.ts', ['src/apiserver/b.ts', 'src/platform/index.ts']],
    ['src/apiserver/b.ts', ['src/apiserver/a.ts']],
    ['src/identity/x.ts', ['src/credentials/tokens/platform-tokens.ts', 'src/credentials/index.ts']],
    ['src/credentials/tokens/y.ts', ['src/credentials/scope/scope.ts', 'src/credentials/scope/index.ts']],
  ]);
  assert.deepEqual(cycles(g), [['src/apiserver/a.ts', 'src/apiserver/b.ts']]);
  assert.deepEqual(layerViolations(g), ['src/apiserver/a.ts -> src/platform/index.ts']);
  assert.deepEqual(internalsViolations(g), [
    'src/identity/x.ts -> src/credentials/tokens/platform-tokens.ts (use src/credentials/index.ts)',
    'src/credentials/tokens/y.ts -> src/credentials/scope/scope.ts (use src/credentials/scope/index.ts)',
  ]);
});
