import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { HeaderMap } from '../../core/http-headers.js';
import type { Logger } from '../../core/logger.js';
import type { AsyncInvokeRequest, InvokeResponse } from '../api.js';
import { PlatformError, ReplicaUnavailableError } from '../errors.js';

interface Job {
  callId: string;
  name: string;
  request: AsyncInvokeRequest;
  queuedAt: number;
  /** The body's size, counted against capacityBytes while the call waits. */
  bytes: number;
}

export interface AsyncQueueOptions {
  /** Calls run at once (OpenFaaS queue-worker's max_inflight). */
  concurrency: number;
  /** Calls waiting at most; beyond it invokeAsync answers 503. */
  capacity: number;
  /** Bytes of request bodies waiting at most (a count alone let 40 calls of 10 MiB hold 400 MB). */
  capacityBytes: number;
  invoke: (name: string, request: AsyncInvokeRequest) => Promise<InvokeResponse>;
  logger: Logger;
}

/**
 * The embedded stand-in for OpenFaaS's NATS queue and queue-worker: async calls wait here, run
 * `concurrency` at a time, and their results are POSTed to X-Callback-Url with the headers the
 * queue-worker sets (X-Call-Id, X-Function-Name, X-Function-Status, X-Duration-Seconds).
 * In memory: calls still queued when the gateway stops are lost, and said so in the log.
 */
export class AsyncQueue {
  private readonly jobs: Job[] = [];
  private running = 0;
  private waitingBytes = 0;

  constructor(private readonly options: AsyncQueueOptions) {}

  enqueue(name: string, req: AsyncInvokeRequest): string {
    if (this.jobs.length >= this.options.capacity) {
      throw new ReplicaUnavailableError(`async queue is full (${this.options.capacity} calls waiting)`, 503);
    }
    const bytes = bodyBytes(req.body);
    if (this.waitingBytes + bytes > this.options.capacityBytes) {
      throw new ReplicaUnavailableError(
        `async queue is full (${this.waitingBytes} of ${this.options.capacityBytes} bytes of bodies waiting)`,
        503,
      );
    }
    const callId = req.headers?.['x-call-id'] ?? randomUUID();
    this.waitingBytes += bytes;
    this.jobs.push({ callId, name, request: req, queuedAt: performance.now(), bytes });
    this.pump();
    return callId;
  }

  /** Drops the calls not yet started. */
  clear(): number {
    this.waitingBytes = 0;
    return this.jobs.splice(0).length;
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.jobs.length > 0) {
      const job = this.jobs.shift() as Job;
      this.waitingBytes -= job.bytes;
      this.running++;
      void this.run(job).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(job: Job): Promise<void> {
    const { request: req } = job;
    let status: number;
    let body: Buffer;
    let headers: HeaderMap = {};
    try {
      const res = await this.options.invoke(job.name, {
        ...req,
        headers: { ...req.headers, 'x-call-id': job.callId },
      });
      status = res.status;
      body = res.body;
      headers = res.headers;
    } catch (err) {
      status = err instanceof PlatformError ? err.status : 500;
      body = Buffer.from(`${(err as Error).message}\n`);
    }
    const seconds = (performance.now() - job.queuedAt) / 1000;
    this.options.logger.debug('async call done', { function: job.name, callId: job.callId, status });
    if (!req.callbackUrl) return;
    try {
      const res = await request(req.callbackUrl, {
        method: 'POST',
        headers: {
          'content-type': headers['content-type'] ?? 'application/octet-stream',
          'x-call-id': job.callId,
          'x-function-name': job.name,
          'x-function-status': String(status),
          'x-duration-seconds': seconds.toFixed(6),
        },
        body,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      await res.body.dump();
    } catch (err) {
      this.options.logger.warn('async callback failed', {
        function: job.name,
        callId: job.callId,
        callbackUrl: req.callbackUrl,
        error: (err as Error).message,
      });
    }
  }
}

function bodyBytes(body: AsyncInvokeRequest['body']): number {
  if (body === undefined) return 0;
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}
