/**
 * The direction of dependencies in src/ (docs/architecture.md): core < foundations (config,
 * metrics, load, platform) < the model layer (dataset, offload, forecast) < capabilities (sampler,
 * node, demo, bench, workflow, sim) < web and cli. A file may import its own layer or lower ones,
 * never a higher one; core imports nothing from src; nothing imports the CLI; a capability imports
 * a sibling capability only through the allowlist below; and no chain of imports comes back to
 * where it started. src/index.ts, the library's entry, re-exports every layer and is exempt.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

interface Layer {
  rank: number;
  kind: string;
}

const core: Layer = { rank: 0, kind: 'core' };
const foundation: Layer = { rank: 1, kind: 'foundation' };
const model: Layer = { rank: 2, kind: 'model layer' };
const capability: Layer = { rank: 3, kind: 'capability' };
const front: Layer = { rank: 4, kind: 'front end' };

/** Each folder of src/ and its layer. A new folder must be placed here before it can be imported. */
const LAYERS: Record<string, Layer> = {
  core,
  charts: foundation,
  config: foundation,
  metrics: foundation,
  load: foundation,
  platform: foundation,
  dataset: model,
  offload: model,
  forecast: model,
  'forecast-training': capability,
  sampler: capability,
  node: capability,
  demo: capability,
  bench: capability,
  workflow: capability,
  sim: capability,
  web: front,
  cli: front,
};

/**
 * Files whose layer is not their folder's. src/forecast/ is split as the design has it: the model
 * file, prediction, features and the dataset preprocessing are the model layer (the node's agent
 * predicts with them, the simulator will); training, evaluation, function grouping and the
 * forecaster service are the forecast capability, which depends on them and never the other way.
 */
const FILE_AREAS: Record<string, string> = {
  'src/forecast/train.ts': 'forecast-training',
  'src/forecast/baselines.ts': 'forecast-training',
  'src/forecast/profiles.ts': 'forecast-training',
  'src/forecast/service.ts': 'forecast-training',
};

/** The capabilities that may import a sibling capability, and why. Keep it short. */
const SIBLINGS_ALLOWED: { from: string; to: string; why: string }[] = [
  { from: 'demo', to: 'sampler', why: 'the demo tours the capabilities' },
  { from: 'demo', to: 'node', why: 'the demo tours the capabilities' },
  {
    from: 'sim',
    to: 'node',
    why: "the events engine admits requests with the embedded proxy's Router, the live proxy's own code",
  },
];

/** Files exempt from the layer rules (still part of cycle detection). */
const EXEMPT = new Set(['src/index.ts']);

interface Import {
  from: string;
  to: string;
}

