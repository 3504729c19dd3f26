import pg from 'pg';
import type {
  DatabaseEngine,
  DatabasePermission,
  DatabaseSize,
  DatabaseUserOptions,
} from './engine.ts';
import {
  DatabaseExistsError,
  DatabaseNotFoundError,
  InvalidIdentifierError,
  RoleExistsError,
  RoleNotFoundError,
} from './errors.ts';
import {
  databaseGrants,
  PRIVILEGE_LEVELS,
  privilegeGroups,
  schemaGrants,
} from './privileges.ts';
import { type AdminConnection, SqlSession, SUPERUSER } from './sql-session.ts';

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

export { type AdminConnection, SUPERUSER } from './sql-session.ts';

/**
 * The SQL half of {@link DatabaseEngine}: role, database and privilege
 * changes made as the superuser over TLS. Passwords go to the server as
 * quoted literals in DDL (PostgreSQL cannot bind them); the server logs
 * no statement text, and no error raised here carries one.
 */
export class SqlDatabaseAdmin {
  readonly #sql: SqlSession;

  constructor(connection: AdminConnection) {
    this.#sql = new SqlSession(connection);
  }

  async createUser(
    name: string,
    password: string,
    options: DatabaseUserOptions = {},
  ): Promise<void> {
    const role = identifier(name);
    const rights = options.admin ? 'CREATEDB CREATEROLE' : '';

    await this.#sql.run(
      `CREATE ROLE ${role} LOGIN ${rights} PASSWORD ${literal(password)}`,
      { duplicate: () => new RoleExistsError(name) },
    );
  }

  async setPassword(name: string, password: string): Promise<void> {
    const role = identifier(name);

    await this.#sql.run(`ALTER ROLE ${role} PASSWORD ${literal(password)}`, {
      missing: () => new RoleNotFoundError(name),
    });
  }

  async setAdmin(name: string, admin: boolean): Promise<void> {
    const role = identifier(name);
    const rights = admin ? 'CREATEDB CREATEROLE' : 'NOCREATEDB NOCREATEROLE';

    await this.#sql.run(`ALTER ROLE ${role} ${rights}`, {
      missing: () => new RoleNotFoundError(name),
    });
  }

  async deleteUser(name: string): Promise<void> {
    const role = identifier(name);
    const superuser = pg.escapeIdentifier(SUPERUSER);
    if (!(await this.#roleExists(name))) {
      throw new RoleNotFoundError(name);
    }

    // its objects and grants live in each database: clear them everywhere
    const clear = [
      `REASSIGN OWNED BY ${role} TO ${superuser}`,
      `DROP OWNED BY ${role}`,
    ];
    for (const database of await this.#connectableDatabases()) {
      await this.#sql.inDatabase(database, clear).catch((error: unknown) => {
        // dropped since it was listed: nothing left to clear there
        if (!(error instanceof DatabaseNotFoundError)) throw error;
      });
    }
    await this.#sql.run(`DROP ROLE ${role}`, {
      missing: () => new RoleNotFoundError(name),
    });
  }

  async listUsers(): Promise<{ name: string; admin: boolean }[]> {
    return this.#sql.rows<{ name: string; admin: boolean }>(
      `SELECT rolname AS name, rolcreaterole AS admin FROM pg_roles
       WHERE rolcanlogin AND rolname <> $1 AND rolname NOT LIKE 'pg\\_%'
       ORDER BY rolname`,
      [SUPERUSER],
    );
  }

  async createDatabase(name: string, owner?: string): Promise<void> {
    const database = identifier(name);
    const ownedBy = owner === undefined ? '' : ` OWNER ${identifier(owner)}`;

    await this.#sql.run(`CREATE DATABASE ${database}${ownedBy}`, {
      duplicate: () => new DatabaseExistsError(name),
      missing: () => new RoleNotFoundError(owner ?? ''),
    });
  }

  async createManagedDatabase(name: string): Promise<void> {
    await this.createDatabase(name);
    await this.#preparePrivileges(name);
  }

  async deleteDatabase(name: string): Promise<void> {
    const database = identifier(name);
    const groups = Object.values(privilegeGroups(name))
      .map((group) => pg.escapeIdentifier(group))
      .join(', ');

    await this.#sql.run(`DROP DATABASE ${database} WITH (FORCE)`, {
      missing: () => new DatabaseNotFoundError(name),
    });
    await this.#sql.run(`DROP ROLE IF EXISTS ${groups}`);
  }

  async listDatabases(): Promise<DatabaseSize[]> {
    const rows = await this.#sql.rows<{ name: string; size: string }>(
      `SELECT datname AS name, pg_database_size(datname)::text AS size
       FROM pg_database WHERE NOT datistemplate ORDER BY datname`,
    );

    return rows.map((row) => ({
      name: row.name,
      sizeBytes: Number(row.size),
    }));
  }

  async setPrivilege(
    database: string,
    role: string,
    permission: DatabasePermission,
  ): Promise<void> {
    const member = identifier(role);
    identifier(database);
    if (!(await this.#roleExists(role))) {
      throw new RoleNotFoundError(role);
    }
    if (!(await this.#databaseExists(database))) {
      throw new DatabaseNotFoundError(database);
    }

    const groups = privilegeGroups(database);
    await this.#preparePrivileges(database);
    const every = PRIVILEGE_LEVELS.map((level) =>
      pg.escapeIdentifier(groups[level]),
    ).join(', ');
    await this.#sql.run(`REVOKE ${every} FROM ${member}`);
    if (permission !== 'none') {
      const group = pg.escapeIdentifier(groups[permission]);
      await this.#sql.run(`GRANT ${group} TO ${member}`);
    }

    const creators = [SUPERUSER, ...(await this.#members(groups.all))];
    await this.#sql.inDatabase(database, schemaGrants(database, creators));
  }

  async close(): Promise<void> {
    await this.#sql.close();
  }

  /** Creates the groups of a database and its database-level grants. */
  async #preparePrivileges(database: string): Promise<void> {
    const groups = Object.values(privilegeGroups(database));
    const existing = await this.#sql.rows<{ name: string }>(
      'SELECT rolname AS name FROM pg_roles WHERE rolname = ANY($1)',
      [groups],
    );
    const known = new Set(existing.map((row) => row.name));
    for (const group of groups.filter((g) => !known.has(g))) {
      await this.#sql
        .run(`CREATE ROLE ${pg.escapeIdentifier(group)} NOLOGIN`, {
          duplicate: () => new RoleExistsError(group),
        })
        .catch((error: unknown) => {
          // created meanwhile by a concurrent call: what we wanted
          if (!(error instanceof RoleExistsError)) throw error;
        });
    }
    for (const statement of databaseGrants(database)) {
      await this.#sql.run(statement);
    }
  }

  async #roleExists(name: string): Promise<boolean> {
    const rows = await this.#sql.rows(
      'SELECT 1 FROM pg_roles WHERE rolname = $1',
      [name],
    );

    return rows.length === 1;
  }

  async #databaseExists(name: string): Promise<boolean> {
    const rows = await this.#sql.rows(
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [name],
    );

    return rows.length === 1;
  }

  async #members(group: string): Promise<string[]> {
    const rows = await this.#sql.rows<{ name: string }>(
      `SELECT m.rolname AS name FROM pg_auth_members a
       JOIN pg_roles g ON g.oid = a.roleid
       JOIN pg_roles m ON m.oid = a.member
       WHERE g.rolname = $1 ORDER BY m.rolname`,
      [group],
    );

    return rows.map((row) => row.name);
  }

  async #connectableDatabases(): Promise<string[]> {
    const rows = await this.#sql.rows<{ name: string }>(
      `SELECT datname AS name FROM pg_database
       WHERE datallowconn AND NOT datistemplate ORDER BY datname`,
    );

    return rows.map((row) => row.name);
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
