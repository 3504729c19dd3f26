import { describe, expect, it } from 'vitest';

import {
  isSecretKeyName,
  REDACTED,
  scrubText,
  scrubValue,
} from '../../lib/audit/scrub.ts';

describe('isSecretKeyName', () => {
  it.each([
    { case: 'password', key: 'password', secret: true },
    { case: 'db_password', key: 'db_password', secret: true },
    { case: 'secretKey', key: 'secretKey', secret: true },
    { case: 'api-key', key: 'api-key', secret: true },
    { case: 'apiKey', key: 'apiKey', secret: true },
    { case: 'token', key: 'accessToken', secret: true },
    { case: 'dsn', key: 'databaseDsn', secret: true },
    { case: 'connection string', key: 'connectionString', secret: true },
    { case: 'secret name', key: 'secret_name', secret: false },
    { case: 'key version', key: 'keyVersion', secret: false },
    { case: 'engine', key: 'engine', secret: false },
  ])('$case', ({ key, secret }) => {
    expect(isSecretKeyName(key)).toBe(secret);
  });
});

describe('scrubText', () => {
  it.each([
    {
      case: 'URL password',
      text: 'connect postgres://app:s3cr3t@db:5432/evalap failed',
      expected: `connect postgres://app:${REDACTED}@db:5432/evalap failed`,
    },
    {
      case: 'key/value DSN',
      text: 'host=db user=app password=s3cr3t sslmode=require',
      expected: `host=db user=app password=${REDACTED} sslmode=require`,
    },
    { case: 'plain text', text: 'quota exceeded', expected: 'quota exceeded' },
  ])('$case', ({ text, expected }) => {
    expect(scrubText(text)).toBe(expected);
  });
});

describe('scrubValue', () => {
  it('redacts nested secret keys and URL passwords, keeps the rest', () => {
    const value = {
      engine: 'PG15',
      users: [{ name: 'app', password: 'p1' }],
      dsn: 'postgres://a:b@h/d',
      link: 'https://u:pw@example.com/x',
    };

    expect(scrubValue(value)).toEqual({
      engine: 'PG15',
      users: [{ name: 'app', password: REDACTED }],
      dsn: REDACTED,
      link: `https://u:${REDACTED}@example.com/x`,
    });
  });
});
