/**
 * The DFaaS node types, as the forecaster's `node_type` feature and the agent's configuration
 * name them. The one definition: the node configuration, the forecasting datasets and the
 * simulator all read it from here.
 */
import { UnknownNodeTypeError } from './errors.js';

/** The DFaaS agent's node types, by name; a capacity number (e.g. cores) may be used instead. */
export const NODE_TYPE_NAMES = ['heavy', 'mid', 'light'] as const;
export type NodeTypeName = (typeof NODE_TYPE_NAMES)[number];
export const NODE_TYPES: Readonly<Record<NodeTypeName, number>> = { heavy: 0, mid: 1, light: 2 };

/** heavy → 0, mid → 1, light → 2, a non-negative number → itself; else an UnknownNodeTypeError. */
export function nodeTypeCode(label: string): number {
  const known = NODE_TYPES[label.toLowerCase() as NodeTypeName];
  if (known !== undefined) return known;
  const n = Number(label);
  if (label.trim() !== '' && Number.isFinite(n) && n >= 0) return n;
  throw new UnknownNodeTypeError(label);
}
