import {
  DatabaseEngineError,
  DatabaseExistsError,
  DatabaseNotFoundError,
  InvalidIdentifierError,
  RoleExistsError,
  RoleNotFoundError,
} from '../../postgres/errors.ts';
import {
  AlreadyExistsError,
  InvalidArgumentsError,
  ResourceNotFoundError,
} from '../core/index.ts';

/**
 * Runs an engine call and turns the engine's caller-fault errors into the
 * API errors Scaleway sends (400, 404, 409). `argument` is the request
 * field an invalid identifier came from, `subject` what it names (default
 * `user name`). Other failures propagate and become a generic 500;
 * passwords never appear in either.
 */
export async function callEngine<T>(
  argument: string,
  call: () => Promise<T>,
  subject = 'user name',
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateEngineError(argument, subject, error);
  }
}

function translateEngineError(
  argument: string,
  subject: string,
  error: unknown,
): unknown {
  if (!(error instanceof DatabaseEngineError)) {
    return error;
  }
  if (error instanceof InvalidIdentifierError) {
    return InvalidArgumentsError.of(argument, 'format', `invalid ${subject}`);
  }
  if (error instanceof RoleExistsError) {
    return new AlreadyExistsError(
      'user',
      error.role,
      'a user with this name already exists',
    );
  }
  if (error instanceof RoleNotFoundError) {
    return new ResourceNotFoundError('user', error.role);
  }
  if (error instanceof DatabaseExistsError) {
    return new AlreadyExistsError(
      'database',
      error.database,
      'a database with this name already exists',
    );
  }
  if (error instanceof DatabaseNotFoundError) {
    return new ResourceNotFoundError('database', error.database);
  }

  return error;
}
