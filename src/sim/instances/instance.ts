import { z } from 'zod';
import { loadConfigFile } from '../../config/read-file.js';
import { writeFileAtomic } from '../../core/files.js';

/**
 * A simulation instance: the nodes of an edge network, their links and the load each one is
 * offered over the simulation's instants. The file format is the DFaaS simulation framework's
 * `instance.json` (framework/instance_generator.py), kept key for key so that an instance made by
 * either side runs on the other:
 *
 * ```
 * { "seed", "nodes_number", "edge_prob", "overloaded_perc",
 *   "node_0": { "node_type": "HEAVY"|"MID"|"LIGHT", "neighbours": ["node_3", …],
 *               "load": [ 7 × { "<GROUP>": { "functions": [{ "function_name", "function_rate" }],
 *                                            "total_rate" } } ] },
 *   "node_1": …, … }
 * ```
 *
 * `overloaded_perc` is a percentage (60 for 60 %). Rates are integer requests per second; a group's
 * function rates sum to its total_rate. An instant lists only the groups the node runs.
 */

/** Node types, as the framework names them. */
export const NODE_TYPES = ['HEAVY', 'MID', 'LIGHT'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** Function groups, in the framework's order (group_list.json read in file order). */
export const FUNCTION_GROUPS = ['HIGH_USAGE', 'LOW_USAGE', 'MEDIUM_USAGE'] as const;
export type FunctionGroup = (typeof FUNCTION_GROUPS)[number];

/** The framework's group_list.json: the functions of each group, in its order. */
export const FRAMEWORK_GROUPS: Readonly<Record<FunctionGroup, readonly string[]>> = {
  HIGH_USAGE: ['eat-memory', 'nmap'],
  LOW_USAGE: ['env', 'figlet', 'shasum'],
  MEDIUM_USAGE: ['curl'],
};

/** The framework's SIMULATION_MINUTES: one load entry per one-minute instant. */
export const SIMULATION_INSTANTS = 7;

export interface FunctionLoad {
  name: string;
  /** Requests per second (an integer ≥ 0). */
  rate: number;
}

export interface GroupLoad {
  /** The node's functions of the group, in the file's order (the first takes the split's remainder). */
  functions: FunctionLoad[];
  /** Σ functions' rates. */
  totalRate: number;
}

/** One instant's offered load of a node, by group; the keys keep the file's (the draw's) order. */
export type InstantLoad = Partial<Record<FunctionGroup, GroupLoad>>;

export interface SimNode {
  /** node_<i>, i its index in `nodes`. */
  id: string;
  type: NodeType;
  /** Ids of the linked nodes, in the framework's adjacency order (its Equal strategy uses that order). */
  neighbours: string[];
  /** One entry per instant: the framework's files have SIMULATION_INSTANTS, dfaas's may have more. */
  load: InstantLoad[];
  /** One-way latency of the link to each neighbour, ms (a dfaas extension, `link_latency_ms` in the
   * file; the framework has no latencies and ignores the key). Absent: the engine's default. */
  linkLatencyMs?: Record<string, number>;
}

export interface SimInstance {
  seed: number;
  /** Probability of each extra edge of the graph, in [0, 1]. */
  edgeProb: number;
  /** Most nodes that may be overloaded, in percent of the nodes ([0, 100]). */
  overloadedPerc: number;
  nodes: SimNode[];
}

const NODE_KEY = /^node_(0|[1-9]\d*)$/;
const HEADER_KEYS = ['seed', 'nodes_number', 'edge_prob', 'overloaded_perc'];

const rate = z.number().int().min(0);

const GroupLoadJsonSchema = z
  .strictObject({
    functions: z
      .array(z.strictObject({ function_name: z.string().min(1), function_rate: rate }))
      .min(1, 'a group lists at least one function'),
    total_rate: rate,
  })
  .superRefine((g, ctx) => {
    const names = g.functions.map((f) => f.function_name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined)
      ctx.addIssue({ code: 'custom', path: ['functions'], message: `${dup} is listed twice` });
    const sum = g.functions.reduce((s, f) => s + f.function_rate, 0);
    if (sum !== g.total_rate) {
      ctx.addIssue({
        code: 'custom',
        path: ['total_rate'],
        message: `is ${g.total_rate} but the functions' rates sum to ${sum}`,
      });
    }
  });

// A partial record, not an object: it keeps the file's key order (the framework's draw order).
const InstantJsonSchema = z.partialRecord(z.enum(FUNCTION_GROUPS), GroupLoadJsonSchema);

const NodeJsonSchema = z.strictObject({
  node_type: z.enum(NODE_TYPES),
  neighbours: z.array(z.string().regex(NODE_KEY, 'a node id (node_<i>)')),
  load: z.array(InstantJsonSchema).min(1, 'one entry per instant: at least one'),
  link_latency_ms: z.record(z.string(), z.number().finite().min(0)).optional(),
});

type NodeJson = z.output<typeof NodeJsonSchema>;

/**
 * The framework's instance.json. Besides the four header keys only node_<i> keys are allowed, and
 * node_0..node_{nodes_number−1} must all be there; neighbours must be existing other nodes, listed
 * on both sides.
 */
export const InstanceJsonSchema = z
  .object({
    seed: z.number().int().min(0),
    nodes_number: z.number().int().min(1),
    edge_prob: z.number().min(0).max(1),
    overloaded_perc: z.number().min(0).max(100),
  })
  .catchall(z.unknown())
  .superRefine((inst, ctx) => {
    const n = inst.nodes_number;
    const record: Record<string, NodeJson | undefined> = {};
    for (const [key, value] of Object.entries(inst)) {
      if (HEADER_KEYS.includes(key)) continue;
      const m = NODE_KEY.exec(key);
      if (!m) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'unknown key: only node_<i> keys besides the header',
        });
        continue;
      }
      if (Number(m[1]) >= n) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `beyond nodes_number (${n}): nodes are node_0..node_${n - 1}`,
        });
        continue;
      }
      const parsed = NodeJsonSchema.safeParse(value);
      if (parsed.success) record[key] = parsed.data;
      else
        for (const issue of parsed.error.issues) {
          if (issue.code === 'unrecognized_keys')
            for (const k of issue.keys)
              ctx.addIssue({
                code: 'custom',
                path: [key, ...issue.path, k] as PropertyKey[],
                message: 'unknown key',
              });
          else
            ctx.addIssue({
              code: 'custom',
              path: [key, ...issue.path] as PropertyKey[],
              message: issue.message,
            });
        }
    }
    for (let i = 0; i < n; i++) {
      const id = `node_${i}`;
      const node = record[id];
      if (!(id in inst)) {
        ctx.addIssue({
          code: 'custom',
          path: [id],
          message: `missing: nodes_number is ${n}, so node_0..node_${n - 1} must all be present`,
        });
        continue;
      }
      if (node === undefined) continue; // invalid: already reported
      const first = record.node_0;
      if (first !== undefined && node.load.length !== first.load.length)
        ctx.addIssue({
          code: 'custom',
          path: [id, 'load'],
          message: `has ${node.load.length} instants, node_0 has ${first.load.length}: every node has as many`,
        });
      for (const nb of Object.keys(node.link_latency_ms ?? {}))
        if (!node.neighbours.includes(nb))
          ctx.addIssue({ code: 'custom', path: [id, 'link_latency_ms', nb], message: 'not a neighbour' });
      node.neighbours.forEach((nb, j) => {
        const other = record[nb];
        const path = [id, 'neighbours', j];
        if (nb === id) ctx.addIssue({ code: 'custom', path, message: 'a node is not its own neighbour' });
        else if (node.neighbours.indexOf(nb) !== j)
          ctx.addIssue({ code: 'custom', path, message: `${nb} is listed twice` });
        else if (!NODE_KEY.test(nb) || Number(nb.slice(5)) >= n)
          ctx.addIssue({ code: 'custom', path, message: `${nb} is no node of the instance` });
        else if (other !== undefined && !other.neighbours.includes(id))
          ctx.addIssue({
            code: 'custom',
            path,
            message: `${nb} does not list ${id} among its neighbours (links go both ways)`,
          });
      });
    }
  });

