import { describe, expect, it } from 'vitest';

import { AuditError } from '../../lib/audit/errors.ts';
import {
  CRON_JOB,
  shipAuditLogsHandler,
} from '../../lib/audit/shipping/function.ts';
import { LogShipper } from '../../lib/audit/shipping/log-shipper.ts';
import { stdoutSink } from '../../lib/audit/sinks/stdout.ts';
import { createLogger } from '../../lib/log/index.ts';
import { sampleEvent } from './fixtures.ts';

const NOW = '2026-12-04T10:00:00.000Z';

function post(body: string) {
  return { httpMethod: 'POST', path: '/', headers: {}, body };
}

/** A handler for a dev stage (no audit bucket) writing to `lines`. */
function devHandler(lines: string[], logLines: string[] = []) {
  const sink = stdoutSink({
    write: (line: string, done: () => void) => {
      lines.push(line);
      done();
      return true;
    },
  } as never);

  return shipAuditLogsHandler({
    runtime: async () => ({
      logOnly: true,
      shipper: new LogShipper('dev', sink),
    }),
    logger: createLogger({
      destination: { write: (line: string) => logLines.push(line) },
    }),
  });
}

describe('ship-audit-logs in a stage with no audit bucket', () => {
  it('writes a queued event to the log as one line and acknowledges it', async () => {
    const lines: string[] = [];
    const event = sampleEvent(NOW, {
      environment: 'dev',
      details: { password: 'pl4nted-Pa55word' },
    });

    const response = await devHandler(lines)(post(JSON.stringify(event)));

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ logOnly: true });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      event_id: event.event_id,
      environment: 'dev',
    });
    expect(lines.join('')).not.toContain('pl4nted-Pa55word');
  });

  it.each([
    {
      case: 'an event of another environment',
      body: JSON.stringify(sampleEvent(NOW, { environment: 'production' })),
      path: 'environment',
    },
    { case: 'a body that is not JSON', body: 'nope', path: '(root)' },
  ])('refuses $case with 400, writing nothing', async (row) => {
    const lines: string[] = [];

    const response = await devHandler(lines)(post(row.body));

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).problems).toMatchObject([
      { path: row.path },
    ]);
    expect(lines).toEqual([]);
  });

  it('answers its CRON with nothing to drain or seal', async () => {
    const lines: string[] = [];

    const response = await devHandler(lines)(
      post(JSON.stringify({ job: CRON_JOB })),
    );

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      logOnly: true,
      received: 0,
      sealed: [],
    });
  });
});

describe('ship-audit-logs when its set-up fails', () => {
  it('answers 500 with no internals, logs the cause, then retries it', async () => {
    const logLines: string[] = [];
    let attempts = 0;
    const handler = shipAuditLogsHandler({
      runtime: async () => {
        attempts += 1;
        throw new AuditError('signing key secret /evalap/x not readable');
      },
      logger: createLogger({
        destination: { write: (line: string) => logLines.push(line) },
      }),
    });
    const body = JSON.stringify(sampleEvent(NOW));

    const first = await handler(post(body));
    const second = await handler(post(body));

    expect(first.statusCode).toBe(500);
    expect(first.body).not.toContain('signing key');
    expect(first.body).not.toContain('/evalap/x');
    expect(logLines.join('')).toContain('signing key');
    expect(second.statusCode).toBe(500);
    expect(attempts).toBe(2);
  });
});
