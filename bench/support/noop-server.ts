// Reference HTTPS servers for side-by-side benchmarks: same TLS setup as Portcullis (ECDSA cert, client certs
// requested). Per path, either pre-recorded bytes ("no-op": the request body is not even read) or, with
// `parse`, a bare JSON endpoint: read the body, JSON.parse it, answer JSON.stringify of it with the recorded
// reply's extra top-level fields — what any Node server doing the least real work pays.
// Usage: node --import tsx noop-server.ts <config.json>
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

interface NoopConfig {
  key: string; cert: string; ca: string;
  responses: Record<string, { contentType: string; body: string; status?: number; parse?: boolean }>;
}

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as NoopConfig;
const routes = new Map(Object.entries(cfg.responses).map(([p, r]) => {
  const recorded = JSON.parse(r.body) as Record<string, unknown>;
  return [p, { type: r.contentType, status: r.status ?? 200, body: Buffer.from(r.body), parse: r.parse === true, recorded }];
}));
const server = https.createServer({ key: cfg.key, cert: cfg.cert, ca: cfg.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
  const r = routes.get(req.url ?? '');
  if (!r) { res.writeHead(404); res.end(); return; }
  if (!r.parse) {
    res.writeHead(r.status, { 'Content-Type': r.type, 'Content-Length': r.body.length });
    res.end(r.body);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const reply = { ...(JSON.parse(Buffer.concat(chunks).toString()) as object), ...r.recorded };
    const text = JSON.stringify(reply);
    res.writeHead(r.status, { 'Content-Type': r.type, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
