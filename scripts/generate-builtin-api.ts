// Regenerates src/apiserver/registry/builtin-resources.json (the resource table of every built-in API a Kubernetes
// 1.32 cluster serves by default) from the vendored OpenAPI document vendor/kubernetes-1.32/swagger.json.
// Usage: node --import tsx scripts/generate-builtin-api.ts [--check]   (--check: fail if the committed table differs)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildResourceTable, renderResourceTable } from '../src/apiserver/registry/builtin-table-gen.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const swaggerPath = `${root}vendor/kubernetes-1.32/swagger.json`;
const outPath = `${root}src/apiserver/registry/builtin-resources.json`;

const text = renderResourceTable(buildResourceTable(JSON.parse(readFileSync(swaggerPath, 'utf8'))));
if (process.argv.includes('--check')) {
  if (readFileSync(outPath, 'utf8') !== text) {
    console.error(`${outPath} is out of date: run node --import tsx scripts/generate-builtin-api.ts`);
    process.exit(1);
  }
  console.log('builtin-resources.json is up to date');
} else {
  writeFileSync(outPath, text);
  console.log(`wrote ${outPath}`);
}
