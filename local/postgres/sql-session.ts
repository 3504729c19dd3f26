import pg from 'pg';
import { DatabaseEngineError, DatabaseNotFoundError } from './errors.ts';

/** The superuser the engine itself logs in as; not manageable. */
export const SUPERUSER = 'local_superuser';

/** Connection settings of the engine's own pool. */
export interface AdminConnection {
  host: string;
  port: number;
  password: string;
  caCertificatePem: string;
}

/** What a failed statement becomes, by the class of its SQLSTATE. */
export interface StatementErrors {
  /** 42710 (duplicate object) or 42P04 (duplicate database). */
  duplicate?: () => DatabaseEngineError;
  /** 42704 (undefined object) or 3D000 (invalid catalog name). */
  missing?: () => DatabaseEngineError;
}

/**
 * The engine's superuser connections over TLS: a small pool on the
 * `postgres` database, and one-off connections to the others. A failure
 * is rethrown with its SQLSTATE only: a statement may hold a password
 * literal, a connection error the connection settings.
 */
export class SqlSession {
  readonly #pool: pg.Pool;
  readonly #connection: AdminConnection;

  constructor(connection: AdminConnection) {
    this.#connection = connection;
    this.#pool = new pg.Pool({ ...clientConfig(connection), max: 2 });
    // An idle client the server closes (e.g. at shutdown) emits an error
    // that carries the connection settings, password included: it must
    // neither crash the process nor reach a log. The pool replaces it.
    this.#pool.on('error', () => undefined);
  }

  /** Runs one statement in `postgres`. */
  async run(sql: string, errors: StatementErrors = {}): Promise<void> {
    try {
      await this.#pool.query(sql);
    } catch (error) {
      const code = sqlState(error);
      const duplicate = code === '42710' || code === '42P04';
      const missing = code === '42704' || code === '3D000';
      if (duplicate && errors.duplicate) {
        throw errors.duplicate();
      }
      if (missing && errors.missing) {
        throw errors.missing();
      }

      throw statementFailed(code);
    }
  }

  /** The rows of a catalog query in `postgres` (bound values only). */
  async rows<T extends pg.QueryResultRow>(
    sql: string,
    values: unknown[] = [],
  ): Promise<T[]> {
    const result = await this.#pool.query<T>(sql, values);

    return result.rows;
  }

  /**
   * Runs statements in one transaction inside `database`, on a
   * connection of its own (a pool serves one database only). Rejects
   * with `DatabaseNotFoundError` when the database does not exist.
   */
  async inDatabase(
    database: string,
    statements: readonly string[],
  ): Promise<void> {
    const client = new pg.Client({
      ...clientConfig(this.#connection),
      database,
    });
    // see the pool's handler: such an error may carry the password
    client.on('error', () => undefined);

    try {
      await client.connect();
      await client.query(['BEGIN', ...statements, 'COMMIT'].join(';\n'));
    } catch (error) {
      const code = sqlState(error);
      if (code === '3D000') {
        throw new DatabaseNotFoundError(database);
      }

      throw statementFailed(code);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

function clientConfig(connection: AdminConnection): pg.ClientConfig {
  return {
    host: connection.host,
    port: connection.port,
    user: SUPERUSER,
    password: connection.password,
    database: 'postgres',
    ssl: { ca: connection.caCertificatePem, servername: 'localhost' },
  };
}

function sqlState(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

function statementFailed(code: string | undefined): DatabaseEngineError {
  return new DatabaseEngineError(`statement failed (SQLSTATE ${code})`);
}
