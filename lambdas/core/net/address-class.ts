import ipaddr from 'ipaddr.js';

/**
 * What an IP address is, as far as the outbound URL policy cares. `public` is ipaddr.js's `unicast` (nothing
 * special); the classes a local operator may open with VERDICT_ALLOW_PRIVATE_URLS are `loopback`, `private`,
 * `uniqueLocal` and `carrierGradeNat`; every other class is refused always.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'uniqueLocal'
  | 'carrierGradeNat'
  | 'metadata'
  | 'linkLocal'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'teredo';

export interface ClassifiedAddress {
  /** The address in its standard spelling (IPv4 dotted, IPv6 compressed lowercase). */
  address: string;
  class: AddressClass;
  /** The IPv4 address an IPv6 form embeds (mapped, compatible, NAT64, 6to4), when that decided the class. */
  embeds?: string;
}

/**
 * Cloud metadata endpoints: AWS/GCP/Azure IMDS, ECS task metadata, EKS pod identity, Alibaba. Most sit in
 * link-local or unique-local space anyway; naming them keeps them refused even where private addresses are not.
 */
const METADATA = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '169.254.170.23',
  '100.100.100.200',
  'fd00:ec2::254',
  'fd00:ec2::23',
]);

const IPV4_CLASSES: Record<string, AddressClass> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  carrierGradeNat: 'carrierGradeNat',
  linkLocal: 'linkLocal',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

const IPV6_CLASSES: Record<string, AddressClass> = {
  unicast: 'public',
  loopback: 'loopback',
  uniqueLocal: 'uniqueLocal',
  linkLocal: 'linkLocal',
  unspecified: 'unspecified',
  multicast: 'multicast',
  teredo: 'teredo',
};

function classifyV4(ip: ipaddr.IPv4): ClassifiedAddress {
  const address = ip.toString();
  if (METADATA.has(address)) return { address, class: 'metadata' };
  // as112, amt, the documentation and benchmarking ranges, 240/4: nothing a tenant's agent lives on.
  return { address, class: IPV4_CLASSES[ip.range()] ?? 'reserved' };
}

const v4From = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);

/**
 * The IPv4 address an IPv6 address stands for, where some translation or tunnel could deliver it there:
 * IPv4-mapped ::ffff:a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, the deprecated IPv4-compatible ::a.b.c.d,
 * NAT64 64:ff9b::a.b.c.d and 6to4 2002:aabb:ccdd::/48.
 */
function embeddedV4(ip: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = ip.parts;
  const zeros = (from: number, to: number) => p.slice(from, to).every((part) => part === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return v4From(p[6]!, p[7]!);
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return v4From(p[6]!, p[7]!);
  // ::/96 minus :: and ::1, which are IPv6's own unspecified and loopback addresses.
  if (zeros(0, 6) && (p[6] !== 0 || p[7]! > 1)) return v4From(p[6]!, p[7]!);
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) return v4From(p[6]!, p[7]!);
  if (p[0] === 0x2002) return v4From(p[1]!, p[2]!);
  return undefined;
}

function classifyV6(ip: ipaddr.IPv6): ClassifiedAddress {
  // Zone ids (fe80::1%eth0) say which interface, not which address: classify the address.
  const bare = ip.toString().replace(/%.*$/, '');
  if (METADATA.has(bare)) return { address: bare, class: 'metadata' };
  const v4 = embeddedV4(ip);
  if (v4) {
    const inner = classifyV4(v4);
    return { address: bare, class: inner.class, embeds: inner.address };
  }
  // 64:ff9b:1::/48 (local-use NAT64), site-local, discard, ORCHID, documentation, ...: refused.
  return { address: bare, class: IPV6_CLASSES[ip.range()] ?? 'reserved' };
}

/** Classifies an IP address in any spelling ipaddr.js parses; undefined when `text` is not an IP address. */
export function classifyAddress(text: string): ClassifiedAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return undefined;
  const ip = ipaddr.parse(bare);
  return ip.kind() === 'ipv4' ? classifyV4(ip as ipaddr.IPv4) : classifyV6(ip as ipaddr.IPv6);
}

/** The classes VERDICT_ALLOW_PRIVATE_URLS=1 opens (an agent on the operator's laptop or network). */
export const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set([
  'loopback',
  'private',
  'uniqueLocal',
  'carrierGradeNat',
]);

const LABELS: Record<AddressClass, string> = {
  public: 'public',
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'unique-local',
  carrierGradeNat: 'carrier-grade NAT',
  metadata: 'cloud metadata',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
  teredo: 'Teredo tunnel',
};

/** "127.0.0.1 (loopback)", "::ffff:a9fe:a9fe (cloud metadata, embeds 169.254.169.254)". */
export function describeAddress(classified: ClassifiedAddress): string {
  const embeds = classified.embeds ? `, embeds ${classified.embeds}` : '';
  return `${classified.address} (${LABELS[classified.class]}${embeds})`;
}
