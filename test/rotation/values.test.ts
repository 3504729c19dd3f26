import { parse } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import {
  companionEnv,
  dueStatus,
  generatePassword,
  PASSWORD_ALPHABET,
  tlsOptions,
} from '../../lib/rotation/index.ts';
import { SecretSchema, type SslMode } from '../../lib/stack/index.ts';

const DAY_MS = 86_400_000;

function secret(fields: Record<string, unknown>) {
  return SecretSchema.parse({
    name: 'some-secret',
    path: '/evalap',
    ...fields,
  });
}

describe('dueStatus', () => {
  const created = new Date('2026-01-01T00:00:00Z');

  it.each([
    {
      label: 'database password at 89 days',
      fields: {
        type: 'database_credentials',
        generator: { kind: 'database-user', database: 'db', user: 'app' },
      },
      days: 89,
      due: false,
    },
    {
      label: 'database password at 90 days',
      fields: {
        type: 'database_credentials',
        generator: { kind: 'database-user', database: 'db', user: 'app' },
      },
      days: 90,
      due: true,
    },
    {
      label: 'API key at 179 days',
      fields: { type: 'opaque', generator: { kind: 'random' } },
      days: 179,
      due: false,
    },
    {
      label: 'API key at 180 days',
      fields: { type: 'opaque', generator: { kind: 'random' } },
      days: 180,
      due: true,
    },
    {
      label: 'service account key at 364 days',
      fields: {
        type: 'opaque',
        generator: { kind: 'iam-api-key', application: 'app' },
      },
      days: 364,
      due: false,
    },
    {
      label: 'service account key at 365 days',
      fields: {
        type: 'opaque',
        generator: { kind: 'iam-api-key', application: 'app' },
      },
      days: 365,
      due: true,
    },
    {
      label: 'override of 30 days at 30 days',
      fields: {
        type: 'opaque',
        rotationDays: 30,
        generator: { kind: 'random' },
      },
      days: 30,
      due: true,
    },
  ])('$label: due $due', ({ fields, days, due }) => {
    const now = new Date(created.getTime() + days * DAY_MS);

    const status = dueStatus(secret(fields), created, now);

    expect(status.due).toBe(due);
    expect(status.ageDays).toBe(days);
  });
});

describe('generatePassword', () => {
  const passwords = Array.from({ length: 300 }, () => generatePassword());

  it('has at least 128 bits of entropy', () => {
    const bits = 32 * Math.log2(PASSWORD_ALPHABET.length);

    expect(bits).toBeGreaterThanOrEqual(128);
    expect(new Set(passwords).size).toBe(passwords.length);
  });

  it('meets the Managed Databases rule (lower, upper, digit, special)', () => {
    const bad = passwords.filter(
      (p) =>
        !/[a-z]/.test(p) ||
        !/[A-Z]/.test(p) ||
        !/[0-9]/.test(p) ||
        !/[-_.~]/.test(p),
    );

    expect(bad).toEqual([]);
  });

  it('is taken unescaped by a URL DSN', () => {
    const dsn = (p: string) => `postgresql://app:${p}@db.internal:5432/evalap`;

    const wrong = passwords.filter((p) => parse(dsn(p)).password !== p);

    expect(wrong).toEqual([]);
  });

  it('needs no quoting in a key=value DSN (no space, quote, backslash)', () => {
    const dsn = (p: string) => `host=db.internal user=app password=${p}`;
    const passwordOf = (text: string) =>
      text
        .split(/\s+/)
        .map((pair) => pair.split(/=(.*)/s))
        .find(([key]) => key === 'password')?.[1];

    const wrong = passwords.filter((p) => passwordOf(dsn(p)) !== p);

    expect(wrong).toEqual([]);
  });

  it('never contains a pgpass separator or escape (: and \\)', () => {
    const line = (p: string) => `db.internal:5432:evalap:app:${p}`;

    const wrong = passwords.filter((p) => line(p).split(':')[4] !== p);

    expect(wrong).toEqual([]);
    expect(passwords.join('')).not.toMatch(/[:\\\s'"@/]/);
  });
});

describe('tlsOptions', () => {
  it.each([
    { mode: 'disable', allowed: false },
    { mode: 'allow', allowed: false },
    { mode: 'prefer', allowed: false },
    { mode: 'require', allowed: true },
    { mode: 'verify-ca', allowed: true },
    { mode: 'verify-full', allowed: true },
  ] as { mode: SslMode; allowed: boolean }[])(
    '$mode: TLS only ($allowed)',
    ({ mode, allowed }) => {
      const build = () => tlsOptions(mode, 'CA PEM', 'db.internal');

      if (allowed) expect(build()).toBeTypeOf('object');
      else expect(build).toThrow(/plaintext/);
    },
  );

  it('checks the CA and the server name in verify-full', () => {
    const options = tlsOptions('verify-full', 'CA PEM', 'db.internal');

    expect(options).toMatchObject({
      ca: 'CA PEM',
      servername: 'db.internal',
      rejectUnauthorized: true,
    });
  });
});

describe('companionEnv', () => {
  it.each([
    {
      strategy: 'alternating-users',
      env: 'DATABASE_PASSWORD',
      to: 'DATABASE_USER',
    },
    { strategy: 'alternating-users', env: 'PG', to: 'PG_USER' },
    {
      strategy: 'iam-api-key',
      env: 'OBJECT_STORAGE_SECRET_KEY',
      to: 'OBJECT_STORAGE_ACCESS_KEY',
    },
    { strategy: 'generated', env: 'API_KEY', to: undefined },
  ] as const)('$strategy $env → $to', ({ strategy, env, to }) => {
    expect(companionEnv(strategy, env)).toBe(to);
  });
});
