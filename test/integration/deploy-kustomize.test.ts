/**
 * deploy/k8s checked offline: every overlay renders with `kubectl kustomize` (the machine's
 * kubectl; also Debian's kubectl 1.20 when DFAAS_KUBECTL_120 names one, e.g. extracted with
 * `apt-get download kubernetes-client && dpkg -x kubernetes-client_*.deb /tmp/kc120`, then
 * DFAAS_KUBECTL_120=/tmp/kc120/usr/bin/kubectl), and what it renders is what a cluster would
 * accept and what the rest of dfaas expects: valid objects without unknown fields, the NodePorts,
 * the pinned images of deploy/versions.yml, RBAC that lets Prometheus's service discovery list
 * what it scrapes, Services that select pods, mounts of objects that exist, and a dfaas node
 * configuration that `dfaas node up` accepts. The Dockerfile cannot be built here (no container
 * engine): only its static facts are checked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigText, validateConfig } from '../../src/config/read-file.js';
import { NodeConfigSchema } from '../../src/node/config.js';
import {
  K8S_DIR,
  type K8sObject,
  kustomize,
  objectName,
  podTemplates,
  REPO,
  type Rendered,
  schemaErrors,
  unknownFieldErrors,
} from '../helpers/kustomize.js';
import { serviceBinary } from '../helpers/services.js';

const kubectl = serviceBinary('/usr/bin/kubectl');
const kubectl120 = process.env.DFAAS_KUBECTL_120;

/**
 * Each overlay and the NodePorts it must expose. 31112 is the OpenFaaS chart's (the playbooks pass
 * it in the chart's values, checked by deploy-ansible.test.ts), not ours.
 */
const NODE_PORTS = {
  target: [30411],
  scaphandre: [],
  'target-scaphandre': [30411],
  'dfaas-node': [30080, 30411, 31600],
  'dfaas-node-forecaster': [30080, 30411, 31600],
} as const;
const OVERLAYS = Object.keys(NODE_PORTS) as (keyof typeof NODE_PORTS)[];

const versions = parse(readFileSync(join(REPO, 'deploy/versions.yml'), 'utf8')) as Record<string, string>;
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
};

const cache = new Map<string, Rendered>();
function render(overlay: string, binary = kubectl as string): Rendered {
  const key = `${binary} ${overlay}`;
  let rendered = cache.get(key);
  if (!rendered) {
    rendered = kustomize(binary, join(K8S_DIR, overlay));
    cache.set(key, rendered);
  }
  return rendered;
}
const objectsOf = (overlay: string) => render(overlay).objects;

interface Service extends K8sObject {
  spec: {
    type?: string;
    selector?: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: number | string; nodePort?: number }[];
  };
}
const services = (objects: K8sObject[]) => objects.filter((o): o is Service => o.kind === 'Service');
const find = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const configMapData = (objects: K8sObject[], name: string) =>
  find(objects, 'ConfigMap', name)?.data as Record<string, string> | undefined;

/** The container's declared port with that number or name, as a number (undefined: none). */
function portNumber(container: IContainer, port: number | string | undefined): number | undefined {
  return container.ports?.find((p) => p.containerPort === port || p.name === port)?.containerPort;
}

/** Services whose selector matches no pod template of their namespace, or whose port targets none. */
function serviceGaps(objects: K8sObject[]): string[] {
  const pods = podTemplates(objects);
  return services(objects).flatMap((svc) => {
    const selector = Object.entries(svc.spec.selector ?? {});
    const selected = pods.filter(
      (p) => p.namespace === svc.metadata.namespace && selector.every(([k, v]) => p.labels[k] === v),
    );
    if (selector.length === 0 || selected.length === 0) return [`${objectName(svc)}: selects no pod`];
    return svc.spec.ports
      .filter((port) => {
        const target = port.targetPort ?? port.port;
        return !selected.some((p) => p.spec.containers.some((c) => portNumber(c, target) !== undefined));
      })
      .map((port) => `${objectName(svc)}: port ${port.port} targets no container port of its pods`);
  });
}

