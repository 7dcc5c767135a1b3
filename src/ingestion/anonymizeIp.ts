import { isIPv4, isIPv6 } from 'node:net';

/**
 * Anonymises a client address before anything stores it: IPv4 keeps its /24 prefix
 * (last octet zeroed), IPv6 its /48 prefix. Coarse geography survives; the person does not.
 */
export function anonymizeIp(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv4(v4)) return v4.split('.').slice(0, 3).concat('0').join('.');
  if (isIPv6(ip)) {
    const [head = '', tail] = ip.split('::');
    const left = head ? head.split(':') : [];
    const right = tail !== undefined && tail ? tail.split(':') : [];
    const groups = [
      ...left,
      ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'),
      ...right,
    ];
    return `${groups
      .slice(0, 3)
      .map((g) => g.toLowerCase())
      .join(':')}::`;
  }
  return undefined;
}
