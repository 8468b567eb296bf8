import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { deploymentOf } from '../../../src/sim/instances/deployment.js';
import { generateInstance } from '../../../src/sim/instances/generator.js';
import { InstanceJsonSchema, instanceToJson } from '../../../src/sim/instances/instance.js';
import { MAX_TRACE_INSTANTS, traceLoad } from '../../../src/sim/instances/trace-load.js';

const instance = generateInstance({ nodes: 3, edgeProb: 0.5, overloadedPercent: 60, seed: 4 });
const load = (text: string) => traceLoad(text, instance, { source: 'trace.csv' });

function issuesOf(text: string): { field: string; message: string }[] {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^trace\.csv: /);
    return (err as ConfigError).issues;
  }
  throw new Error('no error');
}

const HEADER = 'instant,node,function,rate';

describe('traceLoad: a worked trace', () => {
  const trace = [
    HEADER,
    '0,node_0,figlet,10',
    '0,node_0,env,2.5', // half to even: 2
    '0,node_0,curl,3.5', // half to even: 4
    '2,node_0,figlet,7',
    '1,node_2,nmap,0.5', // 0: still deployed
    '1,node_2,eat-memory,1.5', // 2
  ].join('\n');

  it('builds each node’s instants: group totals sum the functions, absent rates are 0, T = max instant + 1', () => {
    const out = load(trace);
    // node_0 runs env and figlet (LOW_USAGE, the groups list's order) and curl (MEDIUM_USAGE).
    expect(out.nodes[0]?.load).toEqual([
      {
        LOW_USAGE: {
          functions: [
            { name: 'env', rate: 2 },
            { name: 'figlet', rate: 10 },
          ],
          totalRate: 12,
        },
        MEDIUM_USAGE: { functions: [{ name: 'curl', rate: 4 }], totalRate: 4 },
      },
      {
        LOW_USAGE: {
          functions: [
            { name: 'env', rate: 0 },
            { name: 'figlet', rate: 0 },
          ],
          totalRate: 0,
        },
        MEDIUM_USAGE: { functions: [{ name: 'curl', rate: 0 }], totalRate: 0 },
      },
      {
        LOW_USAGE: {
          functions: [
            { name: 'env', rate: 0 },
            { name: 'figlet', rate: 7 },
          ],
          totalRate: 7,
        },
        MEDIUM_USAGE: { functions: [{ name: 'curl', rate: 0 }], totalRate: 0 },
      },
    ]);
    // node_1 is not in the trace: it offers nothing.
    expect(out.nodes[1]?.load).toEqual([{}, {}, {}]);
    // node_2: eat-memory and nmap, in the groups list's order, though the trace names nmap first.
    expect(out.nodes[2]?.load.map((i) => i.HIGH_USAGE)).toEqual([
      {
        functions: [
          { name: 'eat-memory', rate: 0 },
          { name: 'nmap', rate: 0 },
        ],
        totalRate: 0,
      },
      {
        functions: [
          { name: 'eat-memory', rate: 2 },
          { name: 'nmap', rate: 0 },
        ],
        totalRate: 2,
      },
      {
        functions: [
          { name: 'eat-memory', rate: 0 },
          { name: 'nmap', rate: 0 },
        ],
        totalRate: 0,
      },
    ]);
    expect(deploymentOf(out.nodes[2] as (typeof out.nodes)[number]).map((f) => f.name)).toEqual([
      'eat-memory',
      'nmap',
    ]);
  });

  it('keeps everything but the load, leaves the instance untouched, and makes a valid instance file', () => {
    const before = structuredClone(instance);
    const out = load(trace);
    expect(instance).toEqual(before);
    expect(out).toMatchObject({ seed: instance.seed, edgeProb: instance.edgeProb, overloadedPerc: 60 });
    expect(out.nodes.map((n) => [n.id, n.type, n.neighbours])).toEqual(
      instance.nodes.map((n) => [n.id, n.type, n.neighbours]),
    );
    expect(InstanceJsonSchema.safeParse(instanceToJson(out)).success).toBe(true);
  });

  it('the rows’ order does not matter; columns in any order and case, extra columns, CRLF and blank lines do not either', () => {
    const lines = trace.split('\n').slice(1);
    const reordered = [HEADER, ...[...lines].reverse()].join('\n');
    expect(load(reordered)).toEqual(load(trace));
    const other = [
      'Rate, Function ,comment,NODE,instant',
      ...lines.map((l) => {
        const [t, node, fn, rate] = l.split(',');
        return `${rate},${fn},x,${node},${t}`;
      }),
      '',
    ].join('\r\n');
    expect(load(other)).toEqual(load(trace));
  });

  it('takes other groups', () => {
    const out = traceLoad(`${HEADER}\n1,node_1,h,3\n0,node_1,m,2\n`, instance, {
      source: 't.csv',
      groups: { HIGH_USAGE: ['h'], LOW_USAGE: ['l'], MEDIUM_USAGE: ['m'] },
    });
    expect(out.nodes[1]?.load).toEqual([
      {
        HIGH_USAGE: { functions: [{ name: 'h', rate: 0 }], totalRate: 0 },
        MEDIUM_USAGE: { functions: [{ name: 'm', rate: 2 }], totalRate: 2 },
      },
      {
        HIGH_USAGE: { functions: [{ name: 'h', rate: 3 }], totalRate: 3 },
        MEDIUM_USAGE: { functions: [{ name: 'm', rate: 0 }], totalRate: 0 },
      },
    ]);
  });
});

