import pg from 'pg';
import type { DatabaseEngine } from '../../local/postgres/engine.ts';

/** How a test client reaches the engine. */
export type SslMode = 'verify-full' | 'disable';

/**
 * Opens a `pg` connection as `user`, in sslmode verify-full (the CA the
 * engine returns, server name `localhost`) or without TLS.
 */
export async function connectAs(
  engine: DatabaseEngine,
  user: string,
  password: string,
  sslmode: SslMode = 'verify-full',
): Promise<pg.Client> {
  const client = new pg.Client({
    host: engine.host,
    port: engine.port,
    user,
    password,
    database: 'postgres',
    ssl:
      sslmode === 'disable'
        ? false
        : {
            ca: engine.caCertificatePem(),
            servername: 'localhost',
            rejectUnauthorized: true,
          },
  });
  await client.connect();

  return client;
}

/** The error code (SQLSTATE) a failed login gives, or `connected`. */
export async function loginOutcome(
  engine: DatabaseEngine,
  user: string,
  password: string,
  sslmode: SslMode = 'verify-full',
): Promise<string> {
  try {
    const client = await connectAs(engine, user, password, sslmode);
    await client.end();
    return 'connected';
  } catch (error) {
    return (error as { code?: string }).code ?? 'failed';
  }
}
