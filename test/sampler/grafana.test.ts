/**
 * The sweep's Grafana client (src/sampler/grafana.ts) against a fake Grafana in this file: an
 * HTTP server that checks each request against Grafana's documented HTTP API (the legacy /api
 * routes: data source API, dashboard API, annotations API: paths, methods, the bearer key, the
 * X-Grafana-Org-Id header, JSON bodies and their fields) and answers as Grafana does (status
 * codes, response bodies, 404/409/412 on missing or conflicting objects, 401 on a bad key).
 *
 * Grafana itself cannot run here (no Grafana package on this machine, no network to fetch one),
 * so this proves the client speaks the documented API, not that a given Grafana release
 * accepts the dashboard model.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import { freeLoopbackPort } from '../../src/core/net.js';
import {
  createSweepAnnotator,
  GRAFANA_DASHBOARD_UID,
  GRAFANA_DATASOURCE,
  GrafanaAnnotator,
  noopAnnotator,
} from '../../src/sampler/grafana.js';

const KEY = 'glsa_test_key_0123456789';
const ORG = 2;

interface Datasource {
  id: number;
  uid: string;
  orgId: number;
  name: string;
  type: string;
  access: string;
  url: string;
  basicAuth: boolean;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
  readOnly: boolean;
}

/** A fake Grafana keeping its objects in memory and recording every request and every protocol violation. */
class FakeGrafana {
  datasources = new Map<string, Datasource>();
  dashboards = new Map<string, { id: number; version: number; model: Record<string, unknown> }>();
  annotations: Record<string, unknown>[] = [];
  requests: { method: string; path: string; body: unknown }[] = [];
  violations: string[] = [];
  private nextId = 1;
  server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const [status, body] = this.handle(req, raw);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  url = '';

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private violation(what: string): [number, unknown] {
    this.violations.push(what);
    return [400, { message: 'bad request data' }];
  }

  private handle(req: IncomingMessage, raw: string): [number, unknown] {
    const method = req.method ?? '';
    const path = decodeURIComponent((req.url ?? '').split('?')[0] as string);
    let body: Record<string, unknown> | undefined;
    if (raw) {
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return this.violation(`${method} ${path}: body without Content-Type: application/json`);
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return this.violation(`${method} ${path}: body is not JSON`);
      }
    }
    this.requests.push({ method, path, body });
    if (req.headers.authorization !== `Bearer ${KEY}`) return [401, { message: 'Invalid API key' }];
    if (req.headers['x-grafana-org-id'] !== String(ORG))
      return this.violation(`${method} ${path}: X-Grafana-Org-Id is ${req.headers['x-grafana-org-id']}`);