/** Volumes of ConfigMaps/Secrets not in the output (besides the chart's Secret basic-auth), and mounts of no volume. */
function mountGaps(objects: K8sObject[]): string[] {
  const EXTERNAL = new Set(['Secret basic-auth']);
  return podTemplates(objects).flatMap((p) => {
    const exists = (kind: string, name: string | undefined) =>
      EXTERNAL.has(`${kind} ${name}`) ||
      objects.some(
        (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === p.namespace,
      );
    const volumes = p.spec.volumes ?? [];
    const refs: [kind: string, name: string | undefined][] = [];
    for (const v of volumes) {
      if (v.configMap) refs.push(['ConfigMap', v.configMap.name]);
      if (v.secret) refs.push(['Secret', v.secret.secretName]);
      for (const source of v.projected?.sources ?? []) {
        if (source.configMap) refs.push(['ConfigMap', source.configMap.name]);
        if (source.secret) refs.push(['Secret', source.secret.name]);
      }
    }
    const missing = refs
      .filter(([kind, name]) => !exists(kind, name))
      .map(([kind, name]) => `${objectName(p.owner)}: mounts ${kind} ${name}, which nothing makes`);
    const unmounted = p.containers.flatMap((c) =>
      (c.volumeMounts ?? [])
        .filter((m) => !volumes.some((v) => v.name === m.name))
        .map((m) => `${objectName(p.owner)}: container ${c.name} mounts undeclared volume ${m.name}`),
    );
    return [...missing, ...unmounted];
  });
}

/** What each role of kubernetes_sd_configs lists and watches ([API group, resource]). */
const SD_RESOURCES: Record<string, [string, string][]> = {
  pod: [['', 'pods']],
  service: [['', 'services']],
  endpoints: [
    ['', 'endpoints'],
    ['', 'services'],
    ['', 'pods'],
  ],
  endpointslice: [
    ['discovery.k8s.io', 'endpointslices'],
    ['', 'services'],
    ['', 'pods'],
  ],
  node: [['', 'nodes']],
  ingress: [['networking.k8s.io', 'ingresses']],
};
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Binding extends K8sObject {
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}
interface SdConfig {
  role: string;
  namespaces?: { names?: string[]; own_namespace?: boolean };
}

interface Account {
  name: string;
  namespace: string;
}

/** The rules bound to a service account that apply in `namespace` (null: cluster-wide). */
function boundRules(objects: K8sObject[], account: Account, namespace: string | null): Rule[] {
  const bindings = objects.filter(
    (o): o is Binding =>
      (o.kind === 'ClusterRoleBinding' || (o.kind === 'RoleBinding' && o.metadata.namespace === namespace)) &&
      ((o as Binding).subjects ?? []).some(
        (s) => s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
      ),
  );
  return bindings.flatMap((b) => {
    const role = objects.find(
      (o) =>
        o.kind === b.roleRef.kind &&
        o.metadata.name === b.roleRef.name &&
        (o.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace),
    );
    // A rule restricted to resourceNames cannot list.
    return ((role?.rules ?? []) as Rule[]).filter((r) => !r.resourceNames?.length);
  });
}

const allows = (rules: Rule[], group: string, resource: string, verb: string) =>
  rules.some(
    (r) =>
      (r.apiGroups ?? []).some((g) => g === group || g === '*') &&
      (r.resources ?? []).some((x) => x === resource || x === '*') &&
      r.verbs.some((v) => v === verb || v === '*'),
  );

/**
 * For every kubernetes_sd_config of the ConfigMap prometheus-config, whether the service account
 * of the pod mounting that ConfigMap may list and watch what the role reads, in each namespace it
 * names (or cluster-wide when it names none, and for nodes): the gaps, and how many configs were read.
 */
function discoveryGaps(objects: K8sObject[]): { configs: number; gaps: string[] } {
  const config = configMapData(objects, 'prometheus-config');
  const prometheus = podTemplates(objects).find((p) =>
    (p.spec.volumes ?? []).some((v) => v.configMap?.name === 'prometheus-config'),
  );
  if (!config || !prometheus)
    return { configs: 0, gaps: ['no ConfigMap prometheus-config mounted by a pod'] };
  const account = { name: prometheus.spec.serviceAccountName ?? 'default', namespace: prometheus.namespace };
  const gaps: string[] = [];
  if (prometheus.spec.automountServiceAccountToken === false)
    gaps.push('Prometheus gets no service account token');
  const jobs = Object.values(config).flatMap(
    (text) =>
      ((parse(text) as { scrape_configs?: unknown } | null)?.scrape_configs ?? []) as {
        job_name: string;
        kubernetes_sd_configs?: SdConfig[];
      }[],
  );
  const sds = jobs.flatMap((job) =>
    (job.kubernetes_sd_configs ?? []).map((sd) => ({ job: job.job_name, sd })),
  );
  for (const { job, sd } of sds) {
    const named = [
      ...(sd.namespaces?.names ?? []),
      ...(sd.namespaces?.own_namespace ? [account.namespace] : []),
    ];
    const scopes = sd.role === 'node' || named.length === 0 ? [null] : named;
    const needs = SD_RESOURCES[sd.role];
    if (!needs) gaps.push(`job ${job}: unknown role ${sd.role}`);
    for (const scope of scopes) {
      const rules = boundRules(objects, account, scope);
      for (const [group, resource] of needs ?? []) {
        for (const verb of ['list', 'watch'].filter((v) => !allows(rules, group, resource, v))) {
          gaps.push(
            `job ${job} (role ${sd.role}): ServiceAccount ${account.namespace}/${account.name} may not ` +
              `${verb} ${group ? `${resource}.${group}` : resource} ${scope ? `in ${scope}` : 'cluster-wide'}`,
          );
        }
      }
    }
  }
  return { configs: sds.length, gaps };
}

/** Every container of the workloads, init containers included. */
const containersOf = (objects: K8sObject[]) => podTemplates(objects).flatMap((p) => p.containers);

describe.skipIf(!kubectl)('deploy/k8s rendered by kubectl kustomize', () => {
  it.each(OVERLAYS)('%s renders', (overlay) => {
    const { status, stderr, objects } = render(overlay);
    expect(status, stderr).toBe(0);
    expect(objects.length).toBeGreaterThan(0);
  });

  it.each(OVERLAYS)(
    '%s: every object validates against the Kubernetes schemas, without unknown fields',
    (overlay) => {
      const objects = objectsOf(overlay);
      expect(schemaErrors(objects)).toEqual([]);
      expect(unknownFieldErrors(objects)).toEqual([]);
    },
  );

  it("the schemas are open: validate() misses a misspelled optional field, the type check doesn't", () => {
    const objects = structuredClone(objectsOf('target'));
    const deployment = find(objects, 'Deployment', 'prometheus') as K8sObject;
    const [container] = podTemplates([deployment])[0]?.spec.containers ?? [];
    Object.assign(container as object, { imagePullPolcy: 'Always' });
    expect(schemaErrors(objects)).toEqual([]);
    expect(unknownFieldErrors(objects)).toEqual([
      expect.stringMatching(
        /^Deployment\/openfaas\/prometheus .*'"imagePullPolcy"' does not exist in type 'IContainer'/,
      ),
    ]);
    // A misspelled required field is a missing one, which validate() does catch.
    const spec = podTemplates([deployment])[0]?.spec as unknown as Record<string, unknown>;
    spec.contianers = spec.containers;
    delete spec.containers;
    expect(schemaErrors([deployment])).toEqual([
      expect.stringMatching(/must have required property containers/),
    ]);
  });

  it.each(OVERLAYS)('%s exposes exactly its NodePorts', (overlay) => {
    const nodePorts = services(objectsOf(overlay)).flatMap((s) =>
      s.spec.type === 'NodePort' ? s.spec.ports.map((p) => p.nodePort) : [],
    );
    expect(nodePorts.sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([...NODE_PORTS[overlay]]);
  });

  it('every image is tagged, never latest, and one of deploy/versions.yml, each of which is used', () => {
    const pinned = Object.entries(versions).filter(([key]) => key.endsWith('_image'));
    const used = new Set(OVERLAYS.flatMap((o) => containersOf(objectsOf(o)).map((c) => c.image)));
    for (const image of used) {
      expect(image).toMatch(/^[^@]+:[\w][\w.-]*$/);
      expect(image).not.toMatch(/:latest$/);
      expect(pinned.map(([, value]) => value)).toContain(image);
    }
    expect([...used].sort()).toEqual(pinned.map(([, value]) => value).sort());
    // The dfaas image is built locally and imported into k3s: never pulled.
    const dfaas = containersOf(objectsOf('dfaas-node-forecaster')).filter(
      (c) => c.image === versions.dfaas_image,
    );
    expect(dfaas.length).toBeGreaterThan(0);
    for (const c of dfaas) expect(c.imagePullPolicy, c.name).toBe('IfNotPresent');
  });

  it.each(OVERLAYS.filter((o) => o !== 'scaphandre'))(
    '%s: Prometheus may list and watch what its Kubernetes service discovery reads',
    (overlay) => {
      const { configs, gaps } = discoveryGaps(objectsOf(overlay));
      expect(configs).toBeGreaterThan(0);
      expect(gaps).toEqual([]);
    },
  );

  it('the discovery check reports a missing RoleBinding', () => {
    const objects = objectsOf('target').filter((o) => o.kind !== 'RoleBinding');
    expect(discoveryGaps(objects).gaps).toEqual([
      'job openfaas-pods (role pod): ServiceAccount openfaas/prometheus may not list pods in openfaas',
      'job openfaas-pods (role pod): ServiceAccount openfaas/prometheus may not watch pods in openfaas',
      ...['endpoints', 'services', 'pods'].flatMap((resource) =>
        ['list', 'watch'].map(
          (verb) =>
            `job dfaas-host-agents (role endpoints): ServiceAccount openfaas/prometheus may not ${verb} ${resource} in openfaas`,
        ),
      ),
    ]);
  });

  it.each(OVERLAYS)('%s: every Service selects pods with the port it targets', (overlay) => {
    expect(serviceGaps(objectsOf(overlay))).toEqual([]);
  });

  it.each(OVERLAYS)(
    '%s: every mounted ConfigMap and Secret exists (or is the chart’s basic-auth)',
    (overlay) => {
      expect(mountGaps(objectsOf(overlay))).toEqual([]);
    },
  );

  it('the Service and mount checks report a wrong selector, a wrong port and a missing ConfigMap', () => {
    const objects = structuredClone(objectsOf('target')).filter(
      (o) => !(o.kind === 'ConfigMap' && o.metadata.name === 'alertmanager-config'),
    );
    const [cadvisor, nodeExporter] = ['cadvisor', 'node-exporter'].map(
      (n) => find(objects, 'Service', n) as Service,
    );
    (cadvisor as Service).spec.selector = { app: 'cadvisr' };
    ((nodeExporter as Service).spec.ports[0] as { targetPort: string }).targetPort = 'metric';
    expect(serviceGaps(objects)).toEqual([
      'Service/openfaas/cadvisor: selects no pod',
      'Service/openfaas/node-exporter: port 9100 targets no container port of its pods',
    ]);
    expect(mountGaps(objects)).toEqual([
      'Deployment/openfaas/alertmanager: mounts ConfigMap alertmanager-config, which nothing makes',
    ]);
  });

  it.each([
    ['dfaas-node', 'recalc'],
    ['dfaas-node-forecaster', 'node-margin'],
  ])(
    '%s: node.yaml is a valid node configuration (%s) that matches the pod and its Services',
    (overlay, strategy) => {
      const objects = objectsOf(overlay);
      const text = configMapData(objects, 'dfaas-node-config')?.['node.yaml'] ?? '';
      expect(text).toContain('__NODE_IP__');
      const config = validateConfig(
        NodeConfigSchema,
        parseConfigText(text.replaceAll('__NODE_IP__', '10.0.0.7'), overlay),
        overlay,
      );
      expect(config.agent.strategy).toBe(strategy);
      expect(config.proxy.advertise_host).toBe('10.0.0.7');

      const pod = podTemplates(objects).find((p) => p.owner.metadata.name === 'dfaas-node');
      const node = pod?.spec.containers.find((c) => c.name === 'dfaas-node') as IContainer;
      const script = node.command?.join(' ') ?? '';
      expect(script).toContain(
        `sed "s/__NODE_IP__/$NODE_IP/g" /etc/dfaas/node.yaml > /var/lib/dfaas/node.yaml`,
      );
      expect(script).toMatch(/exec dfaas node up --config \/var\/lib\/dfaas\/node\.yaml$/);
      expect(script).toContain(`> /var/lib/dfaas/${config.platform.auth_file}`);
      expect(node.env?.find((e) => e.name === 'NODE_IP')?.valueFrom?.fieldRef?.fieldPath).toBe(
        'status.hostIP',
      );
      const mountOf = (volume: (v: NonNullable<typeof pod>['spec']['volumes']) => string | undefined) =>
        node.volumeMounts?.find((m) => m.name === volume(pod?.spec.volumes))?.mountPath;
      expect(mountOf((vs) => vs?.find((v) => v.configMap?.name === 'dfaas-node-config')?.name)).toBe(
        '/etc/dfaas',
      );
      expect(mountOf((vs) => vs?.find((v) => v.hostPath?.path === '/var/lib/dfaas')?.name)).toBe(
        '/var/lib/dfaas',
      );

      // The agent's port is the one probed and scraped; the proxy's and libp2p's are the NodePorts'.
      expect(portNumber(node, node.readinessProbe?.httpGet?.port)).toBe(config.agent_port);
      expect(pod?.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': `${config.agent_port}`,
      });
      const nodePort = (name: string) => {
        const port = (find(objects, 'Service', name) as Service).spec.ports[0];
        return [port?.nodePort, portNumber(node, port?.targetPort)];
      };
      expect(nodePort('dfaas-proxy')).toEqual([config.proxy.port, config.proxy.port]);
      const p2p = Number(/\/tcp\/(\d+)$/.exec(config.listen[0] ?? '')?.[1]);
      expect(nodePort('dfaas-p2p')).toEqual([p2p, p2p]);

      // node-margin's forecaster is a Service of the overlay, on the port in forecaster_url.
      if (config.agent.forecaster_url) {
        const url = new URL(config.agent.forecaster_url);
        const svc = find(objects, 'Service', url.hostname) as Service | undefined;
        expect(svc?.spec.ports.map((p) => p.port)).toContain(Number(url.port));
      }
      // And the check is not vacuous: a broken copy is refused.
      expect(() =>
        validateConfig(
          NodeConfigSchema,
          parseConfigText(text.replace(/^ {2}strategy: .*$/m, '  strategy: fastest'), overlay),
          overlay,
        ),
      ).toThrow(/strategy/);
    },
  );
});

/** Objects in a comparable form: sorted by kind/namespace/name, without the empty maps kustomize v2 adds. */
function normalized(objects: K8sObject[]): unknown[] {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value)
      .filter(
        ([, v]) => !(v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0),
      )
      .map(([k, v]) => [k, strip(v)]);
    return Object.fromEntries(entries);
  };
  return [...objects].sort((a, b) => objectName(a).localeCompare(objectName(b))).map(strip);
}

