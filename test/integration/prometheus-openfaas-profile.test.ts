/**
 * queries/openfaas.yml against a real Prometheus (Debian's /usr/bin/prometheus) scraping what a
 * reference DFaaS node exposes: node_exporter (real, this machine), and, served by a small HTTP
 * server in this file, cAdvisor run as a standalone DaemonSet (test/fixtures/cadvisor/
 * cadvisor-metrics.txt: container_label_io_kubernetes_* labels, id under /kubepods, millisecond
 * timestamps), the OpenFaaS gateway's gateway_service_count and Scaphandre's power. The
 * server moves every counter on by 0.25 s per second and stamps each sample with the scrape's
 * time, so rate() of one container is 0.25 (25 %).
 *
 * It proves that every query of the profile returns a series for the target function (and the
 * node), that the function's figures are the sum over its replicas' containers only (not the
 * pause container, not the pod's cgroup, not another function's), and that the sampler's own
 * path (chooseMetricsSource → createMetricsSource → a load window) reads them.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { chooseMetricsSource, createMetricsSource } from '../../src/metrics/index.js';
import { PrometheusClient } from '../../src/metrics/prometheus/client.js';
import { fillQuery, type PrometheusQueries } from '../../src/metrics/prometheus/queries.js';
import { type RunningPrometheus, startPrometheus } from '../helpers/prometheus.js';
import { serviceBinary } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

const prometheus = serviceBinary('/usr/bin/prometheus');
const nodeExporter = serviceBinary('/usr/bin/prometheus-node-exporter');
const FIXTURES = resolve('test/fixtures/cadvisor');
const COUNTER_RATE = 0.25; // seconds of CPU per second, per counter series

/** A text exposition served live: counters moved on by COUNTER_RATE × elapsed seconds, timestamps now. */
function liveExposition(text: string, startMs: number): string {
  const counters = new Set<string>();
  const nowMs = Date.now();
  const elapsed = (nowMs - startMs) / 1000;
  return text
    .split('\n')
    .map((line) => {
      const type = /^# TYPE (\S+) (\S+)/.exec(line);
      if (type) {
        if (type[2] === 'counter') counters.add(type[1] as string);
        return line;
      }
      if (line.startsWith('#') || line.trim() === '') return line;
      // name{labels} value [timestamp]; label values here have no '}'
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( \d+)?$/.exec(line);
      if (!m) throw new Error(`fixture line not understood: ${line}`);
      const [, name, labels = '', value, stamp] = m;
      const v = counters.has(name as string) ? Number(value) + COUNTER_RATE * elapsed : Number(value);
      return `${name}${labels} ${v}${stamp ? ` ${nowMs}` : ''}`;
    })
    .join('\n');
}

