import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { NonRetryableError } from '../../core/errors.js';
import { OutboundRefusedError, type UrlPolicy } from '../../core/net/url-policy.js';
import { createNodeHttpFetch } from '../llm/node-http-fetch.js';

type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: Error | null, addresses: LookupAddress[]) => void,
) => void;

const portOf = (url: URL) => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

/**
 * Node's `lookup` for one connection: resolves every address of the name and refuses the connection if the
 * policy refuses any of them (a name with one public and one private address is a rebinding setup). Node then
 * connects to exactly the addresses checked here, so a second DNS answer cannot swap them.
 */
export function guardedLookup(
  policy: UrlPolicy,
  host: string,
  port: number,
  resolve: Resolve = dnsLookup as Resolve,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { family: options.family, hints: options.hints, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      if (addresses.length === 0) {
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      }
      for (const { address } of addresses) {
        const reason = policy.checkAddress(address, port, host);
        if (reason) return callback(new OutboundRefusedError(reason), '', 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

/** Names a redirect's target without its query string, which may carry a token. */
function target(location: string, base: URL): string {
  try {
    const url = new URL(location, base);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * The fetch for every request the server makes on a tenant's behalf: `http` systems and `openai_chat` systems
 * with their own baseURL. The URL policy is applied to the URL, then to every address its host resolves to,
 * once per new connection (a kept-alive socket is reused without another lookup); redirects are refused, never
 * followed, since the next hop could be anywhere. Built on the keep-alive fetch of the LLM client.
 */
export function createGuardedFetch(policy: UrlPolicy): typeof fetch {
  return createNodeHttpFetch({
    guard: {
      check: (url) => policy.assertUrl(url),
      lookup: (url) => guardedLookup(policy, url.hostname, portOf(url)),
      redirect: (url, status, location) =>
        new NonRetryableError(
          `${url.origin}${url.pathname} answered HTTP ${status}, a redirect to ${target(location, url)}: redirects are not followed, so point the system at the final URL`,
          status,
        ),
    },
  });
}
