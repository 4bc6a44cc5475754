// Audit sinks: buffered asynchronous writes, size-based rotation with a bounded number of backups, flush on close.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { FileSink, StreamSink } from './sink.ts';

function tmp(): string { return mkdtempSync(path.join(os.tmpdir(), 'audit-sink-')); }
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('audit file sink', () => {
  it('writes nothing synchronously, everything after flush, one line per event', async () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'audit.log');
      const sink = new FileSink({ path: file, maxSizeBytes: 0, maxBackups: 3 });
      for (let i = 0; i < 100; i++) sink.write(JSON.stringify({ i }));
      assert.equal(existsSync(file), false, 'write() does not touch the file on the caller\'s turn');
      await sink.flush();
      assert.deepEqual(lines(file).map((l) => JSON.parse(l).i), [...Array(100).keys()]);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      sink.write('{"late":true}');
      await sink.close();
      assert.equal(lines(file).length, 101, 'close flushes');
      sink.write('{"after":"close"}');
      await sink.flush();
      assert.equal(lines(file).length, 101);
      assert.equal(sink.dropped, 1);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('keeps non-ASCII text intact across batch buffers', async () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'audit.log');
      const sink = new FileSink({ path: file, maxSizeBytes: 0, maxBackups: 1 });
      const want: string[] = [];
      for (let i = 0; i < 3000; i++) { const l = JSON.stringify({ i, user: `jürgen-€-😀-${'x'.repeat(i % 300)}` }); want.push(l); sink.write(l); }
      await sink.close();
      assert.deepEqual(lines(file), want);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('rotates at the size limit on line boundaries and keeps maxBackups files', async () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'audit.log');
      writeFileSync(file, 'x'.repeat(99) + '\n'); // existing content counts toward the limit
      const sink = new FileSink({ path: file, maxSizeBytes: 250, maxBackups: 2 });
      const line = (n: number) => JSON.stringify({ n, pad: 'y'.repeat(80) }); // ~100 bytes each
      for (let n = 0; n < 10; n++) {
        sink.write(line(n));
        if (n % 3 === 0) await sink.flush(); // mix of single writes and batches
      }
      await sink.close();
      for (const f of [file, `${file}.1`, `${file}.2`]) {
        assert.ok(statSync(f).size <= 250, `${f} within the limit`);
        for (const l of lines(f)) if (!l.startsWith('x')) JSON.parse(l);
      }
      assert.equal(existsSync(`${file}.3`), false, 'only maxBackups rotated files are kept');
      const all = [...lines(`${file}.2`), ...lines(`${file}.1`), ...lines(file)].filter((l) => !l.startsWith('x')).map((l) => JSON.parse(l).n);
      assert.deepEqual(all, all.slice().sort((a, b) => a - b), 'newest events are in the live file, older in .1, .2');
      assert.equal(all.at(-1), 9);
      assert.ok(all.length < 10, 'the oldest events were rotated away');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('with maxBackups 0 starts over in the same file', async () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'audit.log');
      const sink = new FileSink({ path: file, maxSizeBytes: 30, maxBackups: 0 });
      sink.write('a'.repeat(20));
      await sink.flush();
      sink.write('b'.repeat(20));
      await sink.close();
      assert.deepEqual(lines(file), ['b'.repeat(20)]);
      assert.equal(existsSync(`${file}.1`), false);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('drops events beyond the buffer bound instead of queueing without limit', async () => {
    const dir = tmp();
    try {
      const file = path.join(dir, 'audit.log');
      const logs: string[] = [];
      const sink = new FileSink({ path: file, maxSizeBytes: 0, maxBackups: 1, maxBufferedBytes: 50, log: (m) => logs.push(m) });
      for (let i = 0; i < 5; i++) sink.write('z'.repeat(20));
      await sink.close();
      assert.equal(lines(file).length, 2);
      assert.equal(sink.dropped, 3);
      assert.match(logs[0], /dropped/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('audit stream sink', () => {
  it('writes lines to the stream', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const sink = new StreamSink(out);
    sink.write('{"a":1}');
    sink.write('{"b":2}');
    await sink.close();
    assert.equal(chunks.join(''), '{"a":1}\n{"b":2}\n');
  });

  it('events arriving while a batch is being written wait for the next batch, not a write of their own', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const writes: string[] = [];
    let release: (() => void) | undefined;
    let arrived: (() => void) | undefined;
    const out = new Writable({ write(chunk: Buffer, _enc, done) { writes.push(chunk.toString()); release = done; arrived?.(); } });
    const written = () => new Promise<void>((r) => { arrived = r; });
    const turns = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };
    const sink = new StreamSink(out);
    sink.write('{"n":1}');
    await turns();
    assert.equal(writes.length, 0, 'the first batch waits for the gathering delay');
    let w = written();
    t.mock.timers.tick(25);
    await w;
    sink.write('{"n":2}'); // arrives while the first write is in flight
    release!();
    await turns();
    assert.equal(writes.length, 1, 'no write for the late event until its own delay has passed');
    w = written();
    t.mock.timers.tick(25);
    await w;
    release!();
    assert.deepEqual(writes, ['{"n":1}\n', '{"n":2}\n']);
    await sink.close();
  });
});
