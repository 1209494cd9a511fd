/**
 * The gateway's logs (pino, through Fastify): what they carry and where they go.
 *
 * - Pseudonyms, not identifiers: every hex run that could name a patient or a record (an address,
 *   `0x` + 40 hex; a record id or any other 32-byte value, `0x` + 64 hex; any hex run of 32 digits
 *   or more, with or without `0x`, in any case) is replaced, in request URLs, messages, error
 *   messages and stacks and every other logged string, by a keyed hash: HMAC-SHA-256 under the
 *   gateway's own key (`keys/log-pseudonyms.json`) of the lower-case hex, truncated to 48 bits,
 *   e.g. `addr:1a2b3c4d5e6f`, `id:…`, `hex:…`. One value always maps to one token in one gateway's
 *   logs (its processes share `keys/`), so an admin can follow a patient or record through them;
 *   without the key nobody can tell which address a token stands for by hashing known addresses.
 * - Requests are logged as method, pseudonymised URL, host and remote address: never headers (the
 *   authorization and cookie headers are also redacted should anything log them), nor bodies.
 * - Where: standard error (for a supervisor such as systemd/journald), or with `--log-file` a file
 *   rotated by size in-process (`rotating-file-stream`): the live file, then `FILE.1` … `FILE.N`
 *   (newest first), the oldest removed. A file grows past the size by at most one log line, since
 *   a line is never split across files.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyServerOptions } from 'fastify';
import { createStream } from 'rotating-file-stream';

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** Default size at which the log file is rotated. */
export const defaultLogFileBytes = 10 * 1024 * 1024;
/** Default number of rotated files kept besides the live one. */
export const defaultLogFileCount = 5;

const hexRun = /(?:0[xX])?[0-9a-fA-F]{32,}/g;
/** Fields that pass through their serializers (below) rather than the generic walk. */
const serialized = new Set(['req', 'res', 'err', 'error']);

/**
 * Replaces every hex run of 32 digits or more in `text` by its keyed token.
 *
 * @example
 * pseudonymise(key, '/api/patients/0xAbC…/records'); // '/api/patients/addr:1a2b3c4d5e6f/records'
 */
export function pseudonymise(key: Uint8Array, text: string): string {
  return text.replace(hexRun, (match) => {
    const hex = match.replace(/^0[xX]/, '').toLowerCase();
    const kind = hex.length === 40 ? 'addr' : hex.length === 64 ? 'id' : 'hex';
    return `${kind}:${createHmac('sha256', key).update(hex).digest('hex').slice(0, 12)}`;
  });
}

/** Every string in `value` pseudonymised, plain objects and arrays copied (other objects as they are). */
function pseudonymiseDeep(key: Uint8Array, value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return pseudonymise(key, value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => pseudonymiseDeep(key, item, depth + 1));
  if (value instanceof Error) return serializeError(key, value);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) copy[name] = pseudonymiseDeep(key, item, depth + 1);
  return copy;
}

/** The fields of an error worth logging, pseudonymised, its causes included. */
function serializeError(key: Uint8Array, error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return pseudonymiseDeep(key, error);
  const fields = error as Error & { code?: unknown; reason?: unknown; cause?: unknown };
  return pseudonymiseDeep(key, {
    type: error.name,
    message: error.message,
    stack: error.stack,
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(typeof fields.reason === 'string' ? { reason: fields.reason } : {}),
    ...(fields.cause !== undefined && depth < 4
      ? { cause: serializeError(key, fields.cause, depth + 1) }
      : {}),
  });
}

export interface GatewayLogOptions {
  level: string;
  /** The gateway's key for pseudonyms (`keys/log-pseudonyms.json`); unset: a fresh one (tests). */
  pseudonymKey?: Uint8Array;
  /** Where lines go; unset: standard error. */
  destination?: Writable;
}

/** The logger options of the gateway's Fastify app. */
export function gatewayLoggerOptions({ level, pseudonymKey, destination }: GatewayLogOptions): LoggerOptions {
  const key = pseudonymKey ?? crypto.getRandomValues(new Uint8Array(32));
  return {
    level,
    // Standard output is the command's answer (`medledger start --json`); logs go to standard error.
    stream: destination ?? process.stderr,
    // Requests carry only ciphertext, but tokens and signatures are still secrets.
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: {
      req: (request: {
        method?: string;
        url?: string;
        host?: string;
        ip?: string;
        socket?: { remotePort?: number };
      }) => ({
        method: request.method,
        url: pseudonymise(key, request.url ?? ''),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
      res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
      err: (error: unknown) => serializeError(key, error) as { type: string; message: string; stack: string },
      error: (error: unknown) => serializeError(key, error),
    },
    formatters: {
      // Every other field of a line (errors and requests go through their serializers above).
      log: (object: Record<string, unknown>) => {
        const copy: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(object)) {
          copy[name] = serialized.has(name) ? value : pseudonymiseDeep(key, value);
        }
        return copy;
      },
    },
    hooks: {
      // The message itself (and any printf-style arguments).
      logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? pseudonymise(key, arg) : arg)),
        );
      },
    },
  };
}

export interface LogFile {
  stream: Writable;
  /** Writes what is buffered and closes the file. */
  close(): Promise<void>;
}

/**
 * The log file at `path`, rotated once it reaches `maxBytes`; `keep` rotated files are kept
 * (`path.1` newest … `path.keep` oldest). Created 0600.
 */
export function openLogFile(
  path: string,
  { maxBytes = defaultLogFileBytes, keep = defaultLogFileCount }: { maxBytes?: number; keep?: number } = {},
): LogFile {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const stream = createStream(basename(path), {
    path: `${join(dirname(path), '.')}/`,
    size: `${maxBytes}B`,
    rotate: keep,
    mode: 0o600,
  });
  // The stream ends on an error (a full disk, a removed directory): said once on standard error,
  // where the logs then are lost, rather than ending the gateway.
  let failed = false;
  stream.on('error', (error) => {
    if (failed) return;
    failed = true;
    process.stderr.write(`medledger: the log file ${path} failed (${error.message}); logs are lost\n`);
  });
  let closing: Promise<void> | undefined;
  return {
    stream,
    close() {
      closing ??= (async () => {
        if (stream.destroyed || stream.writableFinished) return;
        const finished = once(stream, 'finish');
        stream.end();
        await finished;
      })();
      return closing;
    },
  };
}
