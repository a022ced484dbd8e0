type Message =
  | { type: 'call'; id: number; method: string; args: unknown[] }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: { name: string; message: string } };

export type Handlers = Record<string, (...args: never[]) => unknown>;

/**
 * Request/response over a worker thread's message port, in both directions: each side answers the other's
 * calls with its handlers. Errors cross as {name, message} so the caller can rebuild the class it expects.
 */
/** The part of a MessagePort or Worker this needs. */
export interface Channel {
  postMessage(message: unknown): void;
  on(event: string, listener: (message: Message) => void): unknown;
}

export function connect(port: Channel, handlers: Handlers) {
  let nextId = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  port.on('message', async (message: Message) => {
    if (message.type === 'result') {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (!waiter) return;
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(Object.assign(new Error(message.error.message), { name: message.error.name }));
      return;
    }
    try {
      const handler = handlers[message.method] as ((...args: unknown[]) => unknown) | undefined;
      if (!handler) throw new Error(`no handler for ${message.method}`);
      port.postMessage({ type: 'result', id: message.id, ok: true, value: await handler(...message.args) });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      port.postMessage({ type: 'result', id: message.id, ok: false, error: { name: e.name, message: e.message } });
    }
  });
  return {
    call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        port.postMessage({ type: 'call', id, method, args });
      });
    },
  };
}
