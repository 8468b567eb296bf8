import type { ConfigurationLoad, LoadConfiguration, LoadDriver, LoadTarget } from '../contract.js';
import { readSummary } from '../k6-summary.js';
import type { K6Runner } from './local.js';

/** k6 runs each configuration's script, here or on the k6 host. */
export class K6LoadDriver implements LoadDriver {
  constructor(
    private readonly runner: K6Runner,
    private readonly durationMs: number,
  ) {}

  get where(): string {
    return this.runner.where;
  }

  async run(
    _configuration: LoadConfiguration,
    { scriptPath }: LoadTarget,
    signal?: AbortSignal,
  ): Promise<ConfigurationLoad> {
    // k6 stops a scenario's last iterations within its gracefulStop (30 s); a minute more for
    // starting, the summary and the SSH round trips.
    const summary = await this.runner.run(scriptPath, this.durationMs + 90_000, signal);
    return readSummary(summary, this.runner.where);
  }

  open(): Promise<void> {
    return this.runner.open();
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
