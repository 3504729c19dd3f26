/** Root of the errors the local PostgreSQL engine raises. */
export class DatabaseEngineError extends Error {
  override name = 'DatabaseEngineError';
}

/** A role or database name outside `[A-Za-z][A-Za-z0-9_-]{0,62}`, or reserved. */
export class InvalidIdentifierError extends DatabaseEngineError {
  override name = 'InvalidIdentifierError';

  constructor(readonly identifier: string) {
    super(`invalid identifier: ${identifier}`);
  }
}

/** The role does not exist. */
export class RoleNotFoundError extends DatabaseEngineError {
  override name = 'RoleNotFoundError';

  constructor(readonly role: string) {
    super(`role not found: ${role}`);
  }
}

/** A role with that name already exists. */
export class RoleExistsError extends DatabaseEngineError {
  override name = 'RoleExistsError';

  constructor(readonly role: string) {
    super(`role already exists: ${role}`);
  }
}

/** The database does not exist. */
export class DatabaseNotFoundError extends DatabaseEngineError {
  override name = 'DatabaseNotFoundError';

  constructor(readonly database: string) {
    super(`database not found: ${database}`);
  }
}

/** A database with that name already exists. */
export class DatabaseExistsError extends DatabaseEngineError {
  override name = 'DatabaseExistsError';

  constructor(readonly database: string) {
    super(`database already exists: ${database}`);
  }
}

/** The server could not be started or reached. */
export class EngineStartError extends DatabaseEngineError {
  override name = 'EngineStartError';
}
