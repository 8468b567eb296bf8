import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateInstance } from '../../../src/sim/instances/generator.js';
import { instanceToJson, readInstance, writeInstance } from '../../../src/sim/instances/instance.js';
import { configError } from '../../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-sim-instance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const group = (fns: [string, number][]) => ({
  functions: fns.map(([function_name, function_rate]) => ({ function_name, function_rate })),
  total_rate: fns.reduce((s, [, r]) => s + r, 0),
});

/** A small instance.json as the framework writes it (json.dump, indent 4, overloaded_perc a float). */
function fixture(): Record<string, unknown> {
  const light = [3, 9, 14, 18, 12, 7, 2].map((r) => ({ LOW_USAGE: group([['figlet', r]]) }));
  const heavy = [20, 50, 75, 95, 70, 40, 10].map((r) => ({
    HIGH_USAGE: group([
      ['nmap', r - 5],
      ['eat-memory', 5],
    ]),
    MEDIUM_USAGE: group([['curl', r * 2]]),
  }));
  const mid = [1, 3, 5, 7, 5, 3, 1].map((r) => ({
    MEDIUM_USAGE: group([['curl', r]]),
    LOW_USAGE: group([
      ['shasum', r],
      ['env', 0],
      ['figlet', 1],
    ]),
  }));
  return {
    seed: 701,
    nodes_number: 3,
    edge_prob: 0.1,
    overloaded_perc: 60.0,
    node_0: { node_type: 'LIGHT', neighbours: ['node_2', 'node_1'], load: light },
    node_1: { node_type: 'HEAVY', neighbours: ['node_0'], load: heavy },
    node_2: { node_type: 'MID', neighbours: ['node_0'], load: mid },
  };
}

function writeJson(name: string, data: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(data, null, 4));
  return file;
}

