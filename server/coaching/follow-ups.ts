/**
 * Scheduled follow-ups: once a held session's follow-up date has passed, the case is due for its before/after
 * review, and the coach (and the agent) are told so, once. Runs on one node only (a leader duty with several nodes);
 * the claim in CaseStore.markFollowUpsDue makes it once even if two ran.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { CaseStore } from './case.store.js';

const CHECK_MS = 60_000;

export class FollowUpScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<string[]> | undefined;

  constructor(
    private readonly cases: CaseStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly checkMs = CHECK_MS,
  ) {}

  async start(): Promise<void> {
    await this.run();
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.run().catch((err: unknown) => this.logger.error({ err }, 'follow-up check failed')), this.checkMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Files every follow-up that has come due; one run at a time. */
  run(): Promise<string[]> {
    this.running ??= this.cases
      .markFollowUpsDue(this.clock.now())
      .then((filed) => {
        if (filed.length > 0) this.logger.info({ cases: filed.length }, 'follow-up reviews now due');
        return filed;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
