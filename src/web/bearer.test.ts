import { describe, expect, it } from 'vitest';
import { bearerToken } from './bearer.js';

describe('bearerToken', () => {
  it('reads the token whatever the case of the scheme, and nothing from another scheme or an empty one', () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) expect(bearerToken(`${scheme} mc_1.abc`)).toBe('mc_1.abc');
    expect(bearerToken('Bearer  mc_1.abc ')).toBe('mc_1.abc');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Bearermc_1.abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
