import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { UrlPolicy } from '../../lambdas/core/net/url-policy.js';

/**
 * The outbound URL policy against literal spellings of the ranges it refuses, as a tenant would write them in
 * an http system's url or an openai_chat baseURL. Literals only: nothing here connects anywhere.
 */

const STRICT = new UrlPolicy();
const PRIVATE_ALLOWED = new UrlPolicy({ allowPrivate: true, deniedPorts: [4566, 8787] });

type Range = [string, number];
// IPv4 ranges a tenant must never reach by default, as [base, prefix length].
const PRIVATE_V4: Range[] = [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
];
const NEVER_V4: Range[] = [
  ['169.254.0.0', 16],
  ['0.0.0.0', 8],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
  ['255.255.255.255', 32],
  ['192.0.2.0', 24],
  ['198.18.0.0', 15],
];

const toInt = (dotted: string) => dotted.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const octetsOf = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** A uniformly drawn address of the range, as a 32-bit integer. */
const inRange = ([base, bits]: Range) =>
  fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((offset) => toInt(base) + offset);

const hexCase = (text: string, upper: boolean) => (upper ? text.toUpperCase() : text.toLowerCase());

/** An octet as the WHATWG parser reads it: decimal, octal with leading zeros, or hex in either case. */
const octetSpelling = (octet: number) =>
  fc.oneof(
    fc.constant(String(octet)),
    fc.integer({ min: 1, max: 3 }).map((zeros) => `${'0'.repeat(zeros)}${octet.toString(8)}`),
    fc
      .tuple(fc.boolean(), fc.boolean())
      .map(([upperX, upper]) => `0${upperX ? 'X' : 'x'}${hexCase(octet.toString(16), upper)}`),
  );

/** Every spelling of an IPv4 address the URL parser turns back into it: 127.1, 2130706433, 0x7f000001, 0177.0.0.1, ... */
const ipv4Spelling = (n: number): fc.Arbitrary<string> => {
  const [a, b, c, d] = octetsOf(n) as [number, number, number, number];
  return fc.oneof(
    fc.tuple(...[a, b, c, d].map(octetSpelling)).map((parts) => parts.join('.')),
    fc.constant(String(n)),
    fc.boolean().map((upper) => `0x${hexCase(n.toString(16), upper)}`),
    fc.constant(`0${n.toString(8)}`),
    fc.tuple(octetSpelling(a), octetSpelling(b)).map(([x, y]) => `${x}.${y}.${(c << 8) | d}`),
    octetSpelling(a).map((x) => `${x}.${n & 0xffffff}`),
    fc.constant(`${a}.${b}.${c}.${d}.`),
  );
};

const hex16 = (n: number) => n.toString(16);
const pad = (group: string, width: number) => group.padStart(width, '0');

/** One IPv6 address (eight 16-bit groups) in full, zero-padded, compressed, and mixed case. */
const ipv6Spelling = (groups: number[]): fc.Arbitrary<string> =>
  fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 4 }), fc.boolean()).map(([upper, width, compress]) => {
    const text = compress
      ? ipaddr.fromByteArray(groups.flatMap((g) => [g >> 8, g & 0xff])).toString()
      : groups.map((g) => pad(hex16(g), width)).join(':');
    return hexCase(text, upper);
  });

/** IPv6 forms that carry an IPv4 address: mapped (dotted and hex), compatible, translated, NAT64, 6to4. */
const embeddingV6 = (v4: number): fc.Arbitrary<string> => {
  const [a, b, c, d] = octetsOf(v4) as [number, number, number, number];
  const dotted = `${a}.${b}.${c}.${d}`;
  const high = v4 >>> 16;
  const low = v4 & 0xffff;
  return fc.oneof(
    fc.boolean().map((upper) => `${hexCase('::ffff:', upper)}${dotted}`),
    ipv6Spelling([0, 0, 0, 0, 0, 0xffff, high, low]),
    fc.constant(`0:0:0:0:0:ffff:${dotted}`),
    // IPv4-compatible (deprecated) and IPv4-translated.
    fc.constant(`::${dotted}`),
    ipv6Spelling([0, 0, 0, 0, 0, 0, high, low]).filter(() => v4 > 1),
    ipv6Spelling([0, 0, 0, 0, 0xffff, 0, high, low]),
    // NAT64 well-known prefix and 6to4 (any subnet and interface id behind the embedded address).
    fc.constant(`64:ff9b::${dotted}`),
    ipv6Spelling([0x64, 0xff9b, 0, 0, 0, 0, high, low]),
    fc
      .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }))
      .chain(([subnet, iid]) => ipv6Spelling([0x2002, high, low, subnet, 0, 0, 0, iid])),
  );
};

