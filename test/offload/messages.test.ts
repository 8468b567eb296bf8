import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  MAX_MESSAGE_BYTES,
  type PeerMessage,
} from '../../src/offload/messages.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('peer messages', () => {
  it('round-trips every message type with the reference field names', () => {
    const messages: PeerMessage[] = [
      { MsgType: 'text', Text: 'hi' },
      {
        MsgType: 'nodeinfoRecalc',
        HAProxyHost: '10.0.0.1',
        HAProxyPort: 80,
        FuncLimits: { P1: { figlet: 2.5 } },
      },
      {
        MsgType: 'nodeinfoNMS',
        HAProxyHost: 'h',
        HAProxyPort: 80,
        NodeType: 2,
        MaxValues: { cpu_usage_node: 80 },
        Functions: ['figlet'],
      },
      {
        MsgType: 'nodemargininfoNMS',
        Margin: 12.5,
        Load: { RateHighUsage: 1, RateLowUsage: 2, RateMediumUsage: 3 },
      },
      { MsgType: 'nodeinfoStatic', HAProxyHost: 'h', HAProxyPort: 80, Functions: null },
    ];
    for (const m of messages) expect(decodeMessage(encodeMessage(m))).toEqual({ ok: true, message: m });
  });

  it('reads a message exactly as the Go agent marshals it', () => {
    const go =
      '{"MsgType":"nodemargininfoNMS","Margin":33.3,"Load":{"RateHighUsage":0,"RateLowUsage":7.5,"RateMediumUsage":1}}';
    const decoded = decodeMessage(bytes(go));
    expect(decoded.ok && decoded.message).toMatchObject({ Load: { RateLowUsage: 7.5, RateMediumUsage: 1 } });
  });

  it('drops bad input with its reason, never throwing', () => {
    expect(decodeMessage(bytes('{"MsgType":'))).toMatchObject({ ok: false, reason: 'not_json' });
    expect(decodeMessage(new Uint8Array([0xff, 0xfe]))).toMatchObject({ ok: false, reason: 'not_json' });
    expect(decodeMessage(bytes('null'))).toMatchObject({ ok: false, reason: 'unknown_type' });
    expect(decodeMessage(bytes('{"MsgType":"gossip"}'))).toMatchObject({ ok: false, reason: 'unknown_type' });
    expect(
      decodeMessage(bytes('{"MsgType":"nodeinfoStatic","HAProxyHost":"h","HAProxyPort":"80"}')),
    ).toMatchObject({
      ok: false,
      reason: 'bad_fields',
      detail: expect.stringContaining('HAProxyPort'),
    });
    expect(decodeMessage(new Uint8Array(MAX_MESSAGE_BYTES + 1))).toMatchObject({
      ok: false,
      reason: 'oversized',
    });
  });

  it('drops a deeply nested MsgType without overflowing the stack (it ended the node before)', () => {
    const deep = `{"MsgType":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(decodeMessage(bytes(deep))).toEqual({
      ok: false,
      reason: 'unknown_type',
      detail: 'MsgType object',
    });
  });
});
