import type { Scenario } from '../../config/load-scenarios.js';
import type { SamplerConfig } from '../../config/sampler.js';
import { sleep } from '../../core/poll.js';
import type { ConfigurationLoad, LoadConfiguration, LoadDriver, LoadTarget } from '../contract.js';
import { k6ScenarioId, readSummary, toK6Summary } from '../k6-summary.js';
import { runLoad } from './generator.js';

/** The built-in open-model generator, with the same scenarios as the k6 script. */
export class BuiltinLoadDriver implements LoadDriver {
  readonly where = 'built-in generator';

  constructor(private readonly config: SamplerConfig) {}

  async run(
    planned: LoadConfiguration,
    { gatewayUrl }: LoadTarget,
    signal?: AbortSignal,
  ): Promise<ConfigurationLoad> {
    const scenarios: Record<string, Scenario> = {};
    for (const f of this.config.functions) {
      const rate = planned.rates[f.name];
      if (!rate) continue;
      const vus = Math.max(1, Math.ceil(rate));
      scenarios[k6ScenarioId(f.name)] = {
        executor: 'constant-arrival-rate',
        rate,
        timeUnit: 1000,
        duration: this.config.duration,
        preAllocatedVUs: vus,
        maxVUs: vus,
        request: {
          method: f.method,
          url: `${gatewayUrl}/function/${f.name}`,
          body: f.body,
          headers: f.headers,
        },
      };
    }
    // A configuration whose rates are all 0 still takes its duration: it measures the idle node.
    if (Object.keys(scenarios).length === 0) {
      await sleep(this.config.duration, signal);
      return readSummary({ metrics: {} }, this.where);
    }
    const run = await runLoad(scenarios, signal ? { signal } : {});
    return {
      ...readSummary(JSON.parse(JSON.stringify(toK6Summary(run))), this.where),
      timeline: (name) => {
        const scenario = run.scenarios[k6ScenarioId(name)];
        return scenario ? { startedAtMs: run.startedAtMs, seconds: scenario.timeline } : undefined;
      },
    };
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {}
}
