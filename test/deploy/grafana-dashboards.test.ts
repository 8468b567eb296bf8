/**
 * deploy/grafana: the dashboards (every *-dashboard.json) and the file-provisioning YAML, checked
 * without Grafana (Grafana is not in Debian, and this machine cannot fetch it). A dashboard passes
 * when its uid is unique across the files, its panel ids are unique (rows' nested panels included),
 * its panels fit in 24 columns without overlapping, every data source reference is the provisioned
 * Prometheus by uid, it has a title and tags and no numeric dashboard id, and every query (panel
 * targets and query variables' label_values selectors) parses as PromQL and names only metrics of
 * the scrape set (deploy/prometheus/scrape-set.json). Broken copies in a temp dir show the checker
 * reports each kind of fault. Last, each dashboard goes through the sampler's API provisioning
 * (src/sampler/grafana.ts) against a stand-in for Grafana's HTTP API on 127.0.0.1, which must
 * receive it whole, under its own uid.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GRAFANA_DATASOURCE, GrafanaAnnotator } from '../../src/sampler/grafana.js';
import { recordingLogger } from '../helpers/logger.js';
import { loadScrapeSet, PromqlError, promqlMetrics, unknownMetrics } from '../helpers/promql.js';

const GRAFANA_DIR = new URL('../../deploy/grafana/', import.meta.url).pathname;
const PROVISIONING_DIR = join(GRAFANA_DIR, 'provisioning');
const COLUMNS = 24;

type Json = Record<string, unknown>;
interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: GridPos;
  datasource?: unknown;
  targets?: { refId?: unknown; expr?: unknown; datasource?: unknown }[];
  panels?: Panel[];
}
interface Dashboard {
  file: string;
  model: Json;
}

function readDashboards(dir: string): Dashboard[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('-dashboard.json'))
    .sort()
    .map((file) => ({ file, model: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json }));
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const overlap = (a: GridPos, b: GridPos) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Every `datasource` value in a model, with where it is. */
function datasourceRefs(v: unknown, path: string): { path: string; ref: unknown }[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => datasourceRefs(x, `${path}[${i}]`));
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [
    ...(k === 'datasource' ? [{ path: `${path}.${k}`, ref: x }] : []),
    ...datasourceRefs(x, `${path}.${k}`),
  ]);
}

/** Grafana's own annotation source, which every dashboard's built-in annotation list names. */
const isBuiltInAnnotation = (path: string, ref: unknown) =>
  /^\.annotations\.list\[\d+\]\.datasource$/.test(path) && (ref as Json | null)?.type === 'grafana';

/** Syntax errors and unknown metrics of one query; a query that selects no metric is one too. */
function queryProblems(expr: string, scrapeSet: Map<string, string[]>): string[] {
  try {
    if (promqlMetrics(expr).length === 0) return [`selects no metric: ${expr}`];
    const unknown = unknownMetrics(expr, scrapeSet);
    return unknown.length ? [`names metrics outside the scrape set (${unknown.join(', ')}): ${expr}`] : [];
  } catch (err) {
    if (err instanceof PromqlError) return [err.message];
    throw err;
  }
}

/** The PromQL a query variable runs: label_values' selector, query_result's expression. */
function variableExpr(query: string): string | undefined {
  const m = /^\s*(label_values|query_result)\((.*)\)\s*$/s.exec(query);
  if (!m) return undefined;
  const arg = m[2] as string;
  if (m[1] === 'query_result') return arg;
  const comma = arg.lastIndexOf(',');
  return comma < 0 ? '' : arg.slice(0, comma);
}

/** Ids, grid positions and targets of one level of panels (a collapsed row's panels are one level). */
function panelProblems(panels: Panel[], say: (what: string) => void, ids: Set<unknown>): void {
  const laid: Panel[] = [];
  for (const p of panels) {
    const name = `panel ${String(p.id)} (${String(p.title)})`;
    if (!isInt(p.id)) say(`${name}: id is not an integer`);
    else if (ids.has(p.id)) say(`${name}: id used twice`);
    ids.add(p.id);
    if (typeof p.title !== 'string' || p.title === '') say(`${name}: no title`);
    const g = p.gridPos;
    if (!g || ![g.x, g.y, g.w, g.h].every(isInt) || g.x < 0 || g.y < 0 || g.w < 1 || g.h < 1)
      say(`${name}: gridPos missing or not whole, non-negative numbers`);
    else if (g.x + g.w > COLUMNS) say(`${name}: gridPos beyond ${COLUMNS} columns`);
    else {
      for (const q of laid)
        if (overlap(g, q.gridPos as GridPos)) say(`${name} overlaps panel ${String(q.id)}`);
      laid.push(p);
    }
    if (p.type === 'row') {
      // A collapsed row keeps its panels inside; they are laid out on their own.
      panelProblems(p.panels ?? [], say, ids);
      continue;
    }
    if (!p.targets?.length) say(`${name}: no targets`);
  }
}

