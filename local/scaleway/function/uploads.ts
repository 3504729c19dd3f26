import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Largest archive accepted: Scaleway's 100 MiB zip limit. */
export const MAX_ARCHIVE_BYTES = 100 * 1024 * 1024;

/** A stored archive's facts. */
export interface StoredArchive {
  path: string;
  size: number;
  sha256: string;
}

/** Decides whether an upload for `functionId` carrying `token` is valid. */
export type UploadAuthorizer = (functionId: string, token: string) => boolean;

/**
 * The local stand-in for the presigned Object Storage URL where Scaleway
 * receives function code: `PUT /uploads/<function-id>?token=<t>` stores
 * the body as `<archiveDir>/<function-id>.zip`. Like a presigned URL it
 * takes no `X-Auth-Token`; the one-time token in the URL authorises it.
 */
export class ArchiveUploadServer {
  readonly #server: Server;
  readonly #archiveDir: string;
  #url = '';

  constructor(
    archiveDir: string,
    authorize: UploadAuthorizer,
    onStored: (functionId: string, archive: StoredArchive) => void,
  ) {
    this.#archiveDir = archiveDir;
    this.#server = createServer((request, response) => {
      this.#handle(request, response, authorize, onStored).catch(() => {
        reply(response, 500, 'upload failed');
      });
    });
  }

  /** Base URL once listening, e.g. `http://127.0.0.1:43123`. */
  get url(): string {
    return this.#url;
  }

  /** Listens on loopback; port 0 (the default) picks a free one. */
  async listen(port = 0, host = '127.0.0.1'): Promise<void> {
    await mkdir(this.#archiveDir, { recursive: true });
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    const address = this.#server.address() as AddressInfo;
    this.#url = `http://${host}:${address.port}`;
  }

  /** The upload URL of a function for `token`. */
  uploadUrl(functionId: string, token: string): string {
    return `${this.#url}/uploads/${functionId}?token=${token}`;
  }

  /** Where a function's archive is stored. */
  archivePath(functionId: string): string {
    return join(this.#archiveDir, `${functionId}.zip`);
  }

  /** Stops listening. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(
    request: IncomingMessage,
    response: ServerResponse,
    authorize: UploadAuthorizer,
    onStored: (functionId: string, archive: StoredArchive) => void,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://local');
    const match = /^\/uploads\/([0-9a-f-]{36})$/.exec(url.pathname);
    const functionId = match?.[1];
    if (request.method !== 'PUT' || functionId === undefined) {
      return reply(response, 404, 'not found');
    }
    if (!authorize(functionId, url.searchParams.get('token') ?? '')) {
      return reply(response, 403, 'invalid or expired upload token');
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_ARCHIVE_BYTES) {
      return reply(response, 413, 'archive larger than 100 MiB');
    }

    const archive = await this.#store(functionId, request);
    if (archive === undefined) {
      return reply(response, 413, 'archive larger than 100 MiB');
    }

    onStored(functionId, archive);
    response.writeHead(200, { etag: `"${archive.sha256}"` });
    response.end();
  }

  async #store(
    functionId: string,
    request: IncomingMessage,
  ): Promise<StoredArchive | undefined> {
    const path = this.archivePath(functionId);
    const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    const digest = createHash('sha256');
    let size = 0;

    try {
      await pipeline(
        request,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > MAX_ARCHIVE_BYTES) {
              throw new RangeError('archive too large');
            }
            digest.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(temporary),
      );
    } catch (error) {
      await rm(temporary, { force: true });
      if (error instanceof RangeError) {
        return undefined;
      }
      throw error;
    }

    await rename(temporary, path);

    return { path, size, sha256: digest.digest('hex') };
  }
}

/** A fresh, unguessable upload token. */
export function newUploadToken(): string {
  return randomBytes(24).toString('hex');
}

/** Reads a stored archive; `undefined` when the file is gone. */
export async function readArchiveFile(
  path: string,
): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

function reply(response: ServerResponse, status: number, message: string) {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(message);
}
