/**
 * How the append-only audit log names a citizen: by the internal id, never by CCCD or name. The log cannot be
 * erased, and a citizen's personal data must be (personal-data law); the citizens row can be.
 */
export function citizenLabel(citizenId: string): string {
  return `citizen:${citizenId}`;
}
