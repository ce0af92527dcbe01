import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FileAnalysisSession, type FileAnalysisResult, type ProjectContext } from './file-analysis-job';
import type { WorkerReply, WorkerRequest } from './file-worker';

/** Below this many files a worker's start-up (its own bundle and grammar) costs more than it saves. */
export const MIN_FILES_FOR_WORKERS = 1000;

/** Files per share: small enough that threads finish together, large enough that messages stay few. */
const SHARE_SIZE = 48;

/** Shares a worker holds at once, so it starts the next while its last result travels back. */
const IN_FLIGHT = 2;

/**
 * Worker threads for the per-file rules, each with its own parser, so a large project
 * uses every core. Files go out in small shares, each to whichever worker is free; results
 * are put back in share order, so the output never depends on timing. A share a worker
 * fails on is checked on the calling thread instead.
 */
export class FileAnalysisPool {
  private nextId = 0;
  private readonly waiting = new Map<number, { worker: Worker; resolve: (result: FileAnalysisResult) => void; reject: (error: Error) => void }>();
  private readonly dead = new Map<Worker, Error>();

  private constructor(private readonly workers: Worker[]) {
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => {
        const waiter = this.waiting.get(reply.id);
        if (!waiter) return;
        this.waiting.delete(reply.id);
        if (reply.result) waiter.resolve(reply.result);
        else waiter.reject(new Error(reply.error ?? 'the worker failed'));
      });
      worker.on('error', (error) => this.fail(worker, error));
      worker.on('exit', (code) => this.fail(worker, new Error(`the worker exited (${code})`)));
    }
  }

  /** A pool of `size` workers, or undefined when one would not help (one core, no worker bundle). */
  static create(size: number, workerFile = defaultWorkerFile()): FileAnalysisPool | undefined {
    if (size < 2 || !existsSync(workerFile)) return undefined;
    return new FileAnalysisPool(Array.from({ length: size }, () => new Worker(workerFile)));
  }

  /** Checks `files` of the project on the workers. */
  async analyze(context: ProjectContext, files: readonly string[], warn: (message: string) => void): Promise<FileAnalysisResult> {
    const shares: string[][] = [];
    for (let i = 0; i < files.length; i += SHARE_SIZE) shares.push(files.slice(i, i + SHARE_SIZE));
    const results: FileAnalysisResult[] = new Array(shares.length);
    let next = 0;
    let fallback: FileAnalysisSession | undefined;
    const feed = async (worker: Worker) => {
      for (let index = next++; index < shares.length; index = next++) {
        try {
          results[index] = await this.send(worker, shares[index]);
        } catch (error) {
          warn(`a worker thread failed (${(error as Error).message}); its files were checked on the main thread`);
          fallback ??= new FileAnalysisSession(context);
          results[index] = fallback.analyze(shares[index]);
        }
      }
    };
    for (const worker of this.workers) worker.postMessage({ kind: 'project', context } satisfies WorkerRequest);
    await Promise.all(this.workers.flatMap((worker) => Array.from({ length: IN_FLIGHT }, () => feed(worker))));
    fallback?.dispose();
    return {
      findings: results.flatMap((r) => r.findings),
      problems: results.flatMap((r) => r.problems),
      notes: results.flatMap((r) => r.notes),
    };
  }

  async close(): Promise<void> {
    for (const worker of this.workers) this.dead.set(worker, new Error('the pool is closed'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private send(worker: Worker, share: string[]): Promise<FileAnalysisResult> {
    const gone = this.dead.get(worker);
    if (gone) return Promise.reject(gone);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { worker, resolve, reject });
      worker.postMessage({ kind: 'share', id, share } satisfies WorkerRequest);
    });
  }

  /** A worker that failed or exited answers nothing more: what it held is rejected, later shares go elsewhere. */
  private fail(worker: Worker, error: Error): void {
    if (!this.dead.has(worker)) this.dead.set(worker, error);
    for (const [id, waiter] of this.waiting) {
      if (waiter.worker !== worker) continue;
      this.waiting.delete(id);
      waiter.reject(error);
    }
  }
}

/** How many workers to start: DJANGO_HARDENER_JOBS, else one per core (at most four). */
export function workerCount(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.DJANGO_HARDENER_JOBS);
  if (Number.isInteger(configured) && configured >= 1) return configured;
  return Math.min(os.availableParallelism(), 4);
}

function defaultWorkerFile(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli-worker.js');
}
