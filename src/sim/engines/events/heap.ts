/**
 * The events engine's queue: a binary min-heap of event slots ordered by (time, order of push), so
 * that events at the same time run first in, first out whatever the heap's layout and a run does
 * not depend on it. An event is a kind and four payload fields (three integers and a number) held
 * in typed arrays, slot by slot: millions of events cost no object, closure or promise each. The
 * engine gives the fields their meaning.
 */
export class EventHeap {
  /** The payload, by slot: read it after `pop`. Arrays are replaced when the pool grows. */
  kind: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
  x: Float64Array;
  time: Float64Array;
  /** Push order of each slot: the tie-break between equal times. */
  private order: Float64Array;
  /** Slots in heap order; the first `length` are in use. */
  private heap: Int32Array;
  private length = 0;
  /** Slots not in use, a stack. */
  private free: Int32Array;
  private freeCount: number;
  private pushed = 0;
  /** The slot `pop` returned last: freed at the next pop, so its payload stays readable until then. */
  private held = -1;

  constructor(capacity = 1024) {
    this.kind = new Uint8Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.c = new Int32Array(capacity);
    this.x = new Float64Array(capacity);
    this.time = new Float64Array(capacity);
    this.order = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.freeCount = capacity;
  }

  /** Events waiting. */
  get size(): number {
    return this.length;
  }

  push(time: number, kind: number, a: number, b: number, c: number, x: number): void {
    if (this.freeCount === 0) this.grow();
    const slot = this.free[--this.freeCount] as number;
    this.kind[slot] = kind;
    this.a[slot] = a;
    this.b[slot] = b;
    this.c[slot] = c;
    this.x[slot] = x;
    this.time[slot] = time;
    this.order[slot] = this.pushed++;
    this.siftUp(this.length++, slot);
  }

  /**
   * Removes the earliest event and returns its slot (-1 when the queue is empty). Its payload stays
   * readable until the next `pop`, pushes in between included.
   */
  pop(): number {
    if (this.held >= 0) this.free[this.freeCount++] = this.held;
    if (this.length === 0) {
      this.held = -1;
      return -1;
    }
    const top = this.heap[0] as number;
    const last = this.heap[--this.length] as number;
    if (this.length > 0) this.siftDown(0, last);
    this.held = top;
    return top;
  }

  private before(p: number, q: number): boolean {
    const tp = this.time[p] as number;
    const tq = this.time[q] as number;
    return tp < tq || (tp === tq && (this.order[p] as number) < (this.order[q] as number));
  }

  private siftUp(index: number, slot: number): void {
    const heap = this.heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent] as number;
      if (!this.before(slot, above)) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = slot;
  }

  private siftDown(index: number, slot: number): void {
    const heap = this.heap;
    const n = this.length;
    let i = index;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.before(heap[right] as number, heap[child] as number)) child = right;
      const below = heap[child] as number;
      if (!this.before(below, slot)) break;
      heap[i] = below;
      i = child;
    }
    heap[i] = slot;
  }

  /** Doubles the pool; the new slots go on the free stack. */
  private grow(): void {
    const old = this.time.length;
    const size = old * 2;
    const widen = <T extends Uint8Array | Int32Array | Float64Array>(array: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(array);
      return next;
    };
    this.kind = widen(this.kind, (n) => new Uint8Array(n));
    this.a = widen(this.a, (n) => new Int32Array(n));
    this.b = widen(this.b, (n) => new Int32Array(n));
    this.c = widen(this.c, (n) => new Int32Array(n));
    this.x = widen(this.x, (n) => new Float64Array(n));
    this.time = widen(this.time, (n) => new Float64Array(n));
    this.order = widen(this.order, (n) => new Float64Array(n));
    this.heap = widen(this.heap, (n) => new Int32Array(n));
    this.free = new Int32Array(size);
    for (let i = 0; i < old; i++) this.free[i] = size - 1 - i;
    this.freeCount = old;
  }
}
