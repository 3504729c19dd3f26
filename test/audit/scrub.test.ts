import { describe, expect, it } from 'vitest';

import {
  isSecretKeyName,
  MASKED_CHANGE,
  REDACTED,
  scrubChange,
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

describe('scrubChange', () => {
  const url = (password: string) => `postgres://app:${password}@db/app`;
  const maskedUrl = url(REDACTED);

  it.each([
    {
      case: 'a credential changed alone is still a change',
      from: { API_KEY: 'old-key', LOG: 'info' },
      to: { API_KEY: 'new-key', LOG: 'info' },
      expected: {
        from: { API_KEY: REDACTED, LOG: 'info' },
        to: { API_KEY: `${REDACTED}${MASKED_CHANGE}`, LOG: 'info' },
      },
    },
    {
      case: 'a credential changed with another variable',
      from: { API_KEY: 'old-key', LOG: 'info' },
      to: { API_KEY: 'new-key', LOG: 'debug' },
      expected: {
        from: { API_KEY: REDACTED, LOG: 'info' },
        to: { API_KEY: `${REDACTED}${MASKED_CHANGE}`, LOG: 'debug' },
      },
    },
    {
      case: 'a credential added, shown as masked only',
      from: { LOG: 'info' },
      to: { LOG: 'info', API_KEY: 'new-key' },
      expected: {
        from: { LOG: 'info' },
        to: { LOG: 'info', API_KEY: REDACTED },
      },
    },
    {
      case: 'another URL password',
      from: url('old-pw'),
      to: url('new-pw'),
      expected: { from: maskedUrl, to: `${maskedUrl}${MASKED_CHANGE}` },
    },
    {
      case: 'no change',
      from: { API_KEY: 'same' },
      to: { API_KEY: 'same' },
      expected: { from: { API_KEY: REDACTED }, to: { API_KEY: REDACTED } },
    },
  ])('$case', ({ from, to, expected }) => {
    const change = scrubChange(from, to);

    expect(change).toEqual(expected);
    expect(JSON.stringify(change)).not.toMatch(/old-|new-/);
  });
});
