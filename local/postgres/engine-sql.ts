import pg from 'pg';
import type { DatabaseEngine, DatabaseUserOptions } from './engine.ts';
import {
  DatabaseEngineError,
  DatabaseExistsError,
  DatabaseNotFoundError,
  InvalidIdentifierError,
  RoleExistsError,
  RoleNotFoundError,
} from './errors.ts';

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

/** The superuser the engine itself logs in as; not manageable. */
export const SUPERUSER = 'local_superuser';

/** Connection settings of the engine's own pool. */
export interface AdminConnection {
  host: string;
  port: number;
  password: string;
  caCertificatePem: string;
}

/**
 * The SQL half of {@link DatabaseEngine}: role and database changes made
 * through a superuser pool over TLS. Passwords go to the server as quoted
 * literals in DDL (PostgreSQL cannot bind them); the server logs no
 * statement text, and no error raised here carries one.
 */
export class SqlDatabaseAdmin {
  readonly #pool: pg.Pool;

  constructor(connection: AdminConnection) {
    this.#pool = new pg.Pool({
      host: connection.host,
      port: connection.port,
      user: SUPERUSER,
      password: connection.password,
      database: 'postgres',
      max: 2,
      ssl: { ca: connection.caCertificatePem, servername: 'localhost' },
    });
    // An idle client the server closes (e.g. at shutdown) emits an error
    // that carries the connection settings, password included: it must
    // neither crash the process nor reach a log. The pool replaces it.
    this.#pool.on('error', () => undefined);
  }

  async createUser(
    name: string,
    password: string,
    options: DatabaseUserOptions = {},
  ): Promise<void> {
    const role = identifier(name);
    const rights = options.admin ? 'CREATEDB CREATEROLE' : '';

    await this.#run(
      `CREATE ROLE ${role} LOGIN ${rights} PASSWORD ${literal(password)}`,
      { duplicate: () => new RoleExistsError(name) },
    );
  }

  async setPassword(name: string, password: string): Promise<void> {
    const role = identifier(name);

    await this.#run(`ALTER ROLE ${role} PASSWORD ${literal(password)}`, {
      missing: () => new RoleNotFoundError(name),
    });
  }

  async setAdmin(name: string, admin: boolean): Promise<void> {
    const role = identifier(name);
    const rights = admin ? 'CREATEDB CREATEROLE' : 'NOCREATEDB NOCREATEROLE';

    await this.#run(`ALTER ROLE ${role} ${rights}`, {
      missing: () => new RoleNotFoundError(name),
    });
  }

  async deleteUser(name: string): Promise<void> {
    const role = identifier(name);
    const superuser = pg.escapeIdentifier(SUPERUSER);

    // Limitation (#3): objects the role owns are reassigned only in the
    // `postgres` database; a role owning objects elsewhere cannot be dropped.
    await this.#run(`REASSIGN OWNED BY ${role} TO ${superuser}`, {
      missing: () => new RoleNotFoundError(name),
    });
    await this.#run(`DROP OWNED BY ${role}`, {});
    await this.#run(`DROP ROLE ${role}`, {
      missing: () => new RoleNotFoundError(name),
    });
  }

  async listUsers(): Promise<{ name: string; admin: boolean }[]> {
    const result = await this.#pool.query<{ name: string; admin: boolean }>(
      `SELECT rolname AS name, rolcreaterole AS admin FROM pg_roles
       WHERE rolcanlogin AND rolname <> $1 AND rolname NOT LIKE 'pg\\_%'
       ORDER BY rolname`,
      [SUPERUSER],
    );

    return result.rows;
  }

  async createDatabase(name: string, owner?: string): Promise<void> {
    const database = identifier(name);
    const ownedBy = owner === undefined ? '' : ` OWNER ${identifier(owner)}`;

    await this.#run(`CREATE DATABASE ${database}${ownedBy}`, {
      duplicate: () => new DatabaseExistsError(name),
      missing: () => new RoleNotFoundError(owner ?? ''),
    });
  }

  async deleteDatabase(name: string): Promise<void> {
    const database = identifier(name);

    await this.#run(`DROP DATABASE ${database} WITH (FORCE)`, {
      missing: () => new DatabaseNotFoundError(name),
    });
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #run(
    sql: string,
    errors: {
      duplicate?: () => DatabaseEngineError;
      missing?: () => DatabaseEngineError;
    },
  ): Promise<void> {
    try {
      await this.#pool.query(sql);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const duplicate = code === '42710' || code === '42P04';
      const missing = code === '42704' || code === '3D000';
      if (duplicate && errors.duplicate) {
        throw errors.duplicate();
      }
      if (missing && errors.missing) {
        throw errors.missing();
      }

      // the statement may hold a password: keep only the SQLSTATE
      throw new DatabaseEngineError(`statement failed (SQLSTATE ${code})`);
    }
  }
}

function identifier(name: string): string {
  const reserved = name === SUPERUSER || name.startsWith('pg_');
  if (!IDENTIFIER.test(name) || reserved) {
    throw new InvalidIdentifierError(name);
  }

  return pg.escapeIdentifier(name);
}

function literal(value: string): string {
  return pg.escapeLiteral(value);
}
