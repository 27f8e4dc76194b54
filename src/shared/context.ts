/** Who is acting, and from where: passed to every use case and written into audit rows. */
export type RequestMeta = { ip: string | null; requestId: string | null; userAgent?: string | null };

export type Actor = {
  accountId: string;
  /** Username, kept in audit rows so the log reads without joins (and after deletion). */
  label: string;
  meta: RequestMeta;
};

/** The system itself (start-up seeding, CLI). */
export function systemActor(label = 'system'): Actor {
  return { accountId: '00000000-0000-0000-0000-000000000000', label, meta: { ip: null, requestId: null } };
}

export const SYSTEM_ACCOUNT_ID = '00000000-0000-0000-0000-000000000000';
