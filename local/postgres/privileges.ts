import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * The SQL behind `DatabaseEngine.setPrivilege`. Each managed database has
 * one NOLOGIN group role per level (`readonly`, `readwrite`, `all`) that
 * holds that level's grants; a role's privilege is its membership of one
 * group. Grants on objects created later come from default privileges set
 * for every creator, i.e. the superuser and each member of the `all`
 * group, so a table one `all` role creates is usable by the others (the
 * two roles of an alternating pair, R-06).
 */

/** The levels a group stands for, lowest first. */
export const PRIVILEGE_LEVELS = ['readonly', 'readwrite', 'all'] as const;

/** A level of privilege that a group holds. */
export type PrivilegeLevel = (typeof PRIVILEGE_LEVELS)[number];

interface LevelRights {
  database: string;
  schema: string;
  tables: string;
  sequences: string;
}

const RIGHTS: Record<PrivilegeLevel, LevelRights> = {
  readonly: {
    database: 'CONNECT',
    schema: 'USAGE',
    tables: 'SELECT',
    sequences: 'SELECT',
  },
  readwrite: {
    database: 'CONNECT, TEMPORARY',
    schema: 'USAGE',
    tables: 'SELECT, INSERT, UPDATE, DELETE',
    sequences: 'USAGE, SELECT, UPDATE',
  },
  all: {
    database: 'ALL',
    schema: 'USAGE, CREATE',
    tables: 'ALL',
    sequences: 'ALL',
  },
};

/**
 * The group role of one level on a database: `_rdb_<digest>_<level>`.
 * The digest keeps the name under 63 bytes for any database name; the
 * leading underscore keeps it out of the names the API accepts for users.
 */
export function privilegeGroup(
  database: string,
  level: PrivilegeLevel,
): string {
  const digest = createHash('sha256')
    .update(database)
    .digest('hex')
    .slice(0, 16);

  return `_rdb_${digest}_${level}`;
}

/** The three groups of a database, by level. */
export function privilegeGroups(
  database: string,
): Record<PrivilegeLevel, string> {
  return {
    readonly: privilegeGroup(database, 'readonly'),
    readwrite: privilegeGroup(database, 'readwrite'),
    all: privilegeGroup(database, 'all'),
  };
}

/**
 * Database-level statements (run from any database): PUBLIC loses its
 * default CONNECT and TEMPORARY, each group gets its level's rights.
 */
export function databaseGrants(database: string): string[] {
  const target = pg.escapeIdentifier(database);
  const groups = privilegeGroups(database);

  return [
    `REVOKE ALL ON DATABASE ${target} FROM PUBLIC`,
    ...PRIVILEGE_LEVELS.map(
      (level) =>
        `GRANT ${RIGHTS[level].database} ON DATABASE ${target} ` +
        `TO ${pg.escapeIdentifier(groups[level])}`,
    ),
  ];
}

/**
 * Statements run inside the database: rights on schema `public`, on its
 * present tables and sequences, and default privileges on those each of
 * `creators` makes later. Idempotent.
 */
export function schemaGrants(
  database: string,
  creators: readonly string[],
): string[] {
  const groups = privilegeGroups(database);
  const statements: string[] = [];
  for (const level of PRIVILEGE_LEVELS) {
    const group = pg.escapeIdentifier(groups[level]);
    const rights = RIGHTS[level];
    statements.push(
      `GRANT ${rights.schema} ON SCHEMA public TO ${group}`,
      `GRANT ${rights.tables} ON ALL TABLES IN SCHEMA public TO ${group}`,
      `GRANT ${rights.sequences} ON ALL SEQUENCES IN SCHEMA public ` +
        `TO ${group}`,
    );
    for (const creator of creators) {
      const defaults =
        `ALTER DEFAULT PRIVILEGES FOR ROLE ${pg.escapeIdentifier(creator)} ` +
        'IN SCHEMA public GRANT';
      statements.push(
        `${defaults} ${rights.tables} ON TABLES TO ${group}`,
        `${defaults} ${rights.sequences} ON SEQUENCES TO ${group}`,
      );
    }
  }

  return statements;
}
