/**
 * deploy/ansible checked offline, with Debian's ansible-core 2.14 and ansible-lint 6.13 (nothing
 * here connects to a host: the example inventory's addresses are in 192.0.2.0/24, and the render
 * runs use the local connection on this machine):
 * - every playbook passes `ansible-playbook --syntax-check` and the tree is clean under
 *   `ansible-lint --offline --profile basic`; broken copies show that both checks can fail;
 * - every play loads ../versions.yml, no other file writes a version, and every task names an
 *   `ansible.builtin` module (a collection module would fail on a bare ansible-core);
 * - the task files that write configuration (tasks/dfaas_node_config.yml,
 *   tasks/target_manifests.yml) run on the controller for three inventory nodes: each node.yaml is
 *   one `dfaas node up` accepts, bootstrapping from the two other nodes at their inventory
 *   addresses, and the k3s-mode and target site overlays render with `kubectl kustomize` (and
 *   kubectl 1.20's kustomize with DFAAS_KUBECTL_120) to the dfaas node's configuration and the
 *   inventory's Prometheus NodePort;
 * - run_k6.yml and teardown_k6.yml run on this machine against a stand-in k6.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { loadConfigFile, parseConfigText, validateConfig } from '../../src/config/read-file.js';
import { NodeConfigSchema } from '../../src/node/config.js';
import { type K8sObject, kustomize, REPO, schemaErrors, unknownFieldErrors } from '../helpers/kustomize.js';
import { serviceBinary } from '../helpers/services.js';

const ansiblePlaybook = serviceBinary('/usr/bin/ansible-playbook');
const ansibleLint = serviceBinary('/usr/bin/ansible-lint');
const kubectl = serviceBinary('/usr/bin/kubectl');
// Also Debian's kubectl 1.20 (kustomize v2.0.3) when DFAAS_KUBECTL_120 names one (see
// test/integration/deploy-kustomize.test.ts for how to get it without installing it).
const kubectls = [kubectl, process.env.DFAAS_KUBECTL_120].filter((bin): bin is string => bin !== undefined);

const DEPLOY_DIR = join(REPO, 'deploy');
const ANSIBLE_DIR = join(DEPLOY_DIR, 'ansible');
const VERSIONS_FILE = join(DEPLOY_DIR, 'versions.yml');
const INVENTORY = join(ANSIBLE_DIR, 'inventory.example.yml');
const DEFAULTS_ROLE = join(ANSIBLE_DIR, 'roles/dfaas_defaults');
const DEFAULTS_DIR = join(DEFAULTS_ROLE, 'defaults/main');
const PLAYBOOKS = [
  'setup_target.yml',
  'setup_k6.yml',
  'setup_plugin.yml',
  'run_k6.yml',
  'teardown_k6.yml',
  'teardown_target.yml',
  'setup_dfaas_node.yml',
];

const dir = mkdtempSync(join(tmpdir(), 'dfaas-deploy-ansible-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Ansible's and ansible-lint's own state in the temporary folder, not in ~/.ansible or ~/.cache.
const env = {
  ...process.env,
  ANSIBLE_HOME: join(dir, 'ansible-home'),
  ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
  // The local connection's "remote" side: by default ~/.ansible/tmp.
  ANSIBLE_REMOTE_TEMP: join(dir, 'ansible-remote-tmp'),
  ANSIBLE_RETRY_FILES_ENABLED: 'false',
  ANSIBLE_NOCOLOR: '1',
  NO_COLOR: '1',
  XDG_CACHE_HOME: join(dir, 'cache'),
};

function run(bin: string, args: string[], cwd = REPO): SpawnSyncReturns<string> {
  return spawnSync(bin, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
}

/** The playbooks' extra vars (setup_plugin.yml's benchmark config, run_k6.yml's run). */
const extraVars = join(dir, 'extra-vars.yml');
writeFileSync(
  extraVars,
  stringify({
    benchmark_config: {
      plugin_settings: { dfaas: { k6_host: '192.0.2.20', functions: [{ name: 'figlet' }] } },
    },
    target_name: 'target-1',
    run_id: 'run-1',
    config_id: 'config-1',
    script_src: join(dir, 'config-1.js'),
  }),
);

