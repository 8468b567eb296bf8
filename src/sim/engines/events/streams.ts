import { seededRandom } from '../../../core/random.js';

/**
 * Independent random streams, one per named part of a run (a node's users calling one function, a
 * station's service times, a node's agent phase), each seeded from the run's seed and its name: so
 * adding a node or a function changes no other stream's draws.
 */
export function streamOf(seed: number, ...name: string[]): () => number {
  return seededRandom(hash(`${seed}/${name.join('/')}`));
}

/** An exponential draw of mean 1 (1 − u is in (0, 1], so the logarithm is finite). */
export function exponential(random: () => number): number {
  return -Math.log(1 - random());
}

/** FNV-1a over the UTF-16 code units, then murmur3's finaliser, so that close names get far seeds. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
