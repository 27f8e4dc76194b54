import { describe, expect, it } from 'vitest';
import { isReadableSubject, mapClaims } from './claims.js';

describe("a provider's subject", () => {
  it('is kept only as a text PostgreSQL can hold as a key: no NUL or other control character, no lone surrogate, 1–255 characters', () => {
    for (const ok of ['citizen-1', '001190012345', 'a'.repeat(255), 'Trần 😀']) expect(isReadableSubject(ok), ok).toBe(true);
    for (const bad of ['', 'a'.repeat(256), 'citizen\u0000-1', 'bell\u0007', 'half \ud800', 12345, null, undefined, ['x']])
      expect(isReadableSubject(bad), JSON.stringify(bad)).toBe(false);
  });

  it('is what the mapped identity names, its other claims cleaned', () => {
    const id = mapClaims('dvcqg', { sub: 'citizen-1', HoVaTen: ' Lê\u0000 Thị  Thu ' }, ['LoA1', 'LoA2']);
    expect(id).toMatchObject({ subject: 'citizen-1', fullName: 'Lê Thị Thu' });
  });
});