/** deploy/ansible and deploy/versions.yml copied to a temporary folder, to break the copy. */
function copyOfAnsible(name: string): string {
  const root = join(dir, name);
  cpSync(ANSIBLE_DIR, join(root, 'ansible'), { recursive: true });
  cpSync(VERSIONS_FILE, join(root, 'versions.yml'));
  return join(root, 'ansible');
}

const readYaml = (file: string): unknown => parse(readFileSync(file, 'utf8'));
const yamlFiles = (folder: string) =>
  readdirSync(folder)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(folder, f));

describe('deploy/ansible: structure', () => {
  it('has exactly the seven playbooks and an example inventory', () => {
    const files = readdirSync(ANSIBLE_DIR).filter((f) => f.endsWith('.yml'));
    expect(files.sort()).toEqual([...PLAYBOOKS, 'inventory.example.yml'].sort());
  });

  it('the example inventory has one target, one k6 host and three DFaaS nodes, all in 192.0.2.0/24', () => {
    type Group = { hosts?: Record<string, { ansible_host: string }> };
    const inventory = readYaml(INVENTORY) as { all: { children: Record<string, Group> } };
    const groups = inventory.all.children;
    const hosts = (group: string) => Object.values(groups[group]?.hosts ?? {});
    expect([hosts('target').length, hosts('k6').length, hosts('dfaas_nodes').length]).toEqual([1, 1, 3]);
    for (const group of Object.keys(groups)) {
      for (const host of hosts(group)) expect(host.ansible_host).toMatch(/^192\.0\.2\.\d+$/);
    }
  });

  const versions = readYaml(VERSIONS_FILE) as Record<string, string>;

  it('every play loads ../versions.yml and the defaults role, and no other file defines or repeats a version', () => {
    for (const playbook of PLAYBOOKS) {
      const plays = readYaml(join(ANSIBLE_DIR, playbook)) as {
        name: string;
        vars_files?: string[];
        roles?: string[];
      }[];
      for (const play of plays) {
        expect(play.vars_files, `${playbook}: ${play.name}`).toEqual(['../versions.yml']);
        expect(play.roles, `${playbook}: ${play.name}`).toEqual(['dfaas_defaults']);
      }
    }
    const defaults = yamlFiles(DEFAULTS_DIR);
    expect(defaults.length).toBeGreaterThan(0);
    for (const file of defaults) {
      const defined = Object.keys(readYaml(file) as object);
      expect(
        defined.filter((key) => key in versions),
        file,
      ).toEqual([]);
    }
    // The values themselves (comments aside, which YAML parsing drops) appear nowhere else.
    const texts = [
      ...[
        ...PLAYBOOKS.map((p) => join(ANSIBLE_DIR, p)),
        ...yamlFiles(join(ANSIBLE_DIR, 'tasks')),
        ...defaults,
      ].map((file) => JSON.stringify(readYaml(file))),
      ...readdirSync(join(ANSIBLE_DIR, 'templates'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.j2'))
        .map((f) => readFileSync(join(ANSIBLE_DIR, 'templates', f), 'utf8')),
    ];
    for (const [key, value] of Object.entries(versions)) {
      for (const text of texts) expect(text.includes(String(value)), `${key} ${value}`).toBe(false);
    }
  });

  it('every task names one ansible.builtin module (fully qualified), none a collection module', () => {
    const modules = new Set<string>();
    for (const playbook of PLAYBOOKS) {
      for (const play of readYaml(join(ANSIBLE_DIR, playbook)) as Record<string, unknown>[]) {
        for (const section of ['pre_tasks', 'tasks', 'post_tasks', 'handlers']) {
          collectModules(play[section], `${playbook}: ${section}`, modules);
        }
      }
    }
    for (const file of yamlFiles(join(ANSIBLE_DIR, 'tasks'))) collectModules(readYaml(file), file, modules);
    expect([...modules].filter((m) => !m.startsWith('ansible.builtin.'))).toEqual([]);
    // The walk did find the tasks (a walk that finds nothing would pass the line above).
    expect([...modules]).toEqual(
      expect.arrayContaining([
        'ansible.builtin.command',
        'ansible.builtin.import_tasks',
        'ansible.builtin.get_url',
      ]),
    );
  });
});

/** Task keywords of ansible-core 2.14: any other key of a task is its module. */
const TASK_KEYWORDS = new Set(
  (
    'action args async become become_exe become_flags become_method become_user changed_when check_mode ' +
    'collections connection debugger delay delegate_facts delegate_to diff environment failed_when ' +
    'ignore_errors ignore_unreachable listen local_action loop loop_control module_defaults name no_log ' +
    'notify poll port register remote_user retries run_once tags throttle timeout until vars when'
  ).split(' '),
);

function collectModules(tasks: unknown, where: string, into: Set<string>): void {
  if (tasks === undefined) return;
  expect(Array.isArray(tasks), where).toBe(true);
  for (const task of tasks as Record<string, unknown>[]) {
    const here = `${where}: ${String(task.name)}`;
    if ('block' in task) {
      for (const part of ['block', 'rescue', 'always']) collectModules(task[part], here, into);
      continue;
    }
    // `action:`/`local_action:` hide the module in a string; with_* loops are the old spelling.
    expect(
      Object.keys(task).filter((k) => k === 'action' || k === 'local_action' || k.startsWith('with_')),
    ).toEqual([]);
    const modules = Object.keys(task).filter((k) => !TASK_KEYWORDS.has(k));
    expect(modules, here).toHaveLength(1);
    into.add(modules[0] as string);
  }
}

describe.skipIf(!ansiblePlaybook)('deploy/ansible: ansible-playbook --syntax-check', () => {
  const syntaxCheck = (playbook: string) =>
    run(ansiblePlaybook as string, ['--syntax-check', '-i', INVENTORY, '-e', `@${extraVars}`, playbook]);

  it.each(PLAYBOOKS)('%s passes', (playbook) => {
    const result = syntaxCheck(join(ANSIBLE_DIR, playbook));
    expect(result.stderr).not.toMatch(/ERROR/);
    expect(result.status, result.stderr).toBe(0);
  });

  it('fails on a copy whose task names a module that does not exist', () => {
    const copy = copyOfAnsible('broken-module');
    const tasks = join(copy, 'tasks/install_k6.yml');
    writeFileSync(
      tasks,
      readFileSync(tasks, 'utf8').replace(
        'ansible.builtin.dpkg_selections:',
        'ansible.builtin.no_such_module:',
      ),
    );
    const result = syntaxCheck(join(copy, 'setup_k6.yml'));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no_such_module/);
  });
});

describe.skipIf(!ansibleLint)('deploy/ansible: ansible-lint --offline --profile basic', () => {
  const lint = (folder: string, cwd: string) =>
    run(ansibleLint as string, ['--offline', '--nocolor', '--profile', 'basic', '-p', folder], cwd);

  it('reports no violation', () => {
    const result = lint('deploy/ansible', REPO);
    expect(result.stdout, result.stderr).toBe('');
    expect(result.status, result.stderr).toBe(0);
  }, 180_000);

  it('reports a shell task that should be a command (rule command-instead-of-shell) in a copy', () => {
    const copy = copyOfAnsible('broken-lint');
    const tasks = join(copy, 'tasks/install_k6.yml');
    writeFileSync(
      tasks,
      `${readFileSync(tasks, 'utf8')}\n- name: Print the k6 version\n  ansible.builtin.shell: k6 version\n  changed_when: false\n`,
    );
    const result = lint('ansible', join(copy, '..'));
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/tasks\/install_k6\.yml:\d+: command-instead-of-shell/);
  }, 180_000);
});

