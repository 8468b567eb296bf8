/**
 * deploy/prometheus checked with Prometheus's and Alertmanager's own tools, offline:
 * - the rules pass `promtool check rules`, and `promtool test rules` shows the OpenFaaS CE alert
 *   firing for a function above 5 successful invocations/s once `for: 5s` has passed, and not for
 *   one below or for errors; a broken copy of the rules fails the check;
 * - prometheus.yml passes `promtool check config`. Debian's promtool (2.42) knows neither
 *   `scrape_config_files` (Prometheus 2.43) nor `kubernetes_sd_configs` (Debian builds Prometheus
 *   without Kubernetes service discovery), so the check runs on a copy without
 *   scrape_config_files, with rule_files pointed at the repository's rules and the jobs of
 *   scrape-kubernetes.yml folded in with their discovery swapped for a static target (promtool then
 *   checks their relabelling too). scrape-kubernetes.yml is also read on its own: job names, roles,
 *   namespaces, relabel actions and regexes (RE2's syntax, a subset of JavaScript's for these);
 * - a real Prometheus (Debian's) scrapes the cAdvisor and gateway fixtures on loopback with these
 *   jobs: cAdvisor's series get the kubelet's container/pod/namespace labels and lose
 *   container_env_*, and a pod "discovered" with the annotations is scraped on its annotated port
 *   with its pod labels, while one not annotated is dropped;
 * - every exporter fixture is Prometheus text (`promtool check metrics`; lint findings such as
 *   cAdvisor's camelCase labels are the exporters' own and allowed, a parse error is not);
 * - alertmanager.yml passes `amtool check-config` (Debian's prometheus-alertmanager 0.25);
 * - `kubectl kustomize deploy/prometheus` renders the two ConfigMaps with the files, under the
 *   keys the configurations name.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { freeLoopbackPort } from '../../src/core/net.js';
import { kustomize, REPO } from '../helpers/kustomize.js';
import { serviceBinary } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

const promtool = serviceBinary('/usr/bin/promtool');
const prometheus = serviceBinary('/usr/bin/prometheus');
const amtool = serviceBinary('/usr/bin/amtool');
const kubectl = serviceBinary('/usr/bin/kubectl');

const DIR = join(REPO, 'deploy/prometheus');
const RULES = join(DIR, 'rules/openfaas.yml');
const FIXTURES = join(DIR, 'exporters');
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');

const tmp = mkdtempSync(join(tmpdir(), 'dfaas-deploy-prometheus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(bin: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', cwd: tmp });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

type Job = { job_name: string; [field: string]: unknown };
interface RelabelConfig {
  action?: string;
  regex?: string;
}
interface KubernetesJob extends Job {
  kubernetes_sd_configs?: { role?: string; namespaces?: { names?: string[] } }[];
  relabel_configs?: RelabelConfig[];
}

const mainConfig = () => parse(read('prometheus.yml')) as { scrape_configs: Job[]; [key: string]: unknown };
const kubernetesJobs = () =>
  (parse(read('scrape-kubernetes.yml')) as { scrape_configs: KubernetesJob[] }).scrape_configs;

/** A Kubernetes SD job with its discovery replaced by static target groups (default: one dummy target). */
function withStaticDiscovery(
  { kubernetes_sd_configs: _, ...job }: KubernetesJob,
  groups: { targets: string[]; labels?: Record<string, string> }[] = [{ targets: ['127.0.0.1:1'] }],
): Job {
  return { ...job, static_configs: groups };
}

const ROLES = ['node', 'service', 'pod', 'endpoints', 'endpointslice', 'ingress'];
const ACTIONS = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
];

/** What is wrong with the Kubernetes SD jobs, read as Prometheus would (which promtool cannot here). */
function kubernetesJobProblems(jobs: KubernetesJob[], otherJobs: string[]): string[] {
  const problems: string[] = [];
  for (const [i, job] of jobs.entries()) {
    const name = job.job_name || `job #${i + 1}`;
    if (!job.job_name) problems.push(`${name}: no job_name`);
    if (otherJobs.includes(job.job_name)) problems.push(`${name}: also a job of prometheus.yml`);
    if (!job.kubernetes_sd_configs?.length) problems.push(`${name}: no kubernetes_sd_configs`);
    for (const sd of job.kubernetes_sd_configs ?? []) {
      if (!ROLES.includes(sd.role ?? '')) problems.push(`${name}: unknown role ${sd.role}`);
      if (!sd.namespaces?.names?.length) problems.push(`${name}: namespaces not listed (it would watch all)`);
    }
    for (const rc of job.relabel_configs ?? []) {
      if (!ACTIONS.includes(rc.action ?? 'replace')) problems.push(`${name}: unknown action ${rc.action}`);
      try {
        new RegExp(`^(?:${rc.regex ?? '(.*)'})$`);
      } catch (err) {
        problems.push(`${name}: regex ${rc.regex}: ${(err as Error).message}`);
      }
    }
  }
  const names = jobs.map((j) => j.job_name);
  for (const dup of new Set(names.filter((n, i) => names.indexOf(n) !== i)))
    problems.push(`${dup}: job_name twice`);
  return problems;
}

