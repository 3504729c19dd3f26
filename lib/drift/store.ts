import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DriftInputError, DriftReportStorageError } from './errors.ts';
import { renderMarkdown } from './markdown.ts';
import { type DriftReport, StoredReportSchema } from './report.ts';

/** Object keys of an environment's reports in the state bucket. */
export function reportKeys(environment: string) {
  const base = `${environment}/drift`;

  return {
    latestJson: `${base}/latest.json`,
    latestMarkdown: `${base}/latest.md`,
    previousJson: `${base}/previous.json`,
    previousMarkdown: `${base}/previous.md`,
  };
}

/**
 * Drift reports in Object Storage: `<env>/drift/latest.json` and
 * `latest.md`, and the report before it as `previous.json` / `previous.md`.
 *
 * @example
 * const store = new DriftReportStore(s3, 'evalap-infra-state');
 * const previous = await store.latest('production');
 */
export class DriftReportStore {
  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** The latest report of an environment, or `undefined` if none yet. */
  async latest(environment: string): Promise<DriftReport | undefined> {
    const key = reportKeys(environment).latestJson;
    const text = await this.#read(key);
    if (text === undefined) return undefined;

    return parseStoredReport(text, key);
  }

  /** The latest Markdown summary, or `undefined` if none yet. */
  latestMarkdown(environment: string): Promise<string | undefined> {
    return this.#read(reportKeys(environment).latestMarkdown);
  }

  /**
   * Saves a report as the latest, JSON then Markdown, after copying the
   * one it replaces to `previous`.
   */
  async save(report: DriftReport, previous?: DriftReport): Promise<void> {
    const keys = reportKeys(report.environment);
    if (previous !== undefined) {
      await this.#write(keys.previousJson, json(previous), 'application/json');
      await this.#write(
        keys.previousMarkdown,
        renderMarkdown(previous),
        'text/markdown; charset=utf-8',
      );
    }

    await this.#write(keys.latestJson, json(report), 'application/json');
    await this.#write(
      keys.latestMarkdown,
      renderMarkdown(report),
      'text/markdown; charset=utf-8',
    );
  }

  async #read(key: string): Promise<string | undefined> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return await object.Body?.transformToString('utf8');
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw new DriftReportStorageError('read', key, { cause: error });
    }
  }

  async #write(key: string, body: string, contentType: string) {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      throw new DriftReportStorageError('write', key, { cause: error });
    }
  }
}

function json(report: DriftReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function parseStoredReport(text: string, key: string): DriftReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DriftInputError(key, ['(root): not JSON']);
  }

  const parsed = StoredReportSchema.safeParse(value);
  if (!parsed.success) {
    throw new DriftInputError(
      key,
      parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
      ),
    );
  }

  return parsed.data as unknown as DriftReport;
}
