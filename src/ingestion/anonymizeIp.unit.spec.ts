import { anonymizeIp } from './anonymizeIp';

describe('anonymizeIp', () => {
  it('keeps the /24 of IPv4, also when IPv4-mapped', () => {
    expect(anonymizeIp('203.0.113.77')).toBe('203.0.113.0');
    expect(anonymizeIp('::ffff:203.0.113.77')).toBe('203.0.113.0');
  });
  it('keeps the /48 of IPv6', () => {
    expect(anonymizeIp('2001:DB8:1234:5678::1')).toBe('2001:db8:1234::');
    expect(anonymizeIp('::1')).toBe('0:0:0::');
  });
  it('drops what is not an address', () => {
    expect(anonymizeIp('')).toBeUndefined();
    expect(anonymizeIp('not-an-ip')).toBeUndefined();
  });
});
