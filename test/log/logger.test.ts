import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../lib/log/index.ts';

const PLANTED = 'Planted-S3cret-9f8e7d';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });

  return {
    stream,
    lines: () => chunks.join('').split('\n').filter(Boolean),
  };
}

describe('createLogger', () => {
  it.each([
    { case: 'top-level password', fields: { password: PLANTED } },
    { case: 'nested secretKey', fields: { scaleway: { secretKey: PLANTED } } },
    {
      case: 'token two levels down',
      fields: { a: { b: { token: PLANTED } } },
    },
    { case: 'dsn', fields: { database: { dsn: PLANTED } } },
    { case: 'authorization', fields: { authorization: `Bearer ${PLANTED}` } },
    {
      case: 'X-Auth-Token request header',
      fields: { event: { headers: { 'X-Auth-Token': PLANTED } } },
    },
    {
      case: 'lowercase x-auth-token header',
      fields: { headers: { 'x-auth-token': PLANTED } },
    },
    { case: 'secret version data', fields: { version: { data: PLANTED } } },
  ])('redacts a $case', ({ fields }) => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });

    logger.info(fields, 'something happened');

    const [line] = out.lines();
    expect(line).toContain('[Redacted]');
    expect(line).not.toContain(PLANTED);
  });

  it('scrubs passwords from an error under err, keeping the message', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const error = new Error(
      `connect failed: postgres://app:${PLANTED}@10.0.0.4:5432/app`,
    );

    logger.error({ err: error }, 'database unreachable');

    const entry = JSON.parse(out.lines()[0] ?? '{}');
    expect(entry.msg).toBe('database unreachable');
    expect(entry.level).toBe('error');
    expect(entry.err.message).toContain('postgres://app:***@10.0.0.4');
    expect(JSON.stringify(entry)).not.toContain(PLANTED);
  });

  it('keeps ordinary fields', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, name: 'drift' });

    logger.info({ stack: 'production', resource: 'db-main' }, 'checked');

    const entry = JSON.parse(out.lines()[0] ?? '{}');
    expect(entry).toMatchObject({
      name: 'drift',
      stack: 'production',
      resource: 'db-main',
    });
  });
});

describe('scrubSecrets', () => {
  it.each([
    {
      case: 'postgres DSN',
      input: `postgresql://user:${PLANTED}@host:5432/db`,
      expected: 'postgresql://user:***@host:5432/db',
    },
    {
      case: 'libpq key/value',
      input: `host=db user=app password=${PLANTED} sslmode=require`,
      expected: 'host=db user=app password=*** sslmode=require',
    },
    {
      case: 'header line',
      input: `X-Auth-Token: ${PLANTED}`,
      expected: 'X-Auth-Token: ***',
    },
    {
      case: 'query parameter',
      input: `https://h/p?token=${PLANTED}&page=2`,
      expected: 'https://h/p?token=***&page=2',
    },
    {
      case: 'quoted value with a space',
      input: `password='${PLANTED} two' host=db`,
      expected: "password='***' host=db",
    },
    {
      case: 'JSON text',
      input: `{"token":"${PLANTED}","page":2}`,
      expected: '{"token":"***","page":2}',
    },
    {
      case: 'unclosed quote',
      input: `password="${PLANTED} host=db`,
      expected: 'password=*** host=db',
    },
    {
      case: 'quote inside the value',
      input: `password=ab"${PLANTED} host=db`,
      expected: 'password=*** host=db',
    },
    {
      case: 'URL password holding an @',
      input: `postgres://u:p@${PLANTED}@h/db`,
      expected: 'postgres://u:***@h/db',
    },
    {
      case: 'URL password with an unencoded ?',
      input: `https://u:${PLANTED}?x@h/p`,
      expected: 'https://u:***@h/p',
    },
    {
      case: 'bearer token',
      input: `Authorization: Bearer ${PLANTED}`,
      expected: 'Authorization: ***',
    },
    {
      case: 'text without secrets',
      input: 'secret evalap/production/db-password not found in fr-par',
      expected: 'secret evalap/production/db-password not found in fr-par',
    },
  ])('$case', ({ input, expected }) => {
    expect(scrubSecrets(input)).toBe(expected);
  });
});
