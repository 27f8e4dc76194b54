import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's second recommended profile (19 MiB, t=2, p=1).
// algorithm 2 = Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), OPTIONS);
}

// A real hash to verify against when the account does not exist, so timing does not reveal it.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword(crypto.randomUUID());
    await verify(await dummyHash, password.normalize('NFC')).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password.normalize('NFC'));
  } catch {
    return false;
  }
}

const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A temporary password an administrator reads out once: 14 characters, no look-alikes. */
export function generateTemporaryPassword(length = 14): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return out;
}

const COMMON = new Set(['123456789012', 'password1234', 'matkhau12345', 'qwertyuiop12', '1234567890ab', 'abc123456789']);

/** Password rules (ASVS 2.1): length 12–128, no composition rules, not the username, not a common one. */
export function passwordProblem(password: string, username: string): string | null {
  const p = password.normalize('NFC');
  if ([...p].length < 12) return 'Mật khẩu phải có ít nhất 12 ký tự.';
  if ([...p].length > 128) return 'Mật khẩu tối đa 128 ký tự.';
  if (p.toLowerCase().includes(username.toLowerCase())) return 'Mật khẩu không được chứa tên tài khoản.';
  if (COMMON.has(p.toLowerCase()) || /^(.)\1+$/.test(p)) return 'Mật khẩu quá dễ đoán. Vui lòng chọn mật khẩu khác.';
  return null;
}
