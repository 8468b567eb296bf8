/**
 * The sweep's Grafana: provisions a Prometheus data source and the sweep dashboard
 * (deploy/grafana/sweep-dashboard.json), then marks each configuration's load window with a
 * region annotation on that dashboard. Grafana's HTTP API (legacy /api routes, Grafana 9 and
 * later), authenticated with a service-account token or API key as a bearer token, the
 * organisation in X-Grafana-Org-Id.
 *
 * Grafana is a convenience: one that is down, slow or refuses the key never stops a sweep. The
 * methods never throw; the first failure of a sweep is one warning, later ones are debug lines.
 * A refused key (401/403) stops further calls for the sweep; a transport error does not (Grafana
 * may come up mid-sweep).
 */
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import type { Logger } from '../core/logger.js';

/** What the sampler tells the sweep's Grafana. The runner calls it; `noopAnnotator` without Grafana. */
export interface SweepAnnotator {
  /** Provisions the data source and the dashboard. Never throws. */
  start(): Promise<void>;
  /** Marks one configuration's load window [startMs, endMs] (ms since the epoch). Never throws. */
  configurationDone(configurationId: string, startMs: number, endMs: number, text?: string): Promise<void>;
}

/** The annotator of a sweep without Grafana. */
export const noopAnnotator: SweepAnnotator = {
  start: async () => {},
  configurationDone: async () => {},
};

/**
 * How the sampler reaches Grafana: the sampler configuration's `grafana` block as parsed
 * (src/config/sampler.ts GrafanaSettingsSchema) fits it as is.
 */
export interface GrafanaClientSettings {
  /** false: no Grafana (createSweepAnnotator gives the no-op annotator). Unset: enabled. */
  enabled?: boolean | undefined;
  url: string;
  /** A service-account token or API key, sent as `Authorization: Bearer …`; unset, no Authorization. */
  api_key?: string | undefined;
  /** The organisation, sent as X-Grafana-Org-Id; unset, the key's own. */
  org_id?: number | undefined;
}

/** The provisioned objects' fixed identities (re-provisioning updates them, never duplicates). */
export const GRAFANA_DATASOURCE = { name: 'dfaas Prometheus', uid: 'dfaas-prometheus' } as const;
export const GRAFANA_DASHBOARD_UID = 'dfaas-sweep';
/** The dashboard file shipped with dfaas. */
export const SWEEP_DASHBOARD_FILE = new URL('../../deploy/grafana/sweep-dashboard.json', import.meta.url)
  .pathname;

export interface GrafanaAnnotatorOptions {
  grafana: GrafanaClientSettings;
  /** The Prometheus the data source points at (as Grafana's server reaches it). */
  prometheusUrl: string;
  /** The sweep's run id: the first tag of every annotation. */
  runId: string;
  logger: Logger;
  /** Per request; default 5 s. */
  timeoutMs?: number;
  /**
   * The dashboard model; default SWEEP_DASHBOARD_FILE. It keeps its own uid (any of deploy/grafana's
   * dashboards can be provisioned this way), else GRAFANA_DASHBOARD_UID; annotations go to it.
   */
  dashboard?: Record<string, unknown>;
}

class GrafanaRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class GrafanaAnnotator implements SweepAnnotator {
  private readonly base: string;
  private readonly timeoutMs: number;
  private warned = false;
  private refused = false;
  private readonly dashboardUid: string;

