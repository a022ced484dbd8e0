// Minimal typings for the local-only emulators, covering just what local/ uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}

declare module 's3rver' {
  import type { RequestListener } from 'node:http';

  interface S3rverOptions {
    directory?: string;
    silent?: boolean;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's request handler (S3rver is a Koa app), to mount on a server of one's own. */
    callback(): RequestListener;
  }
}