const groupsIn = (base: number[], fixedBits: number) =>
  fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((random) =>
    base.map((group, i) => {
      const fixed = Math.max(0, Math.min(16, fixedBits - i * 16));
      const mask = fixed === 0 ? 0 : (0xffff << (16 - fixed)) & 0xffff;
      return (group & mask) | (random[i]! & ~mask & 0xffff);
    }),
  );

/** Native IPv6 ranges: loopback, unspecified, link-local, unique-local, multicast, Teredo, site-local. */
const PRIVATE_V6 = fc.oneof(
  ipv6Spelling([0, 0, 0, 0, 0, 0, 0, 1]),
  groupsIn([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7).chain(ipv6Spelling),
);
const NEVER_V6 = fc.oneof(
  ipv6Spelling([0, 0, 0, 0, 0, 0, 0, 0]),
  groupsIn([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10).chain(ipv6Spelling),
  groupsIn([0xff00, 0, 0, 0, 0, 0, 0, 0], 8).chain(ipv6Spelling),
  groupsIn([0x2001, 0, 0, 0, 0, 0, 0, 0], 32).chain(ipv6Spelling),
  groupsIn([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10).chain(ipv6Spelling),
  fc.constantFrom('fd00:ec2::254', 'FD00:EC2:0:0:0:0:0:254', 'fd00:0ec2::0254'),
);

const v4From = (ranges: Range[]) => fc.oneof(...ranges.map(inRange));

const port = fc.option(fc.constantFrom(80, 443, 4566, 8787, 8080, 1), { nil: undefined });
const scheme = fc.constantFrom('http', 'https', 'HTTP', 'Https');
const path = fc.constantFrom('', '/', '/v1/chat', '/agent?sig=x#frag');

const url = (host: fc.Arbitrary<string>) =>
  fc.tuple(scheme, host, port, path).map(([s, h, p, rest]) => `${s}://${h}${p === undefined ? '' : `:${p}`}${rest}`);
const bracketed = (v6: fc.Arbitrary<string>) => v6.map((text) => `[${text}]`);

const PRIVATE_HOSTS = fc.oneof(
  v4From(PRIVATE_V4).chain(ipv4Spelling),
  bracketed(v4From(PRIVATE_V4).chain(embeddingV6)),
  bracketed(PRIVATE_V6),
);
const NEVER_HOSTS = fc.oneof(
  v4From(NEVER_V4).chain(ipv4Spelling),
  bracketed(v4From(NEVER_V4).chain(embeddingV6)),
  bracketed(NEVER_V6),
  ipv4Spelling(toInt('169.254.169.254')),
  bracketed(embeddingV6(toInt('169.254.169.254'))),
);

/** A public IPv4 address: ipaddr.js calls it plain unicast. */
const PUBLIC_V4 = fc
  .integer({ min: 0, max: 2 ** 32 - 1 })
  .filter((n) => ipaddr.fromByteArray(octetsOf(n)).range() === 'unicast' && n !== toInt('100.100.100.200'));

const runs = { numRuns: 1000 };

describe('the outbound URL policy on literal addresses', () => {
  it('refuses every spelling of loopback, private, unique-local and CGNAT addresses by default', () => {
    fc.assert(
      fc.property(url(PRIVATE_HOSTS), (target) => {
        expect(STRICT.checkUrl(target), target).toMatch(
          /^refused by the outbound URL policy: .*VERDICT_ALLOW_PRIVATE_URLS=1/,
        );
      }),
      runs,
    );
  });

  it('refuses link-local, metadata, unspecified, multicast, broadcast, reserved and Teredo even with private URLs allowed', () => {
    fc.assert(
      fc.property(url(NEVER_HOSTS), (target) => {
        expect(STRICT.checkUrl(target), target).toMatch(/^refused by the outbound URL policy/);
        expect(PRIVATE_ALLOWED.checkUrl(target), target).toMatch(/never called/);
      }),
      runs,
    );
  });

  it('with private URLs allowed, lets loopback and private addresses through except on the stack’s own ports', () => {
    fc.assert(
      fc.property(PRIVATE_HOSTS, fc.constantFrom(4566, 8787, 8080, 3000), (host, p) => {
        const verdict = PRIVATE_ALLOWED.checkUrl(`http://${host}:${p}/`);
        if (p === 4566 || p === 8787) expect(verdict, host).toMatch(/belongs to the stack itself/);
        else expect(verdict, `${host}:${p}`).toBeUndefined();
      }),
      runs,
    );
  });

  it('allows public addresses in every spelling, and IPv6 forms that embed one', () => {
    fc.assert(
      fc.property(url(fc.oneof(PUBLIC_V4.chain(ipv4Spelling), bracketed(PUBLIC_V4.chain(embeddingV6)))), (target) => {
        expect(STRICT.checkUrl(target), target).toBeUndefined();
      }),
      runs,
    );
  });

  it.each([
    'http://93.184.215.14/',
    'https://93.184.215.14:8443/v1',
    'http://[2606:4700::1111]/',
    'https://[2606:4700:0000:0000:0000:0000:0000:1111]:443/x',
    'https://agent.example.com/chat',
  ])('allows %s', (target) => {
    expect(STRICT.checkUrl(target)).toBeUndefined();
    expect(STRICT.checkAddress('2606:4700::1111', 443, 'one.one.one.one')).toBeUndefined();
  });

  it.each([
    ['http://127.1/', /127\.0\.0\.1 \(loopback\)/],
    ['http://2130706433/', /127\.0\.0\.1 \(loopback\)/],
    ['http://0x7f000001/', /127\.0\.0\.1 \(loopback\)/],
    ['http://[::1]/', /::1 \(loopback\)/],
    ['http://[::ffff:127.0.0.1]/', /::ffff:7f00:1 \(loopback, embeds 127\.0\.0\.1\)/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 \(cloud metadata\)/],
    ['http://[fd00:ec2::254]/', /fd00:ec2::254 \(cloud metadata\)/],
    ['http://0.0.0.0:8787/', /0\.0\.0\.0 \(unspecified\)/],
    ['ftp://93.184.215.14/', /scheme "ftp:" is not allowed/],
    ['file:///etc/passwd', /scheme "file:" is not allowed/],
  ])('names what it refuses: %s', (target, reason) => {
    expect(STRICT.checkUrl(target)).toMatch(reason);
  });

  it('judges resolved addresses the same way, naming the host', () => {
    expect(STRICT.checkAddress('127.0.0.1', 80, 'localhost')).toMatch(
      /^refused by the outbound URL policy: localhost resolves to 127\.0\.0\.1 \(loopback\).*VERDICT_ALLOW_PRIVATE_URLS=1/,
    );
    expect(PRIVATE_ALLOWED.checkAddress('::ffff:169.254.169.254', 80, 'evil.test')).toMatch(/cloud metadata/);
    expect(PRIVATE_ALLOWED.checkAddress('fe80::1%eth0', 80, 'evil.test')).toMatch(/link-local/);
    expect(PRIVATE_ALLOWED.checkAddress('127.0.0.1', 4566, 'localhost')).toMatch(/port 4566/);
    expect(PRIVATE_ALLOWED.checkAddress('127.0.0.1', 3000, 'localhost')).toBeUndefined();
  });
});
