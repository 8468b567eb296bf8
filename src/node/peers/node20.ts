/**
 * libp2p 2's lock library (mortice → it-queue) calls Promise.withResolvers, which Node.js has only
 * from 22. dfaas runs on Node 20 too, so the peer layer installs the standard's own definition
 * when it is missing (imported first by network.ts). Nothing is changed on Node 22+.
 */
type Resolvers<T> = {
  promise: Promise<T>;
  resolve: (v: T | PromiseLike<T>) => void;
  reject: (e?: unknown) => void;
};

const P = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
