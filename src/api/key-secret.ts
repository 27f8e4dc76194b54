import crypto from 'node:crypto';

/** Keys are stored as the SHA-256 of their secret (32 random bytes: no need for a slow hash). */
export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
