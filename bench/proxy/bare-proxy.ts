// A bare Node HTTPS reverse proxy for bench/proxy: the same TLS setup as Portcullis (its server key and certificate,
// client certificates requested), every request forwarded to one upstream over keep-alive HTTPS connections, the
// response piped back. No authentication, authorization, audit or metrics: what any Node proxy pays per request, the
// floor under Portcullis' front.
// Usage: node --import tsx bare-proxy.ts <pki dir> <upstream URL> <upstream CA file>
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

const [pkiDir, target, upstreamCa] = process.argv.slice(2);
const up = new URL(target);
const ca = readFileSync(path.join(pkiDir, 'ca.crt'), 'utf8');
const agent = new https.Agent({ keepAlive: true, noDelay: true, ca: readFileSync(upstreamCa, 'utf8') });
const server = https.createServer({
  key: readFileSync(path.join(pkiDir, 'server.key'), 'utf8'), cert: readFileSync(path.join(pkiDir, 'server.crt'), 'utf8'),
  ca, requestCert: true, rejectUnauthorized: false, noDelay: true,
}, (req, res) => {
  const headers = { ...req.headers };
  delete headers.host;
  delete headers.connection;
  const out = https.request({ hostname: up.hostname, port: up.port, method: req.method, path: req.url, headers, agent }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  out.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(out);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
