/**
 * The names of the keys beside a queue that reliable consumption uses, as Redis stores them; the
 * memory queues use the same names, so both clear and inspect them alike.
 */

/** The list of the messages `consumer` took from `key` and has not completed. */
export function processingKey(key: string, consumer: string): string {
  return `${key}:processing:${consumer}`;
}

/** The key whose existence is `consumer`'s lease on what it took from `key` (it expires). */
export function leaseKey(key: string, consumer: string): string {
  return `${key}:lease:${consumer}`;
}

/** The set of the consumers that took from `key`, so reclaim can find their processing lists. */
export function consumersKey(key: string): string {
  return `${key}:consumers`;
}

/** Whether `name` is a key of `key`'s reliable consumption (a processing list, a lease, the consumers). */
export function belongsTo(name: string, key: string): boolean {
  return (
    name === consumersKey(key) || name.startsWith(`${key}:processing:`) || name.startsWith(`${key}:lease:`)
  );
}