/** The peers of the render runs, with their inventory addresses (not this machine's). */
const NODES = {
  'node-1': { dfaas_node_ip: '192.0.2.31', dfaas_peer_id: '12D3KooWNode1PeerId' },
  'node-2': { dfaas_node_ip: '192.0.2.32', dfaas_peer_id: '12D3KooWNode2PeerId' },
  'node-3': { dfaas_node_ip: '192.0.2.33', dfaas_peer_id: '12D3KooWNode3PeerId', dfaas_node_type: 'light' },
};
const bootstrapOf = (name: keyof typeof NODES) =>
  Object.entries(NODES)
    .filter(([other]) => other !== name)
    .map(([, node]) => `/ip4/${node.dfaas_node_ip}/tcp/31600/p2p/${node.dfaas_peer_id}`);

/**
 * The configuration-writing task files run on the controller (local connection) for `nodes`, in
 * plays that load what the playbooks' plays load (versions.yml, the dfaas_defaults role); with
 * `target`, tasks/target_manifests.yml and tasks/openfaas_values.yml as well (slow: ~10 s to copy
 * the trees file by file). The inventory gives every node dfaas_period 7s as a group var. Returns
 * the run and its output folder.
 */
function render(
  name: string,
  nodes: Record<string, object>,
  extra: string[],
  target = false,
): { result: SpawnSyncReturns<string>; out: string } {
  const root = join(dir, name);
  mkdirSync(root);
  writeFileSync(
    join(root, 'inventory.yml'),
    stringify({
      all: {
        vars: { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' },
        children: { dfaas_nodes: { vars: { dfaas_period: '7s' }, hosts: nodes } },
      },
    }),
  );
  const play = (name: string, hosts: string, vars: object, tasks: string) => ({
    name,
    hosts,
    gather_facts: false,
    vars_files: [VERSIONS_FILE],
    roles: [DEFAULTS_ROLE],
    vars,
    tasks: [{ name, 'ansible.builtin.import_tasks': join(ANSIBLE_DIR, 'tasks', tasks) }],
  });
  const out = join(root, 'out');
  writeFileSync(
    join(root, 'render.yml'),
    stringify([
      play(
        'Write the DFaaS nodes configuration',
        'dfaas_nodes',
        // The repository stands for the installed npm package (its deploy/k8s overlays).
        { dfaas_config_dir: `${out}/{{ inventory_hostname }}`, dfaas_package_dir: REPO },
        'dfaas_node_config.yml',
      ),
      ...(target
        ? [
            play(
              'Write the target kustomization',
              'localhost',
              { prometheus_manifests_dir: `${out}/target`, deploy_dir: DEPLOY_DIR },
              'target_manifests.yml',
            ),
            play(
              'Write the OpenFaaS chart values',
              'localhost',
              { prometheus_manifests_dir: `${out}/target` },
              'openfaas_values.yml',
            ),
          ]
        : []),
    ]),
  );
  const result = run(
    ansiblePlaybook as string,
    ['-i', join(root, 'inventory.yml'), join(root, 'render.yml'), ...extra],
    root,
  );
  return { result, out };
}

const nodeNames = Object.keys(NODES) as (keyof typeof NODES)[];

describe.skipIf(!ansiblePlaybook)('deploy/ansible: the configuration the playbooks write', () => {
  it('systemd mode: each node.yaml is valid for `dfaas node up` and bootstraps from the other nodes', () => {
    const { result, out } = render('systemd', NODES, []);
    expect(result.status, result.stdout).toBe(0);
    for (const name of nodeNames) {
      const config = loadConfigFile(NodeConfigSchema, join(out, name, 'node.yaml'));
      expect(config.node_id).toBe(name);
      expect(config.bootstrap).toEqual(bootstrapOf(name));
      expect(config.proxy).toMatchObject({
        host: '0.0.0.0',
        port: 30080,
        advertise_host: NODES[name].dfaas_node_ip,
      });
      expect(config.listen).toEqual(['/ip4/0.0.0.0/tcp/31600']);
      expect(config.platform).toEqual({
        gateway_url: 'http://127.0.0.1:31112',
        auth_file: '/var/lib/dfaas/gateway-auth',
        gateway_port: 0,
      });
      expect(config.agent.strategy).toBe('recalc');
      // The agent on the node's address, named to the host's Prometheus by a selector-less Service
      // whose Endpoints the scrape job dfaas-host-agents keeps.
      expect(config.agent_host).toBe(NODES[name].dfaas_node_ip);
      const endpoint = parseAllDocuments(readFileSync(join(out, name, 'dfaas-node-agent.yaml'), 'utf8')).map(
        (d) => d.toJS() as K8sObject,
      );
      expect([...schemaErrors(endpoint), ...unknownFieldErrors(endpoint)]).toEqual([]);
      expect(endpoint.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
        'Service/openfaas/dfaas-node-agent',
        'Endpoints/openfaas/dfaas-node-agent',
      ]);
      expect(endpoint[1]?.subsets).toEqual([
        { addresses: [{ ip: NODES[name].dfaas_node_ip }], ports: [{ name: 'http', port: 9001 }] },
      ]);
      expect(hostAgentsJob.relabel_configs[0]).toMatchObject({
        source_labels: ['__meta_kubernetes_service_name'],
        action: 'keep',
        regex: 'dfaas-node-agent',
      });
      // The inventory's group and host vars win over the role's defaults (5s, heavy).
      // (read as written: the schema turns them into milliseconds and a number).
      const written = readYaml(join(out, name, 'node.yaml')) as { agent: Record<string, unknown> };
      expect(written.agent).toMatchObject({ period: '7s', node_type: name === 'node-3' ? 'light' : 'heavy' });
    }
  }, 60_000);

  it('refuses to write any node.yaml when a node has no peer id', () => {
    const { 'node-3': _, ...withPeerIds } = NODES;
    const { result, out } = render(
      'missing-peer',
      { ...withPeerIds, 'node-3': { dfaas_node_ip: '192.0.2.33' } },
      [],
    );
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/No peer id for node-3/);
    expect(() => readdirSync(out)).toThrow();
  }, 60_000);

  it.skipIf(!kubectl)(
    'k3s mode: the site overlay renders the node configuration, the image and the inventory NodePort; the chart gets the gateway NodePort 31112',
    () => {
      const { result, out } = render(
        'k3s',
        NODES,
        [
          '-e',
          'dfaas_node_mode=k3s',
          '-e',
          'dfaas_forecaster_enabled=true',
          '-e',
          'prometheus_node_port=30500',
        ],
        true,
      );
      expect(result.status, result.stdout).toBe(0);
      const versions = readYaml(VERSIONS_FILE) as { dfaas_image: string };
      for (const [bin, name] of kubectls.flatMap((bin) => nodeNames.map((name) => [bin, name] as const))) {
        const rendered = kustomize(bin, join(out, name));
        expect(rendered.status, `${bin}: ${rendered.stderr}`).toBe(0);
        const find = (kind: string, objectName: string) =>
          rendered.objects.find((o) => o.kind === kind && o.metadata.name === objectName) as K8sObject;
        const text = (find('ConfigMap', 'dfaas-node-config').data as Record<string, string>)[
          'node.yaml'
        ] as string;
        const config = validateConfig(
          NodeConfigSchema,
          parseConfigText(text.replaceAll('__NODE_IP__', '192.0.2.99'), name),
          name,
        );
        expect(config.bootstrap).toEqual(bootstrapOf(name));
        // The forecaster overlay's own settings stay (Service URL, thresholds); ours go on top.
        expect(config.agent).toMatchObject({
          strategy: 'node-margin',
          forecaster_url: 'http://dfaas-forecaster:8080',
        });
        expect(config.agent.thresholds.cpu_usage_node).toBeGreaterThan(0);
        expect(config.proxy.advertise_host).toBe('192.0.2.99');
        expect(servicePorts(find('Service', 'prometheus'))).toEqual([30500]);
        const images = JSON.stringify(find('Deployment', 'dfaas-node')).match(/"image":"[^"]+"/g);
        expect(new Set(images)).toEqual(new Set([`"image":"${versions.dfaas_image}"`]));
        expect(find('Deployment', 'dfaas-forecaster')).toBeDefined();
      }
      // The chart's values: the gateway's NodePort, its credentials, and no Prometheus or
      // Alertmanager of its own (deploy/k8s/target's replace them).
      expect(readYaml(join(out, 'target/openfaas-values.yaml'))).toEqual({
        functionNamespace: 'openfaas-fn',
        generateBasicAuth: true,
        serviceType: 'NodePort',
        gateway: { nodePort: 31112 },
        prometheus: { create: false },
        alertmanager: { create: false },
      });
      for (const bin of kubectls) {
        const target = kustomize(bin, join(out, 'target/site'));
        expect(target.status, `${bin}: ${target.stderr}`).toBe(0);
        const prometheus = target.objects.find(
          (o) => o.kind === 'Service' && o.metadata.name === 'prometheus',
        );
        expect(servicePorts(prometheus as K8sObject)).toEqual([30500]);
        expect(target.objects.filter((o) => o.metadata.name.startsWith('dfaas'))).toEqual([]);
        // The workloads setup_target_tasks.yml waits for (kubectl rollout status) by these names.
        const workloads = target.objects
          .filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')
          .map((o) => `${o.kind}/${o.metadata.name}`);
        expect(workloads.sort()).toEqual(
          [
            'DaemonSet/cadvisor',
            'DaemonSet/node-exporter',
            'Deployment/alertmanager',
            'Deployment/prometheus',
          ].sort(),
        );
      }
    },
    120_000,
  );
});

