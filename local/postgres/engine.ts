/**
 * The contract between the Managed Databases API (local/scaleway/rdb) and
 * the real PostgreSQL server the local platform runs behind it. The RDB API
 * calls these methods, so creating a user or changing its password through
 * the API changes a real role that clients then log in with.
 */

/** Options of {@link DatabaseEngine.createUser}. */
export interface DatabaseUserOptions {
  /**
   * Whether the role may create roles and databases (Scaleway's
   * `is_admin`). Default: false.
   */
  admin?: boolean;
}

/**
 * A privilege a role can be given on a database, as Scaleway names them:
 * `readonly` (connect, read every table), `readwrite` (also insert,
 * update, delete), `all` (also create tables: what an owner can do) and
 * `none` (no access). Scaleway's fifth value, `custom`, only describes
 * grants made outside the API and cannot be set.
 */
export type DatabasePermission = 'readonly' | 'readwrite' | 'all' | 'none';

/** A database of the server and its size on disk. */
export interface DatabaseSize {
  name: string;
  sizeBytes: number;
}

/**
 * A running PostgreSQL server that accepts only TLS connections with
 * scram-sha-256 password authentication.
 *
 * Role and database names are validated (letters, digits, `_` and `-`,
 * starting with a letter, at most 63 characters; not `pg_*` nor the
 * engine's own superuser); an invalid name rejects with
 * `InvalidIdentifierError` (local/postgres/errors.ts). Passwords are passed to the
 * server as literals and are never logged or put in an error message.
 *
 * @example
 * ```ts
 * const engine = await startPostgres({ port: 0 });
 * await engine.createUser('app', 'S3cret!pass', { admin: false });
 * const ca = engine.caCertificatePem();
 * // connect with pg: { host: engine.host, port: engine.port,
 * //   ssl: { ca, servername: 'localhost' } }
 * await engine.close();
 * ```
 */
export interface DatabaseEngine {
  /** The host clients connect to: `localhost` (covered by the cert). */
  readonly host: string;

  /** The TCP port the server listens on (loopback only). */
  readonly port: number;

  /**
   * The PEM of the CA that signed the server certificate; what the RDB
   * certificate endpoint returns.
   */
  caCertificatePem(): string;

  /** Creates a login role; rejects with `RoleExistsError` if it exists. */
  createUser(
    name: string,
    password: string,
    options?: DatabaseUserOptions,
  ): Promise<void>;

  /** Changes a role's password; rejects with `RoleNotFoundError`. */
  setPassword(name: string, password: string): Promise<void>;

  /** Grants or revokes admin rights; rejects with `RoleNotFoundError`. */
  setAdmin(name: string, admin: boolean): Promise<void>;

  /**
   * Drops a role: in every database, its objects are reassigned to the
   * superuser and its grants revoked first. Rejects with
   * `RoleNotFoundError`.
   */
  deleteUser(name: string): Promise<void>;

  /** Lists the login roles created through this engine, by name. */
  listUsers(): Promise<{ name: string; admin: boolean }[]>;

  /** Creates a database; rejects with `DatabaseExistsError` if it exists. */
  createDatabase(name: string, owner?: string): Promise<void>;

  /**
   * Creates a database that only the roles given a privilege on it (see
   * {@link DatabaseEngine.setPrivilege}) can reach: PUBLIC keeps neither
   * CONNECT nor TEMPORARY. Owned by the engine's superuser. Rejects with
   * `DatabaseExistsError` if it exists.
   */
  createManagedDatabase(name: string): Promise<void>;

  /**
   * Drops a database and the privilege groups of a managed one; rejects
   * with `DatabaseNotFoundError`.
   */
  deleteDatabase(name: string): Promise<void>;

  /** Lists the databases (not the templates) with their size. */
  listDatabases(): Promise<DatabaseSize[]>;

  /**
   * Replaces a role's privilege on a database with `permission`, for
   * real: the role joins the database's group of that level, which holds
   * the grants on the database, on schema `public`, on its tables and
   * sequences, and default privileges on the tables and sequences any
   * `all` role creates later. `none` leaves every group. Rejects with
   * `RoleNotFoundError` or `DatabaseNotFoundError`.
   */
  setPrivilege(
    database: string,
    role: string,
    permission: DatabasePermission,
  ): Promise<void>;

  /** Stops the server. Safe to call twice. */
  close(): Promise<void>;
}

/** Options of `startPostgres` (local/postgres/server.ts). */
export interface PostgresOptions {
  /** TCP port; 0 picks a free one. Default: 0. */
  port?: number;
  /**
   * Folder for the cluster and the CA. Reused (CA and roles kept) when it
   * already holds a cluster. When the platform runs as root, PostgreSQL
   * runs as the `postgres` account, which must be able to traverse it. Default: a fresh folder under os.tmpdir(),
   * removed on close.
   */
  dataDir?: string;
}