/** The relative module specifiers of one TypeScript source: static, re-export, dynamic and `import('…')` types. */
function specifiersOf(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./x.js` from `src/a/b.ts` → `src/a/x.ts` (or `src/a/x/index.ts`); undefined for packages. */
function resolveImport(root: string, fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(join(root, fromFile)), specifier).replace(/\.js$/, '.ts');
  const candidates = [target, `${target}.ts`, join(target, 'index.ts')];
  const hit = candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? target;
  return relative(root, hit);
}

/** Every import between files of src/ in the repository at `root`, paths relative to it. */
function importsOf(root: string): Import[] {
  return sourceFiles(join(root, 'src')).flatMap((file) => {
    const from = relative(root, file);
    return specifiersOf(file, readFileSync(file, 'utf8'))
      .map((s) => resolveImport(root, from, s))
      .filter((to): to is string => to?.startsWith('src/') === true)
      .map((to) => ({ from, to }));
  });
}

const areaOf = (file: string): string | undefined =>
  FILE_AREAS[file] ?? file.split('/')[1]?.replace(/\.ts$/, '');

/** What is wrong with one import, or undefined. */
function layerViolation({ from, to }: Import): string | undefined {
  if (EXEMPT.has(from)) return undefined;
  const a = areaOf(from) ?? '';
  const b = areaOf(to) ?? '';
  const says = `${from} imports ${to}`;
  const la = LAYERS[a];
  const lb = LAYERS[b];
  if (!la)
    return `${from} is in src/${a}/, which has no layer: place it in LAYERS in test/architecture.test.ts`;
  if (!lb) return `${says}: src/${b} has no layer: place it in LAYERS in test/architecture.test.ts`;
  if (a === b) return undefined;
  if (b === 'cli') return `${says}: nothing imports the CLI`;
  if (la === core) return `${says}: core imports nothing from src`;
  if (lb.rank > la.rank) return `${says}: ${la.kind} → ${lb.kind}`;
  if (la === capability && lb === capability && !SIBLINGS_ALLOWED.some((s) => s.from === a && s.to === b)) {
    return `${says}: capability → sibling capability (${a} → ${b}) outside the allowlist`;
  }
  return undefined;
}

/** One cycle per strongly connected component of more than one file (or a file importing itself). */
function cycles(imports: Import[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of imports) next.set(from, [...(next.get(from) ?? []), to]);
  // Tarjan's algorithm, iterative over the files in a fixed order.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const strongConnect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.includes(v)) components.push(component);
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) strongConnect(v);
  // Within each component, the shortest way from its first file back to itself.
  return components.map((component) => {
    const inside = new Set(component);
    const start = [...component].sort()[0] as string;
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift() as string;
      for (const w of next.get(v) ?? []) {
        if (w === start) {
          const path = [v];
          while (path[0] !== start) path.unshift(previous.get(path[0] as string) as string);
          return [...path, start];
        }
        if (inside.has(w) && !previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}

/** Every violation of the rules in a graph of imports, one message each. */
function architectureViolations(imports: Import[]): string[] {
  const layered = imports.map(layerViolation).filter((m): m is string => m !== undefined);
  const cyclic = cycles(imports).map((c) => `import cycle: ${c.join(' → ')}`);
  return [...new Set([...layered, ...cyclic])].sort();
}

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');

describe('architecture', () => {
  it('src/ imports only down the layers, never the CLI, siblings only as allowed, and without cycles', () => {
    const imports = importsOf(ROOT);
    expect(imports.length).toBeGreaterThan(100);
    const violations = architectureViolations(imports);
    if (violations.length > 0) console.error(`architecture violations:\n  ${violations.join('\n  ')}`);
    expect(violations).toEqual([]);
  });

  it('finds every kind of import in a source file', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "import 'node:fs';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "const e = await import('./e.js');",
      "type F = typeof import('./f.js');",
      "const g = await import(prefix + '.js'); // not a literal: cannot be resolved",
    ].join('\n');
    expect(specifiersOf('x.ts', text)).toEqual([
      './a.js',
      '../b/b.js',
      'node:fs',
      './c.js',
      './d.js',
      './e.js',
      './f.js',
    ]);
  });

  it('fails on a cycle and on each forbidden edge of a synthetic graph', () => {
    const graph: Import[] = [
      // allowed: down the layers, within a layer, the allowlist, the library entry
      { from: 'src/config/a.ts', to: 'src/core/log.ts' },
      { from: 'src/config/a.ts', to: 'src/platform/api.ts' },
      { from: 'src/forecast/train.ts', to: 'src/dataset/results.ts' },
      { from: 'src/node/agent.ts', to: 'src/offload/routing.ts' },
      { from: 'src/demo/tour.ts', to: 'src/node/node.ts' },
      { from: 'src/cli/main.ts', to: 'src/sampler/run.ts' },
      { from: 'src/index.ts', to: 'src/cli/main.ts' },
      // a cycle of three files
      { from: 'src/offload/a.ts', to: 'src/offload/b.ts' },
      { from: 'src/offload/b.ts', to: 'src/offload/c.ts' },
      { from: 'src/offload/c.ts', to: 'src/offload/a.ts' },
      // forbidden edges
      { from: 'src/core/x.ts', to: 'src/config/a.ts' },
      { from: 'src/platform/p.ts', to: 'src/node/agent.ts' },
      { from: 'src/load/l.ts', to: 'src/dataset/results.ts' },
      { from: 'src/forecast/gbt.ts', to: 'src/sampler/run.ts' },
      { from: 'src/forecast/forecaster.ts', to: 'src/forecast/train.ts' },
      { from: 'src/node/agent.ts', to: 'src/sampler/run.ts' },
      { from: 'src/node/agent.ts', to: 'src/forecast/service.ts' },
      { from: 'src/web/w.ts', to: 'src/cli/main.ts' },
      { from: 'src/gadgets/g.ts', to: 'src/core/log.ts' },
    ];
    expect(architectureViolations(graph)).toEqual([
      'import cycle: src/offload/a.ts → src/offload/b.ts → src/offload/c.ts → src/offload/a.ts',
      'src/core/x.ts imports src/config/a.ts: core imports nothing from src',
      'src/forecast/forecaster.ts imports src/forecast/train.ts: model layer → capability',
      'src/forecast/gbt.ts imports src/sampler/run.ts: model layer → capability',
      'src/gadgets/g.ts is in src/gadgets/, which has no layer: place it in LAYERS in test/architecture.test.ts',
      'src/load/l.ts imports src/dataset/results.ts: foundation → model layer',
      'src/node/agent.ts imports src/forecast/service.ts: capability → sibling capability (node → forecast-training) outside the allowlist',
      'src/node/agent.ts imports src/sampler/run.ts: capability → sibling capability (node → sampler) outside the allowlist',
      'src/platform/p.ts imports src/node/agent.ts: foundation → capability',
      'src/web/w.ts imports src/cli/main.ts: nothing imports the CLI',
    ]);
  });
});
