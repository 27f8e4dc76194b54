/** Who is acting, and from where: passed to every use case and written into audit rows. */
export type RequestMeta = { ip: string | null; requestId: string | null; userAgent?: string | null };

/** An official acting in a browser session (optionally on behalf of another official: delegation). */
type OfficialActor = {
  kind: 'official';
  accountId: string;
  /** Username, kept in audit rows so the log reads without joins (and after deletion). */
  label: string;
  meta: RequestMeta;
  onBehalfOf?: { accountId: string; label: string; delegationId: number } | null;
};

/** An API client: Bearer credentials acting as the official account they were issued for. */
type ApiActor = { kind: 'api'; accountId: string; clientId: string; label: string; meta: RequestMeta };

/**
 * A citizen or organisation of the portal. The label is `citizen:<id>`, never a CCCD or a name: the audit log
 * cannot be erased and personal data must be (personal-data law); the citizens row can be.
 */
export type CitizenActor = { kind: 'citizen'; citizenId: string; label: string; meta: RequestMeta };

/** The system itself: start-up seeding, jobs, command-line tools. */
export type SystemActor = { kind: 'system'; label: string; meta: RequestMeta };

export type Actor = OfficialActor | ApiActor | CitizenActor | SystemActor;

/** Whoever acts as an official's account: in person or through API credentials. Officials' use cases take it. */
export type StaffActor = OfficialActor | ApiActor;

/** The official acting on the delegator's behalf under a delegation (src/dossiers/access.ts decides when). */
export function onBehalfOf(actor: StaffActor, lent: { id: number; delegatorId: string; delegatorLabel: string }): StaffActor {
  if (actor.kind !== 'official') return actor;
  return { ...actor, onBehalfOf: { accountId: lent.delegatorId, label: lent.delegatorLabel, delegationId: lent.id } };
}

/** The delegation columns of a dossier event: under which delegation, and whom for (null when in one's own right). */
export function delegationColumns(actor: Actor): { delegationId: number | null; onBehalfLabel: string | null } {
  if (actor.kind !== 'official' || !actor.onBehalfOf) return { delegationId: null, onBehalfLabel: null };
  return { delegationId: actor.onBehalfOf.delegationId, onBehalfLabel: actor.onBehalfOf.label };
}

export function systemActor(label = 'system'): SystemActor {
  return { kind: 'system', label, meta: { ip: null, requestId: null } };
}

export function citizenActor(citizenId: string, meta: RequestMeta): CitizenActor {
  return { kind: 'citizen', citizenId, label: `citizen:${citizenId}`, meta };
}

/** How an actor is written in dossier_events and audit_log: kind, internal id, label, and whom they stood in for. */
export function actorColumns(actor: Actor): {
  actorKind: Actor['kind'];
  actorId: string | null;
  actorLabel: string;
  onBehalfOf: string | null;
} {
  switch (actor.kind) {
    case 'official':
      return { actorKind: 'official', actorId: actor.accountId, actorLabel: actor.label, onBehalfOf: actor.onBehalfOf?.accountId ?? null };
    case 'api':
      return { actorKind: 'api', actorId: actor.accountId, actorLabel: actor.label, onBehalfOf: null };
    case 'citizen':
      return { actorKind: 'citizen', actorId: actor.citizenId, actorLabel: actor.label, onBehalfOf: null };
    case 'system':
      return { actorKind: 'system', actorId: null, actorLabel: actor.label, onBehalfOf: null };
  }
}
