// A no-op HTTPS server for side-by-side benchmarks: same TLS setup as Portcullis (ECDSA cert, client certs
// requested), answering pre-recorded bytes by path. Usage: node --import tsx noop-server.ts <config.json>
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

interface NoopConfig { key: string; cert: string; ca: string; responses: Record<string, { contentType: string; body: string }> }

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as NoopConfig;
const bodies = new Map(Object.entries(cfg.responses).map(([p, r]) => [p, { type: r.contentType, body: Buffer.from(r.body) }]));
const server = https.createServer({ key: cfg.key, cert: cfg.cert, ca: cfg.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
  const r = bodies.get(req.url ?? '');
  if (!r) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'Content-Type': r.type, 'Content-Length': r.body.length });
  res.end(r.body);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