/** Every problem of the dashboards in `dir`, as "file: what"; none is a pass. */
function dashboardProblems(dir: string, datasourceUid: string, scrapeSet: Map<string, string[]>): string[] {
  const problems: string[] = [];
  const uids = new Map<unknown, string>();
  const expected = { type: 'prometheus', uid: datasourceUid };
  for (const { file, model } of readDashboards(dir)) {
    const say = (what: string) => problems.push(`${file}: ${what}`);
    if (typeof model.uid !== 'string' || model.uid === '' || model.uid.length > 40)
      say('uid missing or over 40 characters');
    if (uids.has(model.uid)) say(`uid ${String(model.uid)} also in ${uids.get(model.uid)}`);
    uids.set(model.uid, file);
    if (model.id !== undefined && model.id !== null)
      say(`has dashboard id ${String(model.id)} (must be absent or null)`);
    if (typeof model.title !== 'string' || model.title === '') say('no title');
    if (
      !Array.isArray(model.tags) ||
      model.tags.length === 0 ||
      !model.tags.every((t) => typeof t === 'string')
    )
      say('no tags');
    if (!isInt(model.schemaVersion)) say('no schemaVersion');

    for (const { path, ref } of datasourceRefs(model, ''))
      if (!isBuiltInAnnotation(path, ref) && JSON.stringify(ref) !== JSON.stringify(expected))
        say(`${path} is ${JSON.stringify(ref)}, not ${JSON.stringify(expected)}`);

    const panels = (model.panels ?? []) as Panel[];
    panelProblems(panels, say, new Set());
    const flat = panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
    for (const p of flat) {
      if (p.datasource === undefined) say(`panel ${String(p.id)}: no datasource`);
      for (const t of p.targets ?? []) {
        const where = `panel ${String(p.id)} target ${String(t.refId)}`;
        if (t.datasource === undefined) say(`${where}: no datasource`);
        if (typeof t.expr !== 'string') say(`${where}: no expr`);
        else for (const q of queryProblems(t.expr, scrapeSet)) say(`${where}: ${q}`);
      }
    }

    const variables = ((model.templating as Json | undefined)?.list ?? []) as Json[];
    for (const v of variables.filter((x) => x.type === 'query')) {
      const where = `variable ${String(v.name)}`;
      if (v.datasource === undefined) say(`${where}: no datasource`);
      const query = typeof v.query === 'string' ? v.query : (v.query as Json | undefined)?.query;
      const expr = typeof query === 'string' ? variableExpr(query) : undefined;
      if (expr === undefined) say(`${where}: not a label_values or query_result query: ${String(query)}`);
      else if (expr !== '') for (const q of queryProblems(expr, scrapeSet)) say(`${where}: ${q}`);
    }
  }
  return problems;
}

const datasourcesFile = parse(readFileSync(join(PROVISIONING_DIR, 'datasources', 'dfaas.yml'), 'utf8')) as {
  apiVersion: number;
  datasources: Json[];
};
const providersFile = parse(readFileSync(join(PROVISIONING_DIR, 'dashboards', 'dfaas.yml'), 'utf8')) as {
  apiVersion: number;
  providers: Json[];
};
const provisioned = datasourcesFile.datasources[0] as Json;

describe('the dashboards', () => {
  const dashboards = readDashboards(GRAFANA_DIR);

  it('are the five dfaas ships, each with its own uid', () => {
    expect(Object.fromEntries(dashboards.map((d) => [d.file, d.model.uid]))).toEqual({
      'bench-dashboard.json': 'dfaas-bench',
      'cluster-dashboard.json': 'dfaas-cluster',
      'dfaas-node-dashboard.json': 'dfaas-node',
      'sweep-dashboard.json': 'dfaas-sweep',
      'workflow-dashboard.json': 'dfaas-workflow',
    });
  });

  it('have unique uids and panel ids, non-overlapping panels, the provisioned data source, and queries on scraped metrics only', () => {
    expect(dashboardProblems(GRAFANA_DIR, provisioned.uid as string, loadScrapeSet())).toEqual([]);
  });

  describe('a broken copy', () => {
    let dir: string;
    let problems: string[];
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'dfaas-grafana-'));
      const good = dashboards.find((d) => d.file === 'dfaas-node-dashboard.json')?.model as Json;
      const broken = structuredClone(good);
      const [first, second] = broken.panels as Panel[];
      (second as Panel).gridPos = { ...((first as Panel).gridPos as GridPos), x: 6 };
      const targets = (first as Panel).targets ?? [];
      (targets[0] as Json).expr = 'sum(dfaas_node_user_rat{instance="$node"})';
      (targets[1] as Json).expr = 'sum(rate(dfaas_node_local_rate[$__rate_interval])';
      (targets[2] as Json).datasource = { type: 'prometheus', uid: 'DFaaS Prometheus' };
      broken.id = 7;
      writeFileSync(join(dir, 'dfaas-node-dashboard.json'), JSON.stringify(good));
      writeFileSync(join(dir, 'zz-broken-dashboard.json'), JSON.stringify(broken));
      problems = dashboardProblems(dir, provisioned.uid as string, loadScrapeSet());
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is reported for each fault, and the good one for none', () => {
      expect(problems.filter((p) => !p.startsWith('zz-broken-dashboard.json: '))).toEqual([]);
      for (const fault of [
        /uid dfaas-node also in/,
        /has dashboard id 7/,
        /panel 2 \(.*\) overlaps panel 1$/,
        /panel 1 target A: names metrics outside the scrape set \(dfaas_node_user_rat\)/,
        /panel 1 target B: PromQL syntax error/,
        /panels\[0\]\.targets\[2\]\.datasource is .*DFaaS Prometheus/,
      ])
        expect(problems).toContainEqual(expect.stringMatching(fault));
    });
  });
});