/** The scrape job that finds the agent of a node systemd runs (deploy/prometheus). */
const hostAgentsJob = (
  readYaml(join(DEPLOY_DIR, 'prometheus/scrape-kubernetes.yml')) as {
    scrape_configs: { job_name: string; relabel_configs: object[] }[];
  }
).scrape_configs.find((j) => j.job_name === 'dfaas-host-agents') as { relabel_configs: object[] };

const servicePorts = (service: K8sObject) =>
  (service.spec as { ports: { nodePort?: number }[] }).ports.map((p) => p.nodePort);

/**
 * run_k6.yml and teardown_k6.yml run for real on this machine (local connection, no become),
 * with a stand-in `k6` on PATH that writes the summary it is asked for.
 */
describe.skipIf(!ansiblePlaybook)('deploy/ansible: run_k6.yml and teardown_k6.yml on this machine', () => {
  const root = join(dir, 'k6');
  const workspace = join(root, 'workspace');
  const bin = join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'k6'),
    '#!/bin/sh\n# k6 run --summary-export FILE SCRIPT\necho "stand-in k6 $*"\necho \'{"metrics": {}}\' > "$3"\n',
    { mode: 0o755 },
  );
  const playbook = (name: string, vars: Record<string, string>) =>
    spawnSync(
      ansiblePlaybook as string,
      [
        '-i',
        'localhost,',
        '-c',
        'local',
        ...[
          '-e',
          'k6_hosts=all',
          '-e',
          'ansible_become=false',
          '-e',
          'ansible_python_interpreter=/usr/bin/python3',
        ],
        ...['-e', JSON.stringify({ k6_workspace_root: workspace, ...vars })],
        join(ANSIBLE_DIR, name),
      ],
      { cwd: REPO, env: { ...env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8', timeout: 60_000 },
    );
  const runVars = { target_name: 'target-1', run_id: 'run-1' };
  const configDir = (config: string) => join(workspace, 'target-1', 'run-1', config);

  it('run_k6.yml runs the script in its workspace, logs, and fetches the summary', () => {
    const script = join(root, 'config-a.js');
    writeFileSync(script, 'export default function () {}\n');
    for (const config of ['config-a', 'config-b']) {
      const summary = join(root, `${config}-summary.json`);
      const result = playbook('run_k6.yml', {
        ...runVars,
        config_id: config,
        script_src: script,
        summary_fetch_dest: summary,
      });
      expect(result.status, result.stdout).toBe(0);
      expect(readFileSync(join(configDir(config), `config-${config}.js`), 'utf8')).toContain(
        'export default',
      );
      expect(readFileSync(join(configDir(config), 'k6.log'), 'utf8')).toContain(
        `stand-in k6 run --summary-export ${configDir(config)}/summary.json ${configDir(config)}/config-${config}.js`,
      );
      expect(JSON.parse(readFileSync(summary, 'utf8'))).toEqual({ metrics: {} });
    }
  }, 60_000);

  it('teardown_k6.yml removes one configuration only with k6_cleanup=true, and needs target_name', () => {
    expect(playbook('teardown_k6.yml', { ...runVars, config_id: 'config-a' }).status).toBe(0);
    expect(readdirSync(join(workspace, 'target-1', 'run-1')).sort()).toEqual(['config-a', 'config-b']);

    const refused = playbook('teardown_k6.yml', { k6_cleanup: 'true', target_name: '' });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toMatch(/Cleanup requires target_name/);

    expect(
      playbook('teardown_k6.yml', { ...runVars, config_id: 'config-a', k6_cleanup: 'true' }).status,
    ).toBe(0);
    expect(readdirSync(join(workspace, 'target-1', 'run-1'))).toEqual(['config-b']);
    expect(playbook('teardown_k6.yml', { target_name: 'target-1', k6_cleanup: 'true' }).status).toBe(0);
    expect(readdirSync(workspace)).toEqual([]);
  }, 60_000);
});
