import { describe, expect, it } from 'vitest';
import { endToEndHeaders } from '../../src/core/http-headers.js';

describe('endToEndHeaders', () => {
  it('drops hop-by-hop headers and those Connection names, in any case, and keeps repeated ones as arrays', () => {
    const out = endToEndHeaders(
      {
        Connection: 'keep-alive, X-Hop',
        'X-Hop': 'secret',
        'Keep-Alive': 'timeout=5',
        Expect: '100-continue',
        Host: 'example',
        TE: 'trailers',
        'Content-Length': '3',
        'X-End': 'kept',
        'set-cookie': ['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2'],
        absent: undefined,
      },
      new Set(['content-length']),
    );
    expect(out).toEqual({
      'x-end': 'kept',
      'set-cookie': ['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT', 'b=2'],
    });
  });
});
