/**
 * Which request and response headers a hop (gateway, proxy) passes on. Hop-by-hop headers
 * (RFC 9110 §7.6.1) and the ones a Connection header names belong to one connection and are
 * never forwarded; neither are Host (the client library sends the next hop's) and Expect (each
 * hop answers 100-continue itself; undici refuses the header). Multi-valued headers stay
 * arrays: folding Set-Cookie into one comma-joined line breaks cookies whose dates have commas.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'expect',
]);

export type HeaderMap = Record<string, string | string[]>;

/**
 * The end-to-end headers of `headers`, names in lower case (in-process callers may write them in
 * any case; node:http and undici give them so already), without those in `alsoDrop` (lower
 * case, e.g. content-length when the body is sent anew).
 */
export function endToEndHeaders(
  headers: Record<string, string | string[] | undefined>,
  alsoDrop: ReadonlySet<string> = NONE,
): HeaderMap {
  const named = headers.connection ?? headers.Connection;
  const listed = named === undefined ? NONE : connectionTokens(named);
  const out: HeaderMap = {};
  for (const [raw, value] of Object.entries(headers)) {
    const name = raw.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(name) || listed.has(name) || alsoDrop.has(name)) continue;
    out[name] = value;
  }
  return out;
}

const NONE: ReadonlySet<string> = new Set();

function connectionTokens(value: string | string[]): Set<string> {
  const joined = Array.isArray(value) ? value.join(',') : value;
  return new Set(joined.split(',').map((token) => token.trim().toLowerCase()));
}