    const byUid = /^\/api\/datasources\/uid\/([^/]+)$/.exec(path);
    const byName = /^\/api\/datasources\/name\/([^/]+)$/.exec(path);
    if (method === 'GET' && (byUid || byName)) {
      const ds = byUid
        ? this.datasources.get(byUid[1] as string)
        : [...this.datasources.values()].find((d) => d.name === byName?.[1]);
      return ds ? [200, ds] : [404, { message: 'Data source not found' }];
    }
    if (method === 'POST' && path === '/api/datasources') {
      const problem = this.checkDatasource(body);
      if (problem) return this.violation(`POST /api/datasources: ${problem}`);
      const b = body as Record<string, unknown>;
      if ([...this.datasources.values()].some((d) => d.name === b.name))
        return [409, { message: 'data source with the same name already exists' }];
      const uid = typeof b.uid === 'string' ? b.uid : `auto${this.nextId}`;
      if (this.datasources.has(uid))
        return [409, { message: 'data source with the same uid already exists' }];
      const ds = this.store(uid, b, this.nextId++);
      return [200, { datasource: ds, id: ds.id, message: 'Datasource added', name: ds.name }];
    }
    if (method === 'PUT' && byUid) {
      const old = this.datasources.get(byUid[1] as string);
      if (!old) return [404, { message: 'Data source not found' }];
      const problem = this.checkDatasource(body);
      if (problem) return this.violation(`PUT ${path}: ${problem}`);
      const ds = this.store(old.uid, body as Record<string, unknown>, old.id);
      return [200, { datasource: ds, id: ds.id, message: 'Datasource updated', name: ds.name }];
    }
    if (method === 'POST' && path === '/api/dashboards/db') {
      const dash = body?.dashboard as Record<string, unknown> | undefined;
      if (!dash || typeof dash.title !== 'string')
        return this.violation('POST /api/dashboards/db: no dashboard.title');
      if (!Array.isArray(dash.panels)) return this.violation('POST /api/dashboards/db: no dashboard.panels');
      if (typeof dash.uid !== 'string' || dash.uid.length > 40)
        return this.violation('POST /api/dashboards/db: dashboard.uid missing or over 40 characters');
      if (body?.overwrite !== undefined && typeof body.overwrite !== 'boolean')
        return this.violation('POST /api/dashboards/db: overwrite not a boolean');
      const old = this.dashboards.get(dash.uid);
      if (old && body?.overwrite !== true)
        return [412, { message: 'A dashboard with the same uid already exists', status: 'name-exists' }];
      const entry = { id: old?.id ?? this.nextId++, version: (old?.version ?? 0) + 1, model: dash };
      this.dashboards.set(dash.uid, entry);
      const slug = dash.title.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-');
      return [
        200,
        {
          id: entry.id,
          uid: dash.uid,
          url: `/d/${dash.uid}/${slug}`,
          status: 'success',
          version: entry.version,
          slug,
        },
      ];
    }
    if (method === 'POST' && path === '/api/annotations') {
      const b = body ?? {};
      if (typeof b.time !== 'number' || !Number.isInteger(b.time))
        return this.violation('POST /api/annotations: time is not epoch milliseconds');
      if (b.timeEnd !== undefined && (typeof b.timeEnd !== 'number' || b.timeEnd < b.time))
        return this.violation('POST /api/annotations: timeEnd before time');
      if (!Array.isArray(b.tags) || !b.tags.every((t) => typeof t === 'string'))
        return this.violation('POST /api/annotations: tags not a list of strings');
      if (typeof b.text !== 'string') return this.violation('POST /api/annotations: no text');
      if (b.dashboardUID !== undefined && typeof b.dashboardUID !== 'string')
        return this.violation('POST /api/annotations: dashboardUID not a string');
      const id = this.nextId++;
      this.annotations.push({ id, ...b });
      return [200, { message: 'Annotation added', id }];
    }
    return [404, { message: 'Not found' }];
  }

  private checkDatasource(b: Record<string, unknown> | undefined): string | undefined {
    if (!b) return 'no body';
    for (const f of ['name', 'type', 'access', 'url'] as const)
      if (typeof b[f] !== 'string' || b[f] === '') return `${f} missing`;
    if (b.access !== 'proxy' && b.access !== 'direct') return `access ${String(b.access)}`;
    return undefined;
  }

  private store(uid: string, b: Record<string, unknown>, id: number): Datasource {
    const ds: Datasource = {
      id,
      uid,
      orgId: ORG,
      name: b.name as string,
      type: b.type as string,
      access: b.access as string,
      url: b.url as string,
      basicAuth: Boolean(b.basicAuth),
      isDefault: Boolean(b.isDefault),
      jsonData: (b.jsonData as Record<string, unknown>) ?? {},
      readOnly: false,
    };
    this.datasources.set(uid, ds);
    return ds;
  }
}

function recordingLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const warnings = (logger: ReturnType<typeof recordingLogger>) =>
  logger.lines.filter((l) => l.level === 'warn');

/** Every Prometheus data source reference in a dashboard model. */
function datasourceRefs(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap(datasourceRefs);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return [
      ...(o.type === 'prometheus' && 'uid' in o ? [o] : []),
      ...Object.values(o).flatMap(datasourceRefs),
    ];
  }
  return [];
}

