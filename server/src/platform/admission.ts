import { AppError } from './errors.ts';

export interface AdmissionOptions {
  /** Tasks running at once (argon2: below the number of cores, so the event loop and PostgreSQL keep one). */
  concurrency: number;
  /** How long a task may wait for its turn; past it, it is refused with 503 and `Retry-After`. */
  budgetMs: number;
  /** Waiting tasks at most (memory bound); more are refused at once. */
  maxQueue: number;
}

interface Waiter {
  key: string;
  start: () => void;
  refuse: (e: AppError) => void;
  timer: NodeJS.Timeout;
}

/**
 * A bounded, fair admission queue for scarce CPU work (password hashing). At most `concurrency` tasks run; the
 * others wait in one FIFO lane per key (the client address), and lanes take turns: a burst from one address
 * cannot starve anyone else, and within a lane the first come is the first served. A task that cannot start
 * within `budgetMs` gets `503 SERVER_BUSY` with `Retry-After` — at its deadline, or at once when the queue is so
 * long that its wait would exceed the budget — never a timeout.
 */
export class Admission {
  private options: AdmissionOptions;
  private running = 0;
  private waiting = 0;
  /** Lanes in turn order: the first has waited longest for its turn; a served lane goes to the back. */
  private readonly lanes = new Map<string, Waiter[]>();
  /** Moving average of a task's duration, for the estimated wait. */
  private serviceMs = 15;
  /** Counters since start, for the bench and tests. */
  readonly stats = { admitted: 0, queued: 0, refused: 0 };

  constructor(options: AdmissionOptions) {
    this.options = options;
  }

  configure(options: Partial<AdmissionOptions>): void {
    this.options = { ...this.options, ...options };
    this.next();
  }

  get config(): Readonly<AdmissionOptions> {
    return this.options;
  }

  get queued(): number {
    return this.waiting;
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.running < this.options.concurrency && this.waiting === 0) {
      this.running++;
      return this.execute(task);
    }
    const expectedWaitMs = ((this.waiting + 1) / this.options.concurrency) * this.serviceMs;
    if (this.waiting >= this.options.maxQueue || expectedWaitMs > this.options.budgetMs) {
      this.stats.refused++;
      throw this.busy();
    }
    this.stats.queued++;
    // Resolved by next(), which has already counted the task as running.
    await new Promise<void>((start, refuse) => {
      const waiter: Waiter = {
        key,
        start,
        refuse,
        timer: setTimeout(() => {
          this.remove(waiter);
          this.stats.refused++;
          refuse(this.busy());
        }, this.options.budgetMs),
      };
      const lane = this.lanes.get(key);
      if (lane) lane.push(waiter);
      else this.lanes.set(key, [waiter]);
      this.waiting++;
    });
    return this.execute(task);
  }

  /** Runs a task already counted in `running`. */
  private async execute<T>(task: () => Promise<T>): Promise<T> {
    this.stats.admitted++;
    const started = performance.now();
    try {
      return await task();
    } finally {
      this.serviceMs = 0.9 * this.serviceMs + 0.1 * (performance.now() - started);
      this.running--;
      this.next();
    }
  }

  /** Start the heads of the lanes whose turn it is; a served lane goes to the back of the turn order. */
  private next(): void {
    while (this.running < this.options.concurrency) {
      const first = this.lanes.entries().next();
      if (first.done) return;
      const [key, lane] = first.value;
      const waiter = lane.shift()!;
      this.lanes.delete(key);
      if (lane.length > 0) this.lanes.set(key, lane);
      this.waiting--;
      clearTimeout(waiter.timer);
      this.running++;
      waiter.start();
    }
  }

  private remove(waiter: Waiter): void {
    const lane = this.lanes.get(waiter.key);
    if (!lane) return;
    const i = lane.indexOf(waiter);
    if (i < 0) return;
    lane.splice(i, 1);
    this.waiting--;
    if (lane.length === 0) this.lanes.delete(waiter.key);
  }

  private busy(): AppError {
    const seconds = Math.min(
      60,
      Math.max(1, Math.ceil(((this.waiting + 1) / this.options.concurrency) * (this.serviceMs / 1000))),
    );
    return new AppError(503, 'SERVER_BUSY', { vars: { seconds }, retryAfterSeconds: seconds });
  }
}
