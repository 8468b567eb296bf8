import { z } from 'zod';

/**
 * The DFaaS agent's peer messages: JSON on the gossipsub topic /dfaasagent/1.0.0, with the
 * reference Go agent's field names and MsgType values, so a dfaas node and a reference agent
 * understand each other's messages.
 */
export const DFAAS_TOPIC = '/dfaasagent/1.0.0';

/** A message bigger than this is dropped unread (the largest legitimate one, nodeinfoRecalc for
 * 100 peers × 100 functions, is about 0.6 MB). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

const port = z.number().int().min(1).max(65_535);
const rate = z.number().finite().min(0);

/** Requests/s of the three function groups (group_list.json's HIGH/MEDIUM/LOW_USAGE). */
export const GroupsLoadSchema = z.object({
  RateHighUsage: rate,
  RateLowUsage: rate,
  RateMediumUsage: rate,
});
export type GroupsLoad = z.infer<typeof GroupsLoadSchema>;

export const TextMessageSchema = z.object({ MsgType: z.literal('text'), Text: z.string() });

/** recalc: the limit-in this node offers each peer, per function: FuncLimits[peerId][function]. */
export const NodeInfoRecalcSchema = z.object({
  MsgType: z.literal('nodeinfoRecalc'),
  HAProxyHost: z.string().min(1),
  HAProxyPort: port,
  FuncLimits: z.record(z.string(), z.record(z.string(), rate)),
});

/** node-margin: who this node is, its thresholds (MaxValues by metric) and its functions. */
export const NodeInfoNmsSchema = z.object({
  MsgType: z.literal('nodeinfoNMS'),
  HAProxyHost: z.string().min(1),
  HAProxyPort: port,
  NodeType: z.number().int().min(0),
  MaxValues: z.record(z.string(), z.number().finite()),
  Functions: z.array(z.string()).nullable(),
});

/** node-margin: the share of its capacity this node offers each common neighbour, and its load. */
export const NodeMarginInfoNmsSchema = z.object({
  MsgType: z.literal('nodemargininfoNMS'),
  Margin: z.number().finite(),
  Load: GroupsLoadSchema,
});

/** static: where this node's proxy is and which functions it deploys. */
export const NodeInfoStaticSchema = z.object({
  MsgType: z.literal('nodeinfoStatic'),
  HAProxyHost: z.string().min(1),
  HAProxyPort: port,
  Functions: z.array(z.string()).nullable(),
});

export const PeerMessageSchema = z.discriminatedUnion('MsgType', [
  TextMessageSchema,
  NodeInfoRecalcSchema,
  NodeInfoNmsSchema,
  NodeMarginInfoNmsSchema,
  NodeInfoStaticSchema,
]);
export type PeerMessage = z.infer<typeof PeerMessageSchema>;
export type TextMessage = z.infer<typeof TextMessageSchema>;
export type NodeInfoRecalc = z.infer<typeof NodeInfoRecalcSchema>;
export type NodeInfoNms = z.infer<typeof NodeInfoNmsSchema>;
export type NodeMarginInfoNms = z.infer<typeof NodeMarginInfoNmsSchema>;
export type NodeInfoStatic = z.infer<typeof NodeInfoStaticSchema>;

export const DROP_REASONS = ['oversized', 'not_json', 'unknown_type', 'bad_fields'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export type Decoded = { ok: true; message: PeerMessage } | { ok: false; reason: DropReason; detail: string };

const KNOWN_TYPES: ReadonlySet<string> = new Set(PeerMessageSchema.options.map((o) => o.shape.MsgType.value));

/** Decodes one message's bytes; never throws (a bad message is dropped and counted, not fatal). */
export function decodeMessage(data: Uint8Array): Decoded {
  if (data.byteLength > MAX_MESSAGE_BYTES) {
    return { ok: false, reason: 'oversized', detail: `${data.byteLength} bytes > ${MAX_MESSAGE_BYTES}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (err) {
    return { ok: false, reason: 'not_json', detail: (err as Error).message };
  }
  const type = (json as { MsgType?: unknown } | null)?.MsgType;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    // Never stringify what a peer sent: a deeply nested value overflows the stack.
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : typeof type;
    return { ok: false, reason: 'unknown_type', detail: `MsgType ${shown}` };
  }
  const parsed = PeerMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: 'bad_fields', detail: `${type}.${issue?.path.join('.')}: ${issue?.message}` };
  }
  return { ok: true, message: parsed.data };
}

export function encodeMessage(message: PeerMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(message));
}
