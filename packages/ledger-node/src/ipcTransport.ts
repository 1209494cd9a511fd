/**
 * JSON-RPC over a Unix socket (anvil's and geth's `--ipc`), as a viem transport.
 *
 * One connection per socket path, shared by every client of the process. Requests made in the same
 * turn of the event loop go out together as one JSON-RPC batch (as viem's HTTP transport batches
 * them); each carries an id of this connection's own, so callers' ids never collide, and answers
 * (one JSON value per line, in any order) are matched back by it. Each request has its own timeout.
 * When the socket closes or fails, every request under way fails and the next request connects
 * again, so a client outlives a restart of the node on the same path.
 */
import { createConnection, type Socket } from 'node:net';
import type { JsonRpcCall, JsonRpcFailure, JsonRpcOutcome } from '@medledger/ledger';
import {
  BaseError,
  createTransport,
  RpcRequestError,
  SocketClosedError,
  TimeoutError,
  type Transport,
} from 'viem';

export interface IpcTransportOptions {
  /** Milliseconds before a request fails with a `TimeoutError` (default 15 s). */
  timeoutMs?: number;
  /** Retries of a failed request (a closed socket, a timeout); default 1, as the HTTP transport. */
  retryCount?: number;
}

const defaultTimeoutMs = 15_000;
/** The most calls written as one batch; more wait for the next write. */
const batchSize = 500;

/**
 * A viem transport to the JSON-RPC socket at `socketPath`.
 *
 * @example
 * const client = createPublicClient({ transport: ipc('/srv/medledger/chain/anvil.ipc') });
 * await client.getBlockNumber();
 */
export function ipc(socketPath: string, options: IpcTransportOptions = {}): Transport {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const url = `ipc://${socketPath}`;
  return () =>
    createTransport({
      key: 'ipc',
      name: 'IPC JSON-RPC',
      type: 'ipc',
      retryCount: options.retryCount ?? 1,
      timeout: timeoutMs,
      async request({ method, params }) {
        const body = { method, params };
        const outcome = await ipcConnectionTo(socketPath).request(body, timeoutMs);
        if ('error' in outcome) throw new RpcRequestError({ body, error: outcome.error, url });
        // viem types each method's result; the node's answer is what the method returns.
        return outcome.result as never;
      },
    });
}

const connections = new Map<string, IpcConnection>();

/** The process's one connection to the socket at `socketPath` (connected on first use). */
export function ipcConnectionTo(socketPath: string): IpcConnection {
  let connection = connections.get(socketPath);
  if (!connection) {
    connection = new IpcConnection(socketPath);
    connections.set(socketPath, connection);
  }
  return connection;
}

interface PendingCall {
  call: JsonRpcCall;
  resolve(outcome: JsonRpcOutcome): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class IpcConnection {
  readonly socketPath: string;
  private readonly url: string;
  private socket: Socket | undefined;
  private connected = false;
  /** The start of a message whose end has not arrived yet, in the chunks it came in. */
  private partial: string[] = [];
  /** Why the socket failed (ENOENT: no node there; ECONNREFUSED: the node is gone), for the callers. */
  private failure: Error | undefined;
  private nextId = 1;
  /** Calls written to the socket, by the id they were sent with. */
  private readonly inFlight = new Map<number, PendingCall>();
  /** Calls waiting for this turn's batch. */
  private queued: PendingCall[] = [];
  private flushScheduled = false;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
    this.url = `ipc://${socketPath}`;
  }

  /** Sends one call; resolves with the node's result or JSON-RPC error, rejects if the socket fails. */
  request(call: JsonRpcCall, timeoutMs = defaultTimeoutMs): Promise<JsonRpcOutcome> {
    return new Promise((resolve, reject) => {
      const pending: PendingCall = {
        call,
        resolve,
        reject,
        // A timer keeps the process alive while a request is under way; the socket itself does not.
        timer: setTimeout(() => this.timeOut(pending), timeoutMs),
      };
      this.queued.push(pending);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.queued.length) return;
    const socket = this.openSocket();
    if (!this.connected) return; // flushed again on 'connect'
    while (this.queued.length) {
      const batch = this.queued.splice(0, batchSize);
      const messages = batch.map((pending) => {
        const id = this.nextId++;
        this.inFlight.set(id, pending);
        return { jsonrpc: '2.0', id, method: pending.call.method, params: pending.call.params ?? [] };
      });
      socket.write(`${JSON.stringify(messages.length === 1 ? messages[0] : messages)}\n`);
    }
  }

  private openSocket(): Socket {
    if (this.socket) return this.socket;
    const socket = createConnection(this.socketPath);
    socket.unref();
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      this.connected = true;
      this.flush();
    });
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error) => {
      this.failure = error; // 'close' follows and fails what was under way
    });
    socket.on('close', () => this.drop(socket));
    this.socket = socket;
    return socket;
  }

  /**
   * Messages end with a newline. Only the new chunk is searched for one, and a long message (a state
   * dump runs to megabytes) is joined once, when its end arrives: linear in what is received.
   */
  private receive(chunk: string): void {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
      this.partial.push(chunk.slice(start, end));
      start = end + 1;
      const line = this.partial.join('').trim();
      this.partial = [];
      if (!line) continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        this.socket?.destroy(new Error(`The node at ${this.url} answered something other than JSON.`));
        return;
      }
      for (const response of Array.isArray(message) ? message : [message]) this.settle(response);
    }
    if (start < chunk.length) this.partial.push(chunk.slice(start));
  }

  private settle(response: { id?: unknown; result?: unknown; error?: JsonRpcFailure }): void {
    const pending = typeof response?.id === 'number' ? this.inFlight.get(response.id) : undefined;
    if (!pending) {
      // An answer without our id (id null: the node could not read a request) leaves the stream
      // in an unknown state: start over.
      if (response?.id === null) this.socket?.destroy();
      return;
    }
    this.inFlight.delete(response.id as number);
    clearTimeout(pending.timer);
    pending.resolve(response.error ? { error: response.error } : { result: response.result });
  }

  private timeOut(pending: PendingCall): void {
    for (const [id, candidate] of this.inFlight) {
      if (candidate === pending) this.inFlight.delete(id);
    }
    this.queued = this.queued.filter((candidate) => candidate !== pending);
    pending.reject(new TimeoutError({ body: { ...pending.call }, url: this.url }));
  }

  /** The socket closed: what was sent on it will never be answered; the next request reconnects. */
  private drop(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.connected = false;
    this.partial = [];
    const failure = this.failure;
    this.failure = undefined;
    const failed = [...this.inFlight.values(), ...this.queued];
    this.inFlight.clear();
    this.queued = [];
    for (const pending of failed) {
      clearTimeout(pending.timer);
      pending.reject(
        failure
          ? new BaseError(`The socket ${this.url} failed.`, { cause: failure, name: 'IpcSocketError' })
          : new SocketClosedError({ url: this.url }),
      );
    }
  }
}
