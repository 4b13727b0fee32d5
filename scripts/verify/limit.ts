/** A counting semaphore: at most `n` tasks run at once, the rest wait in order. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active -= 1;
    queue.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** Memoise async work by key: the first call runs, every later call gets the same promise. */
export function memo<T>(): (key: string, run: () => Promise<T>) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key, run) => {
    let p = cache.get(key);
    if (!p) {
      p = run();
      cache.set(key, p);
    }
    return p;
  };
}
