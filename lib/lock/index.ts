export {
  EnvironmentBusyError,
  LockError,
  LockStorageError,
} from './errors.ts';
export {
  type AcquireLockOptions,
  acquireLock,
  DEFAULT_LOCK_TTL_MS,
  type HeldLock,
  lockHolder,
} from './lock.ts';
