import { NonRetryableError } from '../errors.js';
import { type ClassifiedAddress, classifyAddress, describeAddress, PRIVATE_CLASSES } from './address-class.js';

export interface UrlPolicyOptions {
  /**
   * VERDICT_ALLOW_PRIVATE_URLS=1, a local stack only: loopback, private, unique-local and carrier-grade NAT
   * addresses may be called (a team's agent on the laptop). Metadata, link-local and unspecified never.
   */
  allowPrivate?: boolean;
  /**
   * The stack's own ports (its emulators, its API): refused on loopback and private addresses even when those
   * are allowed, so a tenant's system cannot talk to the stack's storage behind its back.
   */
  deniedPorts?: Iterable<number>;
}

const PREFIX = 'refused by the outbound URL policy';
const NEVER = 'link-local, cloud metadata, unspecified, multicast and reserved addresses are never called';

/** A URL or address the policy refused: trying again cannot help, so the record is errored at once. */
export class OutboundRefusedError extends NonRetryableError {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

const defaultPort = (url: URL) => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

/**
 * Where the server may send a request on a tenant's behalf (an `http` system's url, an `openai_chat` system's
 * own baseURL). By default only public (ipaddr.js `unicast`) addresses over http or https; IPv6 forms that
 * embed an IPv4 address are judged by that address. Pure: resolving names and connecting is the adapter's job
 * (lambdas/adapters/net/guarded-fetch.ts), which applies `checkAddress` to every address a name resolves to.
 */
export class UrlPolicy {
  readonly allowPrivate: boolean;
  readonly deniedPorts: ReadonlySet<number>;

  constructor(options: UrlPolicyOptions = {}) {
    this.allowPrivate = options.allowPrivate ?? false;
    this.deniedPorts = new Set(options.deniedPorts ?? []);
  }

  /**
   * Why the URL is refused by what it says alone (its scheme, its host when that is an IP address), or
   * undefined. A host name passes here; its addresses are checked when it is resolved.
   */
  checkUrl(input: string | URL): string | undefined {
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : input;
    } catch {
      return `${PREFIX}: not a valid URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return `${PREFIX}: scheme "${url.protocol}" is not allowed (use http or https)`;
    }
    // The WHATWG parser has already turned 127.1, 2130706433, 0x7f000001 and [0:0::1] into standard spellings.
    const classified = classifyAddress(url.hostname);
    if (!classified) return undefined;
    return this.refusal(classified, defaultPort(url), `the address ${describeAddress(classified)}`);
  }

  /** Why connecting to `address` (which `host` resolved to) on `port` is refused, or undefined. */
  checkAddress(address: string, port: number, host: string): string | undefined {
    const classified = classifyAddress(address);
    if (!classified) return `${PREFIX}: ${host} resolved to "${address}", which is not an IP address`;
    return this.refusal(classified, port, `${host} resolves to ${describeAddress(classified)}`);
  }

  /** Throws OutboundRefusedError when `checkUrl` refuses the URL. */
  assertUrl(url: string | URL): void {
    const reason = this.checkUrl(url);
    if (reason) throw new OutboundRefusedError(reason);
  }

  private refusal(classified: ClassifiedAddress, port: number, what: string): string | undefined {
    if (classified.class === 'public') return undefined;
    if (!PRIVATE_CLASSES.has(classified.class)) return `${PREFIX}: ${what}; ${NEVER}`;
    if (!this.allowPrivate) {
      return `${PREFIX}: ${what}; private addresses are not called unless the operator of a local stack sets VERDICT_ALLOW_PRIVATE_URLS=1`;
    }
    if (this.deniedPorts.has(port)) {
      return `${PREFIX}: ${what}, and port ${port} belongs to the stack itself (its storage emulators or its API), which is never called for a tenant`;
    }
    return undefined;
  }
}