describe('GrafanaAnnotator', () => {
  let grafana: FakeGrafana;
  beforeAll(async () => {
    grafana = new FakeGrafana();
    await grafana.listen();
  });
  afterAll(() => new Promise<void>((r) => grafana.server.close(() => r())));
  afterEach(() => {
    expect(grafana.violations).toEqual([]);
  });

  const annotator = (
    logger: Logger,
    overrides: { key?: string; url?: string; prometheusUrl?: string } = {},
  ) =>
    new GrafanaAnnotator({
      grafana: { url: overrides.url ?? `${grafana.url}/`, api_key: overrides.key ?? KEY, org_id: ORG },
      prometheusUrl: overrides.prometheusUrl ?? 'http://prometheus.monitoring:9090',
      runId: 'run-2024-06-10T12-00-00',
      logger,
      timeoutMs: 2000,
    });

  it('provisions the data source and the sweep dashboard, pointing the panels at the data source', async () => {
    const logger = recordingLogger();
    await annotator(logger).start();
    expect(warnings(logger)).toEqual([]);
    expect([...grafana.datasources.values()]).toEqual([
      expect.objectContaining({
        uid: GRAFANA_DATASOURCE.uid,
        name: GRAFANA_DATASOURCE.name,
        type: 'prometheus',
        access: 'proxy',
        url: 'http://prometheus.monitoring:9090',
      }),
    ]);
    const dash = grafana.dashboards.get(GRAFANA_DASHBOARD_UID);
    expect(dash?.version).toBe(1);
    expect(dash?.model.id).toBeNull();
    const refs = datasourceRefs(dash?.model);
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) expect(r).toEqual({ type: 'prometheus', uid: GRAFANA_DATASOURCE.uid });
    const posted = grafana.requests.find((r) => r.path === '/api/dashboards/db');
    expect(posted?.body).toMatchObject({ overwrite: true });
  });

  it('provisioning again updates both, never duplicates', async () => {
    const logger = recordingLogger();
    const before = grafana.requests.length;
    await annotator(logger, { prometheusUrl: 'http://10.0.0.7:30411' }).start();
    expect(warnings(logger)).toEqual([]);
    const calls = grafana.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual([
      `GET /api/datasources/uid/${GRAFANA_DATASOURCE.uid}`,
      `PUT /api/datasources/uid/${GRAFANA_DATASOURCE.uid}`,
      'POST /api/dashboards/db',
    ]);
    expect(grafana.datasources.size).toBe(1);
    expect(grafana.datasources.get(GRAFANA_DATASOURCE.uid)?.url).toBe('http://10.0.0.7:30411');
    expect(grafana.dashboards.size).toBe(1);
    expect(grafana.dashboards.get(GRAFANA_DASHBOARD_UID)?.version).toBe(2);
  });

  it('adopts a data source of the same name made by hand (another uid) instead of adding a second', async () => {
    grafana.datasources.clear();
    const logger = recordingLogger();
    const fake = grafana as unknown as { store: FakeGrafana['store'] };
    fake.store(
      'hand-made',
      { name: GRAFANA_DATASOURCE.name, type: 'prometheus', access: 'proxy', url: 'http://old' },
      99,
    );
    await annotator(logger).start();
    expect(warnings(logger)).toEqual([]);
    expect([...grafana.datasources.keys()]).toEqual(['hand-made']);
    expect(grafana.datasources.get('hand-made')?.url).toBe('http://prometheus.monitoring:9090');
    for (const r of datasourceRefs(grafana.dashboards.get(GRAFANA_DASHBOARD_UID)?.model))
      expect(r).toEqual({ type: 'prometheus', uid: 'hand-made' });
  });

  it("marks a configuration's load window with a region annotation tagged with the run and configuration", async () => {
    const logger = recordingLogger();
    await annotator(logger).configurationDone(
      'figlet@20+nodeinfo@10',
      1_718_000_000_000.4,
      1_718_000_030_000,
    );
    expect(warnings(logger)).toEqual([]);
    expect(grafana.annotations.at(-1)).toMatchObject({
      dashboardUID: GRAFANA_DASHBOARD_UID,
      time: 1_718_000_000_000,
      timeEnd: 1_718_000_030_000,
      tags: ['run-2024-06-10T12-00-00', 'figlet@20+nodeinfo@10'],
      text: expect.stringContaining('figlet@20+nodeinfo@10'),
    });
  });

  it('a refused key: one warning a sweep, no throw, no more calls', async () => {
    const logger = recordingLogger();
    const a = annotator(logger, { key: 'wrong' });
    const before = grafana.requests.length;
    await expect(a.start()).resolves.toBeUndefined();
    await expect(a.configurationDone('c1', 1000, 2000)).resolves.toBeUndefined();
    await expect(a.configurationDone('c2', 3000, 4000)).resolves.toBeUndefined();
    expect(warnings(logger)).toHaveLength(1);
    expect(warnings(logger)[0]?.message).toContain('grafana');
    expect(grafana.requests.length - before).toBe(1); // the first call; then none
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('a Grafana that is down', () => {
  it('never throws and warns once a sweep, however many calls', async () => {
    const port = await freeLoopbackPort(); // nothing listens there
    const logger = recordingLogger();
    const a = new GrafanaAnnotator({
      grafana: { url: `http://127.0.0.1:${port}`, api_key: KEY },
      prometheusUrl: 'http://prometheus:9090',
      runId: 'r',
      logger,
      timeoutMs: 1000,
    });
    await expect(a.start()).resolves.toBeUndefined();
    for (let i = 0; i < 5; i++) await expect(a.configurationDone(`c${i}`, i, i + 1)).resolves.toBeUndefined();
    expect(warnings(logger)).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === 'debug')).toHaveLength(5);
    // a second sweep (a new annotator) warns again, once
    const logger2 = recordingLogger();
    const b = new GrafanaAnnotator({
      grafana: { url: `http://127.0.0.1:${port}`, api_key: KEY },
      prometheusUrl: 'http://prometheus:9090',
      runId: 'r2',
      logger: logger2,
      timeoutMs: 1000,
    });
    await b.start();
    await b.configurationDone('c', 0, 1);
    expect(warnings(logger2)).toHaveLength(1);
  });

  it('a Grafana that answers 500 with HTML is a warning too', async () => {
    const server = createServer((_req, res) =>
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const logger = recordingLogger();
    const a = new GrafanaAnnotator({
      grafana: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, api_key: KEY },
      prometheusUrl: 'http://prometheus:9090',
      runId: 'r',
      logger,
    });
    await a.start();
    await a.configurationDone('c', 0, 1);
    await new Promise<void>((r) => server.close(() => r()));
    expect(warnings(logger)).toHaveLength(1);
    expect(warnings(logger)[0]).toBeDefined();
  });
});

describe('createSweepAnnotator', () => {
  it('without Grafana settings is the no-op annotator', async () => {
    const a = createSweepAnnotator({ prometheusUrl: 'x', runId: 'r', logger: recordingLogger() });
    expect(a).toBe(noopAnnotator);
    await expect(a.start()).resolves.toBeUndefined();
    await expect(a.configurationDone('c', 0, 1)).resolves.toBeUndefined();
  });

  it('with `enabled: false` (the configuration default) is the no-op annotator', () => {
    const a = createSweepAnnotator({
      grafana: { enabled: false, url: 'http://localhost:3000', org_id: 1 },
      prometheusUrl: 'x',
      runId: 'r',
      logger: recordingLogger(),
    });
    expect(a).toBe(noopAnnotator);
  });

  it('with them is the Grafana annotator', () => {
    const a = createSweepAnnotator({
      grafana: { url: 'http://grafana:3000', api_key: KEY, org_id: 1 },
      prometheusUrl: 'x',
      runId: 'r',
      logger: recordingLogger(),
    });
    expect(a).toBeInstanceOf(GrafanaAnnotator);
  });
});
