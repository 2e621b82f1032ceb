/**
 * When to sync: on demand (start, `online`, a local write, the "Đồng bộ ngay" button), on a timer while the
 * app is open, and after a failure with exponential backoff and jitter. One run at a time in this tab
 * (a request during a run schedules exactly one more run); across tabs the engine's lock serialises them.
 * navigator.onLine is never consulted: the request is tried and its failure handled.
 */
import { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from './backoff';

export interface SchedulerOptions {
  run: () => Promise<void>;
  /** Pause between successful runs while the app is open. */
  intervalMs?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  onFailure?: (err: unknown, failures: number, retryInMs: number) => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class SyncScheduler {
  failures = 0;
  nextAt: number | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: unknown = null;
  private stopped = true;
  private readonly o: Required<Omit<SchedulerOptions, 'onFailure'>> & Pick<SchedulerOptions, 'onFailure'>;

  constructor(options: SchedulerOptions) {
    this.o = {
      intervalMs: 30_000,
      backoff: DEFAULT_BACKOFF,
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  get busy(): boolean {
    return this.running !== null;
  }

  start(): void {
    this.stopped = false;
    void this.request();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

  /** Sync now (also ignores a pending backoff); resolves when this request has been served. */
  request(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.cancelTimer();
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.o.run();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        const wait = backoffDelay(this.failures, this.o.backoff, this.o.random);
        this.o.onFailure?.(err, this.failures, wait);
        this.schedule(wait);
        return;
      }
    } while (this.again);
    this.schedule(this.o.intervalMs);
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    if (this.stopped) return;
    this.nextAt = Date.now() + ms;
    this.timer = this.o.setTimer(() => {
      this.timer = null;
      void this.request();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.o.clearTimer(this.timer);
    this.timer = null;
    this.nextAt = null;
  }
}