describe.skipIf(!prometheus || !nodeExporter)(
  'queries/openfaas.yml on a reference node (cAdvisor DaemonSet)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-openfaas-profile-'));
    let running: RunningPrometheus | undefined;
    const startMs = Date.now();
    const fixtures = {
      '/cadvisor/metrics': readFileSync(join(FIXTURES, 'cadvisor-metrics.txt'), 'utf8'),
      '/gateway/metrics': readFileSync(join(FIXTURES, 'gateway-metrics.txt'), 'utf8'),
      '/scaphandre/metrics': readFileSync(join(FIXTURES, 'scaphandre-metrics.txt'), 'utf8'),
    } as Record<string, string>;
    const exporters: Server = createServer((req, res) => {
      const text = fixtures[req.url ?? ''];
      if (text === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(liveExposition(text, startMs));
    });
    let promUrl = '';
    let client: PrometheusClient;
    let queries: PrometheusQueries;

    const instant = async (expr: string) => client.query(expr);

    beforeAll(async () => {
      await new Promise<void>((r) => exporters.listen(0, '127.0.0.1', r));
      const fixturesTarget = `127.0.0.1:${(exporters.address() as AddressInfo).port}`;
      running = await startPrometheus(
        { prometheus: prometheus as string, nodeExporter: nodeExporter as string },
        dir,
        [
          { name: 'cadvisor', target: fixturesTarget, path: '/cadvisor/metrics' },
          { name: 'gateway', target: fixturesTarget, path: '/gateway/metrics' },
          { name: 'scaphandre', target: fixturesTarget, path: '/scaphandre/metrics' },
        ],
      );
      promUrl = running.url;
      client = new PrometheusClient(promUrl);
      const choice = chooseMetricsSource(
        { source: 'prometheus', prometheusUrl: promUrl, embeddedPlatform: false, configFile: 'test' },
        silentLogger,
      );
      if (choice.name !== 'prometheus') throw new Error('expected the prometheus source');
      queries = choice.queries;
      // Enough scrapes of every job for a 5 s rate() (the sampler's window for a 4 s load window).
      await waitFor(
        'rates over 5s in prometheus',
        async () => {
          const [cpu, node] = await Promise.all([
            instant('count(rate(container_cpu_usage_seconds_total[5s]))'),
            instant('count(rate(node_cpu_seconds_total[5s]))'),
          ]);
          const up = await instant('count(up == 1)');
          return cpu.length > 0 && node.length > 0 && Number(up[0]?.value[1]) === 4;
        },
        30_000,
      );
      await new Promise((r) => setTimeout(r, 3000)); // a full 5 s of samples behind every rate()
    }, 60_000);

    afterAll(async () => {
      running?.stop();
      await new Promise<void>((r) => exporters.close(() => r()));
    });

    it('uses cAdvisor’s own labels: the kubelet’s `container` label is not on these series', async () => {
      expect(await instant('container_cpu_usage_seconds_total{container="figlet"}')).toEqual([]);
      expect(queries.function_cpu).toContain('container_label_io_kubernetes_container_name="{function}"');
      expect(queries.function_cpu).toContain('id=~"^/kubepods.*"');
      expect(queries.function_ram).toContain('container_label_io_kubernetes_container_name="{function}"');
    });

    it('every query of the profile returns a series, for the node and for the target function', async () => {
      for (const [key, query] of Object.entries(queries)) {
        const expr = fillQuery(query, { window: '5s', function: 'figlet', pidRegex: 'figlet' });
        const result = await instant(expr);
        expect(result.length, `${key}: ${expr}`).toBeGreaterThan(0);
        const value = Number(result[0]?.value[1]);
        expect(Number.isFinite(value), `${key} = ${value}: ${expr}`).toBe(true);
        expect(value, `${key}: ${expr}`).toBeGreaterThan(0);
      }
    });

    it("a function's figures are its replicas' containers only, each counted once", async () => {
      const value = async (key: keyof PrometheusQueries, fn: string, pidRegex = '^$') => {
        const result = await instant(fillQuery(queries[key], { window: '5s', function: fn, pidRegex }));
        expect(result, `${key} for ${fn}`).toHaveLength(1);
        return Number(result[0]?.value[1]);
      };
      // figlet: two replicas → two containers at 25 % each; RAM the two containers' (not the pods' cgroups)
      expect(await value('function_cpu', 'figlet')).toBeCloseTo(2 * 100 * COUNTER_RATE, 0);
      expect(await value('function_ram', 'figlet')).toBe(9_437_184 + 8_388_608);
      expect(await value('function_replicas', 'figlet')).toBe(2);
      // power: whatever unit the profile gives, the two figlet processes' share of the host's
      expect(
        (await value('function_power', 'figlet', 'figlet')) / (await value('node_power', '')),
      ).toBeCloseTo(2_000_000 / 23_456_789, 9);
      expect(await value('function_cpu', 'nodeinfo')).toBeCloseTo(100 * COUNTER_RATE, 0);
      expect(await value('function_ram', 'nodeinfo')).toBe(12_582_912);
      expect(await value('function_replicas', 'nodeinfo')).toBe(1);
      // a function that is not deployed has no series (the sampler records nan)
      expect(await instant(fillQuery(queries.function_cpu, { window: '5s', function: 'shasum' }))).toEqual(
        [],
      );
    });

    it("the sampler's Prometheus source reads a load window's figures through the profile", async () => {
      const choice = chooseMetricsSource(
        { source: 'prometheus', prometheusUrl: promUrl, embeddedPlatform: false, configFile: 'test' },
        silentLogger,
      );
      const source = createMetricsSource(choice, {
        prometheus: { durationMs: 4000, pidRegexes: { figlet: 'figlet' }, scaphandre: true, settleMs: 0 },
        logger: silentLogger,
        configFile: 'test',
      });
      // Pre-flight: every query of the profile has a series for the deployed functions; one
      // that is not deployed has no replicas series, and that is what it names.
      expect(await source.check(['figlet', 'nodeinfo'])).toEqual([]);
      expect(await source.check(['figlet', 'shasum'])).toEqual([
        expect.stringMatching(/^function_replicas for shasum returns no series: /),
      ]);
      const window = source.startWindow(['figlet', 'nodeinfo']);
      await new Promise((r) => setTimeout(r, 4000));
      const figures = await window.stop();
      const figlet = figures.functions.figlet;
      const nodeinfo = figures.functions.nodeinfo;
      expect(figlet?.cpuPct).toBeGreaterThan(45);
      expect(figlet?.cpuPct).toBeLessThan(55);
      expect(figlet?.ramBytes).toBe(9_437_184 + 8_388_608);
      // microwatts, as Scaphandre reports them (src/metrics/contract.ts)
      expect(figlet?.powerMicrowatts).toBe(2_000_000);
      expect(figlet?.replicas).toBe(2);
      expect(nodeinfo?.cpuPct).toBeGreaterThan(22);
      expect(nodeinfo?.cpuPct).toBeLessThan(28);
      expect(nodeinfo?.replicas).toBe(1);
      expect(Number.isNaN(nodeinfo?.powerMicrowatts)).toBe(true); // no pid regex for nodeinfo
      expect(figures.node.cpuPct).toBeGreaterThan(0);
      expect(figures.node.ramBytes).toBeGreaterThan(0);
      expect(figures.node.powerMicrowatts).toBe(23_456_789);
      expect(figures.series.length).toBeGreaterThanOrEqual(2);
    });
  },
);