describe('deploy/prometheus rules', () => {
  it.skipIf(!promtool)('pass promtool check rules', () => {
    const { status, output } = run(promtool as string, ['check', 'rules', RULES]);
    expect(output).toContain('SUCCESS: 1 rules found');
    expect(status).toBe(0);
  });

  it.skipIf(!promtool)('fire APIHighInvocationRate above 5 successful invocations/s after 5 s', () => {
    const fn = (name: string) => `${name}.openfaas-fn`;
    const firing = (name: string) => ({
      exp_labels: { function_name: fn(name), service: 'gateway', severity: 'major' },
      exp_annotations: {
        description: `High invocation total on "${fn(name)}"`,
        summary: `High invocation total on "${fn(name)}"`,
      },
    });
    const series = (name: string, code: number, perStep: number) => ({
      series: `gateway_function_invocation_total{code="${code}",function_name="${fn(name)}"}`,
      values: `0+${perStep}x12`,
    });
    const tests = {
      rule_files: [RULES],
      evaluation_interval: '5s',
      tests: [
        {
          interval: '5s',
          // Per 5 s step: 60 → 12/s, 10 → 2/s; 500s at 20/s do not count.
          input_series: [series('figlet', 200, 60), series('shasum', 200, 10), series('shasum', 500, 100)],
          alert_rule_test: [
            { eval_time: '5s', alertname: 'APIHighInvocationRate', exp_alerts: [] }, // pending
            { eval_time: '10s', alertname: 'APIHighInvocationRate', exp_alerts: [firing('figlet')] },
            { eval_time: '55s', alertname: 'APIHighInvocationRate', exp_alerts: [firing('figlet')] },
          ],
        },
      ],
    };
    writeFileSync(join(tmp, 'rules.test.yml'), stringify(tests));
    const { status, output } = run(promtool as string, ['test', 'rules', 'rules.test.yml']);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it.skipIf(!promtool)('a broken copy fails promtool check rules', () => {
    const broken = join(tmp, 'broken-rules.yml');
    writeFileSync(
      broken,
      read('rules/openfaas.yml').replace('BY (function_name) > 5', 'BY (function_name) >'),
    );
    const { status, output } = run(promtool as string, ['check', 'rules', broken]);
    expect(status).not.toBe(0);
    expect(output).toMatch(/FAILED/);
  });
});

describe('deploy/prometheus scrape configuration', () => {
  it.skipIf(!promtool)('passes promtool check config, the Kubernetes jobs made static', () => {
    const config = mainConfig();
    expect(config.scrape_config_files).toEqual(['/etc/prometheus/scrape-kubernetes.yml']);
    expect(config.rule_files).toEqual(['/etc/prometheus/openfaas-rules.yml']);
    delete config.scrape_config_files;
    config.rule_files = [RULES];
    config.scrape_configs.push(...kubernetesJobs().map((job) => withStaticDiscovery(job)));
    writeFileSync(join(tmp, 'prometheus.yml'), stringify(config));
    const { status, output } = run(promtool as string, ['check', 'config', 'prometheus.yml']);
    expect(output).toContain('SUCCESS: 1 rule files found');
    expect(status).toBe(0);
  });

  it('scrape-kubernetes.yml: pods and endpoints of openfaas, known roles and actions, regexes that compile', () => {
    const jobs = kubernetesJobs();
    const staticJobs = mainConfig().scrape_configs.map((j) => j.job_name);
    expect(staticJobs).toEqual(['prometheus', 'node', 'cadvisor', 'scaphandre']);
    expect(jobs.map((j) => j.job_name)).toEqual(['openfaas-pods', 'dfaas-host-agents']);
    expect(jobs[0]?.kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['openfaas'] } }]);
    expect(jobs[1]?.kubernetes_sd_configs).toEqual([
      { role: 'endpoints', namespaces: { names: ['openfaas'] } },
    ]);
    expect(kubernetesJobProblems(jobs, staticJobs)).toEqual([]);

    const broken: KubernetesJob[] = [
      {
        job_name: 'node',
        kubernetes_sd_configs: [{ role: 'pods' }],
        relabel_configs: [{ action: 'rename' }, { regex: '([^:]+' }],
      },
      { job_name: 'node', kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['openfaas'] } }] },
    ];
    expect(kubernetesJobProblems(broken, staticJobs)).toEqual([
      'node: also a job of prometheus.yml',
      'node: unknown role pods',
      'node: namespaces not listed (it would watch all)',
      'node: unknown action rename',
      expect.stringMatching(/^node: regex \(\[\^:\]\+: /),
      'node: also a job of prometheus.yml',
      'node: job_name twice',
    ]);
  });

  it.skipIf(!prometheus)(
    'a real Prometheus relabels cAdvisor series, scrapes annotated pods on their port and the host agent’s Endpoints',
    async () => {
      // The fixtures as the exporters serve them; cAdvisor's sample timestamps (months old) dropped,
      // and one series given an environment label, as cAdvisor adds for containers with env metadata.
      const fixture = (file: string) => readFileSync(join(FIXTURES, file), 'utf8');
      const pages: Record<string, string> = {
        '/cadvisor': fixture('cadvisor.prom')
          .replace(/ (\S+) \d{13}$/gm, ' $1')
          .replace(
            'container_memory_usage_bytes{',
            'container_memory_usage_bytes{container_env_home="/root",',
          ),
        '/gateway': fixture('openfaas-gateway.prom'),
      };
      const server: Server = createServer((req, res) => {
        const page = pages[req.url ?? ''];
        res.writeHead(page ? 200 : 404, { 'content-type': 'text/plain; version=0.0.4' }).end(page ?? '');
      });
      const [exporterPort, promPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
      await new Promise<void>((resolve) => server.listen(exporterPort, '127.0.0.1', resolve));
      const exporter = `127.0.0.1:${exporterPort}`;

      const cadvisor = mainConfig().scrape_configs.find((j) => j.job_name === 'cadvisor') as Job;
      const [pods, hostAgents] = kubernetesJobs() as [KubernetesJob, KubernetesJob];
      // Endpoints as role endpoints reports them: only the Service dfaas-node-agent's are kept.
      const endpoint = (address: string, service: string) => ({
        targets: [address],
        labels: { __meta_kubernetes_namespace: 'openfaas', __meta_kubernetes_service_name: service },
      });
      const pod = (address: string, scrape: string, name: string) => ({
        targets: [address],
        labels: {
          __meta_kubernetes_namespace: 'openfaas',
          __meta_kubernetes_pod_name: name,
          __meta_kubernetes_pod_label_app: 'gateway',
          __meta_kubernetes_pod_annotation_prometheus_io_scrape: scrape,
          __meta_kubernetes_pod_annotation_prometheus_io_port: String(exporterPort),
          __meta_kubernetes_pod_annotation_prometheus_io_path: '/gateway',
        },
      });
      const config = {
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [
          { ...cadvisor, metrics_path: '/cadvisor', static_configs: [{ targets: [exporter] }] },
          // The pod's IP (here loopback) with a container port the annotation replaces; the second
          // pod is not annotated for scraping and must be dropped before any connection.
          withStaticDiscovery(pods, [
            pod('127.0.0.1:8080', 'true', 'gateway-7f9c'),
            pod('127.0.0.1:2', 'false', 'other'),
          ]),
          {
            ...withStaticDiscovery(hostAgents, [
              endpoint(exporter, 'dfaas-node-agent'),
              endpoint('127.0.0.1:3', 'gateway'),
            ]),
            metrics_path: '/gateway',
          },
        ],
      };
      writeFileSync(join(tmp, 'live.yml'), stringify(config));
      const child: ChildProcess = spawn(
        prometheus as string,
        [
          `--config.file=${join(tmp, 'live.yml')}`,
          `--storage.tsdb.path=${join(tmp, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: 'ignore' },
      );
      type Series = { metric: Record<string, string>; value: [number, string] };
      const query = async (q: string): Promise<Series[]> => {
        try {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
          return ((await res.json()) as { data?: { result?: Series[] } }).data?.result ?? [];
        } catch {
          return []; // not up yet
        }
      };
      const found = async (q: string) => {
        const result = await query(q);
        return result.length > 0 && result;
      };
      try {
        const cpu = await waitFor(
          'cAdvisor series with the kubelet labels',
          () => found('container_cpu_usage_seconds_total{container="figlet",namespace="openfaas-fn"}'),
          20_000,
        );
        expect(cpu[0]?.metric).toMatchObject({
          pod: 'figlet-7d9c6b8f5d-x2k4q',
          container_label_io_kubernetes_container_name: 'figlet',
          job: 'cadvisor',
        });
        const [memory] = await waitFor('container_memory_usage_bytes', () =>
          found('container_memory_usage_bytes'),
        );
        expect(memory?.metric.container).toBe('figlet');
        expect(Object.keys(memory?.metric ?? {}).filter((l) => l.startsWith('container_env_'))).toEqual([]);
        // Series of no container (the machine's) get no container label.
        const [machine] = await waitFor('machine_cpu_cores', () => found('machine_cpu_cores'));
        expect(machine?.metric.container).toBeUndefined();

        const [replicas] = await waitFor('gateway metrics of the annotated pod', () =>
          found('gateway_service_count{job="openfaas-pods"}'),
        );
        expect(replicas?.metric).toMatchObject({
          function_name: 'figlet.openfaas-fn',
          instance: exporter,
          app: 'gateway',
          kubernetes_namespace: 'openfaas',
          kubernetes_pod_name: 'gateway-7f9c',
        });
        expect(
          (await query('up{job="openfaas-pods"}')).map((s) => [s.metric.kubernetes_pod_name, s.value[1]]),
        ).toEqual([['gateway-7f9c', '1']]);
        const agents = await waitFor('the host agent scraped', () => found('up{job="dfaas-host-agents"}'));
        expect(agents.map((s) => [s.metric.instance, s.value[1]])).toEqual([[exporter, '1']]);
      } finally {
        child.kill('SIGKILL');
        server.close();
      }
    },
    60_000,
  );
});

describe('deploy/prometheus exporter fixtures', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.prom'));

  it.skipIf(!promtool)('are Prometheus text format, and promtool refuses a broken one', () => {
    expect(files.length).toBe(5);
    const check = (text: string) =>
      spawnSync(promtool as string, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    for (const file of files) {
      const r = check(readFileSync(join(FIXTURES, file), 'utf8'));
      // 0: clean; 3: lint findings only (the exporters' own naming); 1: not parseable.
      expect([0, 3], `${file}: ${r.stdout}${r.stderr}`).toContain(r.status);
    }
    const broken = check('# TYPE up gauge\nup{job="node" 1\n');
    expect(broken.status).toBe(1);
  });
});

describe('deploy/prometheus alertmanager.yml', () => {
  it.skipIf(!amtool)('passes amtool check-config, and a copy routing to an undefined receiver fails', () => {
    const ok = run(amtool as string, ['check-config', join(DIR, 'alertmanager.yml')]);
    expect(ok.output).toContain('SUCCESS');
    expect(ok.status).toBe(0);

    const broken = join(tmp, 'alertmanager.yml');
    writeFileSync(
      broken,
      read('alertmanager.yml').replace('  receiver: scale-up\n', '  receiver: scale-down\n'),
    );
    const failed = run(amtool as string, ['check-config', broken]);
    expect(failed.output).toMatch(/undefined receiver "scale-down"/);
    expect(failed.status).not.toBe(0);
  });
});

describe('deploy/prometheus kustomization', () => {
  it.skipIf(!kubectl)(
    'renders prometheus-config and alertmanager-config with the files the configs name',
    () => {
      const rendered = kustomize(kubectl as string, DIR);
      expect(rendered.stderr).toBe('');
      expect(rendered.status).toBe(0);
      const data = Object.fromEntries(
        rendered.objects.map((o) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o.data]),
      );
      expect(data).toEqual({
        'ConfigMap/openfaas/prometheus-config': {
          'prometheus.yml': read('prometheus.yml'),
          'scrape-kubernetes.yml': read('scrape-kubernetes.yml'),
          'openfaas-rules.yml': read('rules/openfaas.yml'),
        },
        'ConfigMap/openfaas/alertmanager-config': { 'alertmanager.yml': read('alertmanager.yml') },
      });
      // prometheus.yml names its other files by their keys, under the ConfigMap's mount point.
      const config = mainConfig();
      for (const path of [...(config.rule_files as string[]), ...(config.scrape_config_files as string[])]) {
        expect(Object.keys(data['ConfigMap/openfaas/prometheus-config'] as object)).toContain(
          path.replace('/etc/prometheus/', ''),
        );
      }
    },
  );
});
