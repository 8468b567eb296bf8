/**
 * deploy/k8s rendered by `kubectl kustomize` and checked against the Kubernetes schemas of
 * kubernetes-models 4.5 (the last major that runs on Node 20), two ways:
 * - `schemaErrors`: each object through its model's `validate()` (types, required fields, enums
 *   of the API's OpenAPI schema). Those schemas are open, so a misspelled optional field passes;
 * - `unknownFieldErrors`: the objects as object literals typed with the same package's interfaces,
 *   type-checked by TypeScript, whose excess-property check rejects any field the API lacks.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as apps from 'kubernetes-models/apps/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IContainer, IPodSpec, IPodTemplateSpec } from 'kubernetes-models/v1';
import * as core from 'kubernetes-models/v1';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const K8S_DIR = join(REPO, 'deploy/k8s');

/** A rendered object; fields beyond these are read where a check needs them. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface Rendered {
  status: number | null;
  stderr: string;
  objects: K8sObject[];
}

/** `kubectl kustomize <dir>` (offline: kustomize reads only the files) and its objects. */
export function kustomize(kubectl: string, dir: string): Rendered {
  const run = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8' });
  const objects =
    run.status === 0
      ? parseAllDocuments(run.stdout)
          .map((doc) => doc.toJS() as K8sObject | null)
          .filter((o): o is K8sObject => o !== null)
      : [];
  return { status: run.status, stderr: run.stderr, objects };
}

export const objectName = (o: K8sObject) =>
  `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** A workload's pod template, with the namespace and the owner it comes from. */
export interface PodTemplate {
  owner: K8sObject;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: IPodSpec;
  /** Init containers, then containers. */
  containers: IContainer[];
}

/** The pod templates of the workloads (Deployments, DaemonSets, StatefulSets, Jobs). */
export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects.flatMap((owner) => {
    const template = (owner.spec as { template?: IPodTemplateSpec } | undefined)?.template;
    if (!template?.spec) return [];
    return [
      {
        owner,
        namespace: owner.metadata.namespace ?? 'default',
        labels: template.metadata?.labels ?? {},
        annotations: template.metadata?.annotations ?? {},
        spec: template.spec,
        containers: [...(template.spec.initContainers ?? []), ...template.spec.containers],
      },
    ];
  });
}

type ModelClass = new (data: never) => { validate(): void };
/** The kinds deploy/k8s uses, by `apiVersion kind`; the module of each is `kubernetes-models/<apiVersion>`. */
const MODELS: Record<string, ModelClass> = {
  'v1 Namespace': core.Namespace,
  'v1 ServiceAccount': core.ServiceAccount,
  'v1 ConfigMap': core.ConfigMap,
  'v1 Secret': core.Secret,
  'v1 Service': core.Service,
  'v1 Endpoints': core.Endpoints,
  'apps/v1 Deployment': apps.Deployment,
  'apps/v1 DaemonSet': apps.DaemonSet,
  'rbac.authorization.k8s.io/v1 Role': rbac.Role,
  'rbac.authorization.k8s.io/v1 RoleBinding': rbac.RoleBinding,
  'rbac.authorization.k8s.io/v1 ClusterRole': rbac.ClusterRole,
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding': rbac.ClusterRoleBinding,
};

/** One message per object of a kind without a model or failing its model's validation. */
export function schemaErrors(objects: K8sObject[]): string[] {
  const errors: string[] = [];
  for (const o of objects) {
    const Model = MODELS[`${o.apiVersion} ${o.kind}`];
    if (!Model) {
      errors.push(`${objectName(o)}: no model for ${o.apiVersion} ${o.kind} (add it to MODELS)`);
      continue;
    }
    try {
      new Model(o as never).validate();
    } catch (err) {
      errors.push(`${objectName(o)}: ${(err as Error).message}`);
    }
  }
  return errors;
}

/**
 * TypeScript's errors for `const o: I<Kind> = <object>` per object, in a virtual file beside the
 * repository's node_modules: unknown or misspelled fields, and values outside the interfaces'
 * enums. Objects of kinds without a model are left to `schemaErrors`.
 */
export function unknownFieldErrors(objects: K8sObject[]): string[] {
  const known = objects.filter((o) => MODELS[`${o.apiVersion} ${o.kind}`]);
  const file = join(REPO, 'test', '__kubernetes_objects__.ts');
  const lines: string[] = [];
  const owner: K8sObject[] = []; // the object declared on each line
  known.forEach((o, i) => {
    const type = `import('kubernetes-models/${o.apiVersion}').I${o.kind}`;
    const decl = `export const o${i}: ${type} = ${JSON.stringify(o, null, 1)};`.split('\n');
    lines.push(...decl);
    owner.push(...decl.map(() => o));
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (f) => f === file || ts.sys.fileExists(f);
  host.readFile = (f) => (f === file ? source : readFile(f));
  host.getSourceFile = (f, lang, ...rest) =>
    f === file ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, ...rest);
  const program = ts.createProgram([file], options, host);
  const sf = program.getSourceFile(file);
  if (!sf) throw new Error('the virtual file was not loaded');
  return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => {
    const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
    const o = owner[line];
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    return `${o ? objectName(o) : '?'} (line ${line + 1}): ${text}`;
  });
}
