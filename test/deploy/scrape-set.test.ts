/**
 * deploy/prometheus/scrape-set.json, the list of metric names queries and dashboards are checked
 * against, is what scripts/scrape-set.ts makes from the exporter fixtures and dfaas's registries
 * right now: a fixture or a registry changed without `npm run scrape-set` fails here. Spot checks
 * show each kind of source lands in it, and that the fixture reader refuses a sample of no family.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  exposedNames,
  formatScrapeSet,
  generateScrapeSet,
  SCRAPE_SET_FILE,
  type ScrapeSet,
} from '../../scripts/scrape-set.js';

const committed = readFileSync(new URL(`../../${SCRAPE_SET_FILE}`, import.meta.url), 'utf8');

describe('scrape set', () => {
  it('the committed file is what npm run scrape-set writes', async () => {
    expect(committed, 'deploy/prometheus/scrape-set.json is stale: run npm run scrape-set').toBe(
      formatScrapeSet(await generateScrapeSet()),
    );
  });

  it('names each metric with the sources that expose it', () => {
    const { metrics, sources } = JSON.parse(committed) as ScrapeSet;
    expect(Object.keys(sources)).toEqual([
      'cadvisor',
      'dfaas_node',
      'dfaas_platform',
      'node_exporter',
      'openfaas_gateway',
      'prometheus',
      'scaphandre',
    ]);
    expect(metrics.node_cpu_seconds_total).toEqual(['node_exporter']);
    expect(metrics.container_cpu_usage_seconds_total).toEqual(['cadvisor']);
    expect(metrics.scaph_host_power_microwatts).toEqual(['scaphandre']);
    expect(metrics.gateway_service_count).toEqual(['dfaas_platform', 'openfaas_gateway']);
    expect(metrics.dfaas_node_weight).toEqual(['dfaas_node']);
    expect(metrics.ALERTS).toEqual(['prometheus']);
    // Histograms are stored as their _bucket/_sum/_count series, not under the family's name.
    expect(metrics.gateway_functions_seconds_bucket).toEqual(['dfaas_platform', 'openfaas_gateway']);
    expect(metrics.gateway_functions_seconds).toBeUndefined();
  });

  it('reads the series names of each type and refuses a sample of no family', () => {
    const text = [
      '# TYPE a_total counter',
      'a_total 1',
      '# TYPE h histogram',
      'h_bucket{le="+Inf"} 1',
      '# TYPE s summary',
      's{quantile="0.5"} 1',
      '# TYPE u untyped',
    ].join('\n');
    expect(exposedNames(text, 'test').sort()).toEqual([
      'a_total',
      'h_bucket',
      'h_count',
      'h_sum',
      's',
      's_count',
      's_sum',
      'u',
    ]);
    expect(() => exposedNames('# TYPE a gauge\nb 1\n', 'test')).toThrow(/line 2: sample b of no family/);
    expect(() => exposedNames('# TYPE a stateset\n', 'test')).toThrow(/unknown type stateset/);
  });
});