  constructor(private readonly options: GrafanaAnnotatorOptions) {
    this.base = options.grafana.url.replace(/\/+$/, '');
    const uid = options.dashboard?.uid;
    this.dashboardUid = typeof uid === 'string' && uid !== '' ? uid : GRAFANA_DASHBOARD_UID;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async start(): Promise<void> {
    await this.guard('provision the data source and dashboard', async () => {
      const datasourceUid = await this.provisionDatasource();
      const dashboard = withDatasource(this.options.dashboard ?? readDashboardFile(), datasourceUid);
      await this.call('POST', '/api/dashboards/db', {
        dashboard: { ...dashboard, id: null, uid: this.dashboardUid },
        message: `dfaas sweep ${this.options.runId}`,
        overwrite: true,
      });
    });
  }

  async configurationDone(
    configurationId: string,
    startMs: number,
    endMs: number,
    text?: string,
  ): Promise<void> {
    await this.guard('annotate a configuration', async () => {
      await this.call('POST', '/api/annotations', {
        dashboardUID: this.dashboardUid,
        time: Math.round(startMs),
        timeEnd: Math.round(endMs),
        tags: [this.options.runId, configurationId],
        text: text ?? `dfaas sweep ${this.options.runId}: configuration ${configurationId}`,
      });
    });
  }

  /** Create the data source, or update the one with our uid (or, failing that, our name). Its uid. */
  private async provisionDatasource(): Promise<string> {
    const body = {
      name: GRAFANA_DATASOURCE.name,
      type: 'prometheus',
      access: 'proxy',
      url: this.options.prometheusUrl,
      basicAuth: false,
      isDefault: false,
      jsonData: { httpMethod: 'POST' },
    };
    const existing =
      (await this.find(`/api/datasources/uid/${encodeURIComponent(GRAFANA_DATASOURCE.uid)}`)) ??
      (await this.find(`/api/datasources/name/${encodeURIComponent(GRAFANA_DATASOURCE.name)}`));
    if (existing && typeof existing.uid === 'string') {
      await this.call('PUT', `/api/datasources/uid/${encodeURIComponent(existing.uid)}`, {
        ...body,
        uid: existing.uid,
      });
      return existing.uid;
    }
    await this.call('POST', '/api/datasources', { ...body, uid: GRAFANA_DATASOURCE.uid });
    return GRAFANA_DATASOURCE.uid;
  }

  /** GET an object; undefined on 404. */
  private async find(path: string): Promise<{ uid?: unknown } | undefined> {
    try {
      return (await this.call('GET', path)) as { uid?: unknown };
    } catch (err) {
      if (err instanceof GrafanaRequestError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    const { api_key, org_id } = this.options.grafana;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (api_key) headers.authorization = `Bearer ${api_key}`;
    if (org_id !== undefined) headers['x-grafana-org-id'] = String(org_id);
    if (body !== undefined) headers['content-type'] = 'application/json';
    let statusCode: number;
    let text: string;
    try {
      const res = await request(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      statusCode = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new GrafanaRequestError(`${method} ${path}: ${(err as Error).message}`);
    }
    if (statusCode < 200 || statusCode >= 300) {
      let message = text.slice(0, 200);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {}
      throw new GrafanaRequestError(`${method} ${path}: HTTP ${statusCode} ${message}`.trim(), statusCode);
    }
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      return {};
    }
  }

  /** Runs one step; a failure is logged (one warning a sweep), never thrown. */
  private async guard(what: string, step: () => Promise<void>): Promise<void> {
    if (this.refused) return;
    try {
      await step();
    } catch (err) {
      const status = err instanceof GrafanaRequestError ? err.status : undefined;
      if (status === 401 || status === 403) this.refused = true;
      const fields = { url: this.base, error: (err as Error).message };
      if (this.warned) {
        this.options.logger.debug(`grafana: could not ${what}`, fields);
      } else {
        this.warned = true;
        this.options.logger.warn(
          `grafana: could not ${what}; the sweep goes on without Grafana${this.refused ? ' (key refused: no more calls)' : ''}`,
          fields,
        );
      }
    }
  }
}

/** The sweep's annotator: Grafana's when settings are given and not disabled, else the no-op one. */
export function createSweepAnnotator(
  options: Omit<GrafanaAnnotatorOptions, 'grafana'> & { grafana?: GrafanaClientSettings | undefined },
): SweepAnnotator {
  const { grafana, ...rest } = options;
  return grafana && grafana.enabled !== false ? new GrafanaAnnotator({ ...rest, grafana }) : noopAnnotator;
}

function readDashboardFile(): Record<string, unknown> {
  return JSON.parse(readFileSync(SWEEP_DASHBOARD_FILE, 'utf8')) as Record<string, unknown>;
}

/** The dashboard with every Prometheus data source reference pointed at `uid`. */
export function withDatasource(dashboard: Record<string, unknown>, uid: string): Record<string, unknown> {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'prometheus' && typeof o.uid === 'string' && Object.keys(o).length === 2)
        return { type: 'prometheus', uid };
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(dashboard) as Record<string, unknown>;
}