export type InstanceJson = z.output<typeof InstanceJsonSchema>;

/** Parsed and validated framework JSON → SimInstance. */
function fromJson(json: InstanceJson): SimInstance {
  const record = json as unknown as Record<string, NodeJson>;
  const nodes: SimNode[] = [];
  for (let i = 0; i < json.nodes_number; i++) {
    const id = `node_${i}`;
    const node = record[id] as NodeJson;
    nodes.push({
      id,
      type: node.node_type,
      neighbours: [...node.neighbours],
      ...(node.link_latency_ms ? { linkLatencyMs: { ...node.link_latency_ms } } : {}),
      load: node.load.map((instant) => {
        const out: InstantLoad = {};
        for (const [group, g] of Object.entries(instant) as [
          FunctionGroup,
          z.output<typeof GroupLoadJsonSchema> | undefined,
        ][]) {
          if (g === undefined) continue;
          out[group] = {
            functions: g.functions.map((f) => ({ name: f.function_name, rate: f.function_rate })),
            totalRate: g.total_rate,
          };
        }
        return out;
      }),
    });
  }
  return { seed: json.seed, edgeProb: json.edge_prob, overloadedPerc: json.overloaded_perc, nodes };
}

/** Reads an instance.json (the framework's or ours); bad input is a ConfigError naming the file and field (exit 2). */
export function readInstance(file: string): SimInstance {
  return fromJson(loadConfigFile(InstanceJsonSchema, file));
}

/** The framework's JSON of an instance, in its key order: header, then node_0, node_1, …. */
export function instanceToJson(instance: SimInstance): Record<string, unknown> {
  const out: Record<string, unknown> = {
    seed: instance.seed,
    nodes_number: instance.nodes.length,
    edge_prob: instance.edgeProb,
    overloaded_perc: instance.overloadedPerc,
  };
  for (const node of instance.nodes) {
    out[node.id] = {
      node_type: node.type,
      neighbours: [...node.neighbours],
      load: node.load.map((instant) => {
        const groups: Record<string, unknown> = {};
        for (const [group, g] of Object.entries(instant) as [FunctionGroup, GroupLoad | undefined][]) {
          if (g === undefined) continue;
          groups[group] = {
            functions: g.functions.map((f) => ({ function_name: f.name, function_rate: f.rate })),
            total_rate: g.totalRate,
          };
        }
        return groups;
      }),
      ...(node.linkLatencyMs ? { link_latency_ms: { ...node.linkLatencyMs } } : {}),
    };
  }
  return out;
}

/** Writes an instance as the framework's instance.json (indent 4, as its json.dump), atomically. */
export function writeInstance(file: string, instance: SimInstance): void {
  writeFileAtomic(file, `${JSON.stringify(instanceToJson(instance), null, 4)}\n`);
}
