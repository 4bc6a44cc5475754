// Test support for the PostgreSQL backend: a throwaway database per test run on the local server, and a TCP
// proxy in front of it that a test can cut (destroy every connection, refuse new ones) and restore.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_HOST = process.env.PORTCULLIS_TEST_PG_HOST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.PORTCULLIS_TEST_PG_PORT ?? 5432);
const PG_USER = process.env.PORTCULLIS_TEST_PG_USER ?? 'postgres';

export function pgUrl(database: string, port = PG_PORT): string {
  return `postgres://${PG_USER}@${PG_HOST}:${port}/${database}`;
}

export interface TestDatabase { name: string; url(port?: number): string; drop(): Promise<void> }

/** CREATE DATABASE portcullis_test_<random> (UTF8); drop() removes it, closing any connections left. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `portcullis_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  return {
    name,
    url: (port?: number) => pgUrl(name, port),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A TCP proxy to PostgreSQL whose connections the test can cut. */
export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target = { host: PG_HOST, port: PG_PORT }) {}

  /** Starts accepting (on the same port as before after a cut). */
  async listen(): Promise<void> {
    const server = net.createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Destroys every open connection and refuses new ones until listen() is called again. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get connections(): number { return this.sockets.size; }

  async close(): Promise<void> { await this.cut(); }

  private pipe(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => { client.destroy(); upstream.destroy(); });
      s.on('close', () => { this.sockets.delete(s); client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
