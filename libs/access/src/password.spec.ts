import { scryptSync } from 'node:crypto';
import { hashPassword, needsRehash, verifyPassword } from './password';

describe('password hashing', () => {
  it('hashes with OWASP-level scrypt cost (N=2^15, r=8, p=3) and verifies', async () => {
    const h = await hashPassword('secret-password-1');
    expect(h.split('$').slice(0, 4)).toEqual(['scrypt', '32768', '8', '3']);
    expect(await verifyPassword('secret-password-1', h)).toBe(true);
    expect(await verifyPassword('secret-password-2', h)).toBe(false);
    expect(needsRehash(h)).toBe(false);
  });

  it('still verifies a hash made with the old cost (p=1), and says it needs a rehash', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('old-password-1', salt, 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 << 20,
    });
    const old = ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), key.toString('base64')].join(
      '$',
    );
    expect(await verifyPassword('old-password-1', old)).toBe(true);
    expect(needsRehash(old)).toBe(true);
  });
});