describe('the provisioning files', () => {
  it('provision the Prometheus data source the dashboards and the sampler name', () => {
    expect(datasourcesFile.apiVersion).toBe(1);
    expect(datasourcesFile.datasources).toHaveLength(1);
    expect(provisioned).toMatchObject({
      name: GRAFANA_DATASOURCE.name,
      uid: GRAFANA_DATASOURCE.uid,
      type: 'prometheus',
      access: 'proxy',
      // editable: the sampler updates it through the API, which Grafana refuses (403) for read-only ones
      editable: true,
    });
    expect(provisioned.url).toMatch(/^(\$\{PROMETHEUS_URL\}|https?:\/\/[^/]+:30411\/?)$/);
  });

  it('load the dashboards from one folder into the folder "dfaas", the README copying them there', () => {
    expect(providersFile.apiVersion).toBe(1);
    expect(providersFile.providers).toHaveLength(1);
    const provider = providersFile.providers[0] as Json;
    // allowUiUpdates: the sampler re-posts dfaas-sweep, which Grafana refuses for file-provisioned dashboards otherwise
    expect(provider).toMatchObject({ type: 'file', folder: 'dfaas', allowUiUpdates: true });
    const path = (provider.options as Json).path as string;
    expect(path).toMatch(/^\//);
    const readme = readFileSync(join(GRAFANA_DIR, 'README.md'), 'utf8');
    expect(readme).toContain(`deploy/grafana/*-dashboard.json ${path}/`);
  });
});

/**
 * A stand-in for Grafana's HTTP API, just what GrafanaAnnotator.start() calls: a data source made
 * by hand under the provisioned name but another uid, and the dashboard save route.
 * test/sampler/grafana.test.ts checks the client's protocol against a fuller fake.
 */
class GrafanaStandIn {
  readonly saved: Json[] = [];
  readonly server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const [status, body] = this.answer(`${req.method} ${decodeURIComponent(req.url ?? '')}`, raw);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  url = '';

  private answer(call: string, raw: string): [number, unknown] {
    const handMade = { id: 3, uid: 'hand-made', name: GRAFANA_DATASOURCE.name, type: 'prometheus' };
    if (call === `GET /api/datasources/name/${GRAFANA_DATASOURCE.name}`) return [200, handMade];
    if (call === 'PUT /api/datasources/uid/hand-made') return [200, { datasource: handMade, id: 3 }];
    if (call === 'POST /api/dashboards/db') {
      const body = JSON.parse(raw) as Json;
      this.saved.push(body);
      return [200, { status: 'success', uid: (body.dashboard as Json).uid, version: 1 }];
    }
    return [404, { message: 'Not found' }];
  }
}

describe("the sampler's API provisioning (GrafanaAnnotator against a stand-in for Grafana)", () => {
  const grafana = new GrafanaStandIn();
  beforeAll(async () => {
    await new Promise<void>((r) => grafana.server.listen(0, '127.0.0.1', r));
    grafana.url = `http://127.0.0.1:${(grafana.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => grafana.server.close(() => r())));

  for (const { file, model } of readDashboards(GRAFANA_DIR)) {
    it(`saves ${file} whole under its uid ${String(model.uid)}, its queries on the data source found`, async () => {
      const { logger, entries } = recordingLogger();
      await new GrafanaAnnotator({
        grafana: { url: grafana.url, api_key: 'glsa_test' },
        prometheusUrl: 'http://192.0.2.10:30411',
        runId: 'run-1',
        logger,
        timeoutMs: 2000,
        dashboard: model,
      }).start();
      expect(entries.filter((e) => e.level === 'warn')).toEqual([]);
      const body = grafana.saved.at(-1) as Json;
      expect(body.overwrite).toBe(true);
      const onHandMade = JSON.parse(
        JSON.stringify(model).replaceAll(`"uid":"${GRAFANA_DATASOURCE.uid}"`, '"uid":"hand-made"'),
      ) as Json;
      expect(body.dashboard).toEqual({ ...onHandMade, id: null });
    });
  }
});
