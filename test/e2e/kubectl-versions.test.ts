// End-to-end: a short kubectl journey with every kubectl from 1.27 to 1.33 (the binaries kubectl.1.27 ... kubectl.1.33
// beside `kubectl`) against one server: discovery (1.27-1.29 ask for aggregated discovery v2beta1), get, create,
// apply, delete, auth can-i and watch.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { runKubectl, startHarness, type Harness } from '../support/harness.ts';

const VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];
const kubectlDir = path.dirname(realpathSync(execFileSync('which', ['kubectl']).toString().trim()));

describe('kubectl 1.27 to 1.33', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => { await h?.close(); });

  for (const v of VERSIONS) {
    it(`kubectl ${v}: api-resources, get, create, apply, delete, auth can-i, watch`, async () => {
      const binary = path.join(kubectlDir, `kubectl.${v}`);
      const home = path.join(h.dir, `home-${v}`);
      const ns = `v${v.replace('.', '-')}`;
      const k = async (args: string[], input?: string) => {
        const r = await runKubectl(args, { home, kubeconfig: h.kubeconfig, binary, input });
        assert.equal(r.code, 0, `kubectl.${v} ${args.join(' ')}: ${r.stderr}`);
        return r.stdout;
      };
      const resources = await k(['api-resources', '-o', 'name']);
      for (const r of ['namespaces', 'jobs.batch', 'ingresses.networking.k8s.io', 'horizontalpodautoscalers.autoscaling']) {
        assert.ok(resources.split('\n').includes(r), `${r} in api-resources`);
      }
      assert.match(await k(['get', 'ns']), /^default\s+Active/m);
      assert.match(await k(['create', 'namespace', ns]), new RegExp(`namespace/${ns} created`));
      // A watch started before the change sees it.
      const watch = spawn(binary, ['--kubeconfig', h.kubeconfig, '--cache-dir', path.join(home, 'cache'), 'get', 'configmaps',
        '-n', ns, '-w', '--output-watch-events', '-o', 'jsonpath={.type} {.object.metadata.name}{"\\n"}'], { env: { ...process.env, HOME: home } });
      let watched = '';
      const sawAdded = new Promise<void>((resolve) => watch.stdout.on('data', (d: Buffer) => {
        watched += d.toString();
        if (watched.includes('ADDED app')) resolve();
      }));
      try {
        assert.match(await k(['-n', ns, 'create', 'configmap', 'app', '--from-literal=a=1']), /configmap\/app created/);
        await Promise.race([sawAdded, new Promise((_, reject) => setTimeout(() => reject(new Error(`watch saw: ${watched}`)), 20_000))]);
      } finally {
        watch.kill();
      }
      assert.equal(await k(['-n', ns, 'get', 'configmap', 'app', '-o', 'jsonpath={.data.a}']), '1');
      const job = `apiVersion: batch/v1\nkind: Job\nmetadata: { name: once }\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{ name: c, image: busybox:1.36 }]\n`;
      assert.match(await k(['-n', ns, 'apply', '-f', '-'], job), /job.batch\/once created/);
      assert.match(await k(['-n', ns, 'apply', '-f', '-'], job), /job.batch\/once unchanged/);
      assert.equal((await k(['auth', 'can-i', 'create', 'jobs.batch', '-n', ns])).trim(), 'yes');
      assert.match(await k(['delete', 'namespace', ns, '--wait=false']), new RegExp(`namespace "${ns}" deleted`));
    });
  }
});
