import type { GroupList } from '../../dataset/groups.js';
import { FUNCTION_GROUPS, type FunctionGroup, type SimInstance, type SimNode } from './instance.js';

/** A function a node deploys, and its group. */
export interface DeployedFunction {
  name: string;
  group: FunctionGroup;
}

/**
 * The functions a node deploys: every function its load names at any instant, in first-seen order
 * (the framework's nodes name the same functions at every instant: their deployment).
 */
export function deploymentOf(node: SimNode): DeployedFunction[] {
  const seen = new Map<string, FunctionGroup>();
  for (const instant of node.load) {
    for (const group of FUNCTION_GROUPS) {
      for (const f of instant[group]?.functions ?? []) if (!seen.has(f.name)) seen.set(f.name, group);
    }
  }
  return [...seen].map(([name, group]) => ({ name, group }));
}

/** The requests/s a node's users offer each of its functions at instant t. */
export function offeredAt(node: SimNode, t: number): Map<string, number> {
  const rates = new Map<string, number>();
  const instant = node.load[t] ?? {};
  for (const group of FUNCTION_GROUPS)
    for (const f of instant[group]?.functions ?? []) rates.set(f.name, f.rate);
  return rates;
}

/** The group of every function the instance's nodes deploy (a name in two groups: the first seen). */
export function groupsOf(instance: SimInstance): Map<string, FunctionGroup> {
  const groups = new Map<string, FunctionGroup>();
  for (const node of instance.nodes)
    for (const f of deploymentOf(node)) if (!groups.has(f.name)) groups.set(f.name, f.group);
  return groups;
}

/** The instance's functions by group, as group_list.json has them (the strategies' input.groups). */
export function groupListOf(instance: SimInstance): GroupList {
  const list: GroupList = Object.fromEntries(FUNCTION_GROUPS.map((g) => [g, [] as string[]]));
  for (const [name, group] of groupsOf(instance)) list[group]?.push(name);
  return list;
}
