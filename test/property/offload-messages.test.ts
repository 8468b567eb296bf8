import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DROP_REASONS,
  decodeMessage,
  encodeMessage,
  MAX_MESSAGE_BYTES,
  type PeerMessage,
  PeerMessageSchema,
} from '../../src/offload/messages.js';
import { functionName, runs } from '../helpers/property.js';

/**
 * Peer messages (src/offload/messages.ts) are read from any peer of the gossipsub topic: decoding
 * must never throw (a bad message is dropped with its reason), and what a node encodes must
 * decode to the same message.
 */

const MSG_TYPES = PeerMessageSchema.options.map((o) => o.shape.MsgType.value);

// JSON has no negative zero (-0 is written 0): `+ 0` turns a generated -0 into 0.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => v + 0);
const rate = fc.oneof(fc.nat(), fc.double({ min: 0, max: 1e9, noNaN: true })).map((v) => v + 0);
const port = fc.integer({ min: 1, max: 65_535 });
const host = fc.oneof(fc.ipV4(), fc.domain(), fc.string({ minLength: 1 }));
const peerId = fc.stringMatching(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/);
// Record keys: what nodes send (peer ids, function names, metric names) and any other text but
// "__proto__", which zod's record drops on purpose (no prototype can be set through a message).
const key = fc.oneof(
  peerId,
  functionName(),
  fc.string().filter((k) => k !== '__proto__'),
);
const dict = <T>(value: fc.Arbitrary<T>) => fc.dictionary(key, value, { noNullPrototype: true, maxKeys: 8 });
const functions = fc.option(fc.array(fc.oneof(functionName(), fc.string()), { maxLength: 8 }), { nil: null });

/** Every message type, with any values its schema allows. */
const peerMessage: fc.Arbitrary<PeerMessage> = fc.oneof(
  fc.record({ MsgType: fc.constant('text' as const), Text: fc.string({ unit: 'binary' }) }),
  fc.record({
    MsgType: fc.constant('nodeinfoRecalc' as const),
    HAProxyHost: host,
    HAProxyPort: port,
    FuncLimits: dict(dict(rate)),
  }),
  fc.record({
    MsgType: fc.constant('nodeinfoNMS' as const),
    HAProxyHost: host,
    HAProxyPort: port,
    NodeType: fc.nat(),
    MaxValues: dict(finite),
    Functions: functions,
  }),
  fc.record({
    MsgType: fc.constant('nodemargininfoNMS' as const),
    Margin: finite,
    Load: fc.record({ RateHighUsage: rate, RateLowUsage: rate, RateMediumUsage: rate }),
  }),
  fc.record({
    MsgType: fc.constant('nodeinfoStatic' as const),
    HAProxyHost: host,
    HAProxyPort: port,
    Functions: functions,
  }),
);

const bytes = (text: string) => new TextEncoder().encode(text);

/** The decoder's contract for any input: a result, never an exception; a dropped message says why. */
function expectCleanDecode(data: Uint8Array): ReturnType<typeof decodeMessage> {
  const decoded = decodeMessage(data);
  if (decoded.ok) {
    // What is accepted is a valid message, and reads the same once encoded again.
    expect(PeerMessageSchema.safeParse(decoded.message).success).toBe(true);
    expect(decodeMessage(encodeMessage(decoded.message))).toEqual(decoded);
  } else {
    expect(DROP_REASONS).toContain(decoded.reason);
    expect(typeof decoded.detail).toBe('string');
  }
  return decoded;
}

describe('peer messages, property-based', () => {
  it('decode(encode(message)) is the message, for every message type', () => {
    fc.assert(
      fc.property(peerMessage, (message) => {
        expect(decodeMessage(encodeMessage(message))).toEqual({ ok: true, message });
      }),
      runs(300),
    );
  });

  it('arbitrary bytes are decoded or dropped with a reason, never thrown', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (data) => {
        expectCleanDecode(data);
      }),
      runs(300),
    );
  });

  it('arbitrary JSON, with or without a known MsgType, is decoded or dropped as unknown_type or bad_fields', () => {
    const json = fc.oneof(
      fc.jsonValue(),
      // Objects with a real MsgType and arbitrary fields reach the schema's checks.
      fc
        .tuple(fc.constantFrom(...MSG_TYPES), fc.dictionary(fc.string(), fc.jsonValue()))
        .map(([MsgType, fields]) => ({ ...fields, MsgType })),
    );
    fc.assert(
      fc.property(json, (value) => {
        const decoded = expectCleanDecode(bytes(JSON.stringify(value)));
        if (!decoded.ok) expect(['unknown_type', 'bad_fields']).toContain(decoded.reason);
      }),
      runs(300),
    );
  });

  it('a valid message with one field replaced by any JSON value is decoded or dropped as bad_fields', () => {
    const mutated = fc.tuple(peerMessage, fc.nat(), fc.jsonValue()).map(([message, which, value]) => {
      const fields = Object.keys(message).filter((k) => k !== 'MsgType');
      const field = fields[which % fields.length] as string;
      return { ...message, [field]: value };
    });
    fc.assert(
      fc.property(mutated, (value) => {
        const decoded = expectCleanDecode(bytes(JSON.stringify(value)));
        if (!decoded.ok) expect(decoded.reason).toBe('bad_fields');
      }),
      runs(300),
    );
  });

  it('text that is not JSON, or bytes that are not UTF-8, are dropped as not_json', () => {
    const notJson = fc.string({ unit: 'binary' }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    });
    // A lone byte 0x80-0xFF is never valid UTF-8 (a continuation byte, or a lead byte without its continuation).
    const notUtf8 = fc
      .tuple(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0x80, max: 0xff }))
      .map(([prefix, bad]) => Uint8Array.from([...prefix.filter((b) => b < 0x80), bad]));
    fc.assert(
      fc.property(fc.oneof(notJson.map(bytes), notUtf8), (data) => {
        expect(expectCleanDecode(data)).toMatchObject({ ok: false, reason: 'not_json' });
      }),
      runs(200),
    );
  });

  it('a message over MAX_MESSAGE_BYTES is dropped as oversized, whatever it holds', () => {
    fc.assert(
      fc.property(peerMessage, fc.nat({ max: 1024 }), (message, extra) => {
        const encoded = encodeMessage(message);
        const data = new Uint8Array(MAX_MESSAGE_BYTES + 1 + extra);
        data.set(encoded.subarray(0, data.length));
        expect(decodeMessage(data)).toMatchObject({ ok: false, reason: 'oversized' });
      }),
      runs(20),
    );
  });
});