describe('readInstance', () => {
  it('reads a framework instance.json as is', () => {
    const inst = readInstance(writeJson('framework.json', fixture()));
    expect(inst.seed).toBe(701);
    expect(inst.edgeProb).toBe(0.1);
    expect(inst.overloadedPerc).toBe(60);
    expect(inst.nodes.map((n) => [n.id, n.type, n.neighbours])).toEqual([
      ['node_0', 'LIGHT', ['node_2', 'node_1']],
      ['node_1', 'HEAVY', ['node_0']],
      ['node_2', 'MID', ['node_0']],
    ]);
    expect(inst.nodes[1]?.load[3]).toEqual({
      HIGH_USAGE: {
        functions: [
          { name: 'nmap', rate: 90 },
          { name: 'eat-memory', rate: 5 },
        ],
        totalRate: 95,
      },
      MEDIUM_USAGE: { functions: [{ name: 'curl', rate: 190 }], totalRate: 190 },
    });
    // Group order is the file's.
    expect(Object.keys(inst.nodes[2]?.load[0] ?? {})).toEqual(['MEDIUM_USAGE', 'LOW_USAGE']);
    // And written back, it is the same JSON, key order included.
    expect(JSON.stringify(instanceToJson(inst))).toBe(JSON.stringify(fixture()));
  });

  it('a missing node is a ConfigError naming it', () => {
    const data = fixture();
    delete data.node_2;
    (data.node_0 as { neighbours: string[] }).neighbours = ['node_1'];
    const err = configError(() => readInstance(writeJson('missing.json', data)));
    expect(err.exitCode).toBe(2);
    expect(err.source).toMatch(/missing\.json$/);
    expect(err.issues).toEqual([{ field: 'node_2', message: expect.stringMatching(/^missing/) }]);
    expect(err.message).toMatch(/missing\.json: node_2: missing/);
  });

  it('an unknown node_type is a ConfigError naming the field', () => {
    const data = fixture();
    (data.node_1 as { node_type: string }).node_type = 'HUGE';
    const err = configError(() => readInstance(writeJson('type.json', data)));
    expect(err.issues.map((i) => i.field)).toEqual(['node_1.node_type']);
  });

  it('a node with fewer instants than node_0 is a ConfigError naming the field', () => {
    const data = fixture();
    (data.node_1 as { load: unknown[] }).load.pop();
    const err = configError(() => readInstance(writeJson('six.json', data)));
    expect(err.issues).toEqual([
      { field: 'node_1.load', message: 'has 6 instants, node_0 has 7: every node has as many' },
    ]);
  });

  it('an empty load is a ConfigError; more instants than 7 are dfaas instances and read', () => {
    const empty = fixture();
    for (const key of Object.keys(empty))
      if (key.startsWith('node_')) (empty[key] as { load: unknown[] }).load = [];
    expect(configError(() => readInstance(writeJson('empty.json', empty))).issues[0]?.message).toMatch(
      /at least one/,
    );
    const longer = fixture();
    for (const key of Object.keys(longer))
      if (key.startsWith('node_')) {
        const load = (longer[key] as { load: unknown[] }).load;
        load.push(load[0]);
      }
    expect(readInstance(writeJson('eight.json', longer)).nodes[0]?.load).toHaveLength(8);
  });

  it('link latencies (a dfaas extension) round-trip, and must name neighbours', () => {
    const data = fixture();
    const node0 = data.node_0 as { neighbours: string[]; link_latency_ms?: Record<string, number> };
    const nb = node0.neighbours[0] as string;
    node0.link_latency_ms = { [nb]: 12.5 };
    const file = writeJson('latency.json', data);
    const instance = readInstance(file);
    expect(instance.nodes[0]?.linkLatencyMs).toEqual({ [nb]: 12.5 });
    expect(instanceToJson(instance).node_0).toMatchObject({ link_latency_ms: { [nb]: 12.5 } });
    node0.link_latency_ms = { node_0: 1 };
    const err = configError(() => readInstance(writeJson('bad-latency.json', data)));
    expect(err.issues).toEqual([{ field: 'node_0.link_latency_ms.node_0', message: 'not a neighbour' }]);
  });

  it('other bad input names its field', () => {
    const cases: [(d: Record<string, unknown>) => void, string][] = [
      [(d) => (d.extra = 1), 'extra'],
      [(d) => (d.node_3 = d.node_2), 'node_3'],
      [(d) => ((d.node_1 as { neighbours: string[] }).neighbours = []), 'node_0.neighbours[1]'],
      [
        (d) => ((d.node_1 as { neighbours: string[] }).neighbours = ['node_0', 'node_9']),
        'node_1.neighbours[1]',
      ],
      [
        (d) =>
          ((
            (d.node_0 as { load: Record<string, { total_rate: number }>[] }).load[2] as Record<
              string,
              { total_rate: number }
            >
          ).LOW_USAGE = { ...group([['figlet', 3]]), total_rate: 4 }),
        'node_0.load[2].LOW_USAGE.total_rate',
      ],
      [
        (d) =>
          (((d.node_0 as { load: Record<string, unknown>[] }).load[2] as Record<string, unknown>).HUGE_USAGE =
            group([['x', 1]])),
        'node_0.load[2].HUGE_USAGE',
      ],
      [(d) => (d.edge_prob = 2), 'edge_prob'],
      [(d) => delete d.seed, 'seed'],
    ];
    cases.forEach(([mutate, field], i) => {
      const data = fixture();
      mutate(data);
      const err = configError(() => readInstance(writeJson(`bad-${i}.json`, data)));
      expect(err.issues.map((x) => x.field)).toContain(field);
    });
  });

  it('a file that is not there is a ConfigError naming it', () => {
    const err = configError(() => readInstance(join(dir, 'nope.json')));
    expect(err.message).toMatch(/nope\.json: cannot read file/);
  });
});

describe('writeInstance', () => {
  it('round trip: generate → write → read gives the same instance', () => {
    for (const [n, p] of [
      [1, 0.1],
      [10, 0.1],
      [30, 1],
    ] as const) {
      const inst = generateInstance({ nodes: n, edgeProb: p, overloadedPercent: 60, seed: 123 });
      const file = join(dir, 'sub', `round-${n}.json`);
      writeInstance(file, inst);
      expect(readInstance(file)).toEqual(inst);
      expect(JSON.stringify(instanceToJson(readInstance(file)))).toBe(JSON.stringify(instanceToJson(inst)));
    }
  });

  it("writes the framework's key order and indent", () => {
    const inst = generateInstance({ nodes: 3, edgeProb: 0.5, overloadedPercent: 60, seed: 4 });
    const file = join(dir, 'order.json');
    writeInstance(file, inst);
    const text = readFileSync(file, 'utf8');
    expect(Object.keys(JSON.parse(text))).toEqual([
      'seed',
      'nodes_number',
      'edge_prob',
      'overloaded_perc',
      'node_0',
      'node_1',
      'node_2',
    ]);
    expect(Object.keys(JSON.parse(text).node_0)).toEqual(['node_type', 'neighbours', 'load']);
    expect(text).toMatch(/^\{\n {4}"seed": 4,\n {4}"nodes_number": 3,/);
  });
});