describe.skipIf(!kubectl || !kubectl120)(
  "Debian's kubectl 1.20 (kustomize v2.0.3), when DFAAS_KUBECTL_120 names it",
  () => {
    it.each(OVERLAYS)('%s renders the same objects as the machine’s kubectl', (overlay) => {
      expect(existsSync(kubectl120 as string)).toBe(true);
      const old = render(overlay, kubectl120 as string);
      expect(old.status, old.stderr).toBe(0);
      expect(normalized(old.objects)).toEqual(normalized(objectsOf(overlay)));
    });
  },
);

describe('Dockerfile (not built here: no container engine)', () => {
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => /^[A-Z]+\s/.test(line));

  it('every base image is tagged, never latest, on the Node.js major of package.json and versions.yml', () => {
    const stages = new Set<string>();
    const bases: string[] = [];
    for (const line of instructions.filter((l) => l.startsWith('FROM '))) {
      const [, image, , stage] = line.split(/\s+/);
      if (image && !stages.has(image)) bases.push(image);
      if (stage) stages.add(stage);
    }
    expect(bases.length).toBeGreaterThan(0);
    const major = (version: string) => Number(/\d+/.exec(version)?.[0]);
    for (const image of bases) {
      expect(image).toMatch(/^node:\d+[\w.-]*$/);
      expect(image).not.toMatch(/:latest$/);
      expect(major(image.split(':')[1] as string)).toBe(major(pkg.engines.node));
    }
    expect(major(versions.nodejs_version as string)).toBe(major(pkg.engines.node));
  });

  it('runs dfaas with HAProxy, exposing the ports of the node configuration', () => {
    expect(instructions).toContain('ENTRYPOINT ["dfaas"]');
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends haproxy/);
    expect(instructions.some((l) => /^USER (?!root)\w+/.test(l))).toBe(true);
    const node = parse(readFileSync(join(K8S_DIR, 'dfaas-node/node.yaml'), 'utf8')) as {
      listen: string[];
      agent_port: number;
      proxy: { port: number };
    };
    const exposed = instructions
      .find((l) => l.startsWith('EXPOSE '))
      ?.split(/\s+/)
      .slice(1)
      .map(Number);
    const p2p = Number(/\/tcp\/(\d+)$/.exec(node.listen[0] ?? '')?.[1]);
    expect(exposed?.sort((a, b) => a - b)).toEqual(
      [node.proxy.port, p2p, node.agent_port].sort((a, b) => a - b),
    );
    expect(versions.dfaas_image).toBe(`localhost/dfaas:${pkg.version}`);
    expect(versions.dfaas_version).toBe(pkg.version);
  });

  it('.dockerignore keeps the build context to the sources', () => {
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['.git', 'node_modules', 'dist', 'results', 'test']) expect(ignored).toContain(entry);
  });
});
