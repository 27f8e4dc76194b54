/**
 * The token of an `Authorization: Bearer <token>` header, or undefined. The scheme's name is case-insensitive (RFC 9110
 * §11.1; RFC 6750 §2.1): a client sending "bearer" is a client with credentials, not one asked to log in.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}