describe('traceLoad: bad input', () => {
  it('names the missing or doubled column of the header', () => {
    expect(issuesOf('instant,node,rate\n0,node_0,1')).toEqual([
      { field: 'header', message: expect.stringMatching(/no column function/) },
    ]);
    expect(issuesOf('instant,node,function,rate,node\n0,node_0,curl,1,node_1')).toEqual([
      { field: 'header', message: 'column node named twice' },
    ]);
    expect(issuesOf('')[0]?.field).toBe('header');
    expect(issuesOf(`${HEADER}\n\n`)).toEqual([{ field: '', message: 'no row below the header' }]);
  });

  it('names each bad row and column', () => {
    const text = [
      HEADER,
      '0,node_0,curl,1', // line 2: fine
      '-1,node_0,curl,1', // line 3
      '1.5,node_3,curl,1', // line 4: two bad cells (3 nodes: node_0..node_2)
      'x,node_01,ls,-2', // line 5: four
      '0,node_0,curl,nan', // line 6
      '0,node_0,curl', // line 7: a cell short
      '0,node_0,curl,2', // line 8: line 2 again
      `${MAX_TRACE_INSTANTS},node_0,curl,1`, // line 9
      '0,node_1,figlet,', // line 10: an empty rate
    ].join('\n');
    expect(issuesOf(text).map((i) => i.field)).toEqual([
      'line 3, column instant',
      'line 4, column instant',
      'line 4, column node',
      'line 5, column instant',
      'line 5, column node',
      'line 5, column function',
      'line 5, column rate',
      'line 6, column rate',
      'line 7',
      'line 8',
      '', // lines 9 and 10: 12 issues, the first 10 listed
    ]);
    const issues = issuesOf(text);
    expect(issues[2]?.message).toBe('"node_3" is no node of the instance (node_0..node_2)');
    expect(issues[5]?.message).toMatch(
      /^"ls" is in no group \(the groups' functions: eat-memory, nmap, env,/,
    );
    expect(issues[6]?.message).toBe('"-2" is not a rate ≥ 0 (requests/s)');
    expect(issues[8]?.message).toBe("3 cells, expected 4 (the header's)");
    expect(issues[9]?.message).toBe("repeats line 2's instant, node and function");
    expect(issues[10]).toEqual({ field: '', message: 'and 2 more bad cells or lines' });
    expect(issuesOf(`${text}\n0,node_9,curl,1`)[10]).toEqual({
      field: '',
      message: 'and 3 more bad cells or lines',
    });
  });
});
