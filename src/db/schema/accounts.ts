import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { units } from './org.js';
import { citizens } from './identity.js';

/**
 * A natural person, as an external identity provider (VNeID, the provincial SSO) proved them at a
 * login: created at the person's first such login, from the provider's claims. Never created or
 * changed from data typed about someone (that is only a claim: account_identities).
 * The accounts whose accounts.person_id points here are the person's confirmed accounts (the set
 * Chuyển tài khoản switches within); see docs/decisions/0010-accounts-and-persons.md.
 */
export const persons = pgTable(
  'persons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Họ và tên as the provider sent it, NFC. */
    fullName: text('full_name'),
    dateOfBirth: date('date_of_birth', { mode: 'string' }),
    gender: text('gender').$type<'male' | 'female'>(),
    /** Số định danh cá nhân as the provider proved it, 12 digits. */
    cccd: text('cccd').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('persons_cccd_key').on(t.cccd)],
);

/** An official's account in the one-stop system (THÔNG TIN CÁN BỘ). */
export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    usernameLower: text('username_lower').notNull(),
    /** Set only when the person, logged in with VNeID, confirmed this account as theirs. */
    personId: uuid('person_id').references(() => persons.id),
    /** When the account joined the person's confirmed accounts, and how ('confirmed' | 'first_login'). */
    personLinkedAt: timestamp('person_linked_at', { withTimezone: true }),
    personLinkedHow: text('person_linked_how').$type<'confirmed' | 'first_login'>(),
    /** Last VNeID login into or switch to this account: where the person's next VNeID login lands. */
    identityUsedAt: timestamp('identity_used_at', { withTimezone: true }),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    middleName: text('middle_name').notNull(),
    givenName: text('given_name').notNull(),
    phone: text('phone'),
    mobile: text('mobile'),
    /** E-mails separated by ";" as typed in the form, normalised. */
    emails: text('emails'),
    position: text('position'),
    receptionPlace: text('reception_place'),
    returnAddress: text('return_address'),
    receivingUnitPhone: text('receiving_unit_phone'),
    agencyAddress: text('agency_address'),
    beneficiaryAccount: text('beneficiary_account'),
    bankCode: text('bank_code'),
    taxCode: text('tax_code'),
    suspended: boolean('suspended').notNull().default(false),
    /** Đại diện phòng có số riêng / đơn vị. */
    unitRepresentative: boolean('unit_representative').notNull().default(false),
    /** Đại diện phòng ban. */
    divisionRepresentative: boolean('division_representative').notNull().default(false),
    passwordHash: text('password_hash'),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    /** Named by the province administrator: keeps password login after the cutoff, with a TOTP second factor. */
    breakGlass: boolean('break_glass').notNull().default(false),
    /** Base32 TOTP secret of a break-glass account. */
    totpSecret: text('totp_secret'),
    /**
     * The person who set the secret up (cutover/enrol-break-glass.ts: their VNeID session's). The code opens the account
     * only while this is still the account's person (auth/totp.ts breakGlassCodeOpens): a secret set up by someone the
     * account was bound to for a while (an administrator's own card data, then put back) dies with that binding.
     * Null for the first province administrator's, given by `npm run setup` before the account has a person.
     */
    totpPersonId: uuid('totp_person_id').references(() => persons.id),
    /** Last TOTP time step accepted: a code is good once. */
    totpLastStep: integer('totp_last_step'),
    /** Lower-case, diacritics-free username, name, CCCD name, position, e-mails, phones: for search. */
    searchText: text('search_text').notNull().default(''),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A deleted account keeps its row (history), so only live accounts hold a username.
    uniqueIndex('accounts_username_live_key').on(t.usernameLower).where(sql`${t.deletedAt} is null`),
    index('accounts_unit_idx').on(t.unitId),
    index('accounts_person_idx').on(t.personId),
  ],
);

/**
 * Roles an account holds at a unit; a role at a unit covers its whole subtree. The workflow roles give
 * positions in the dossiers' process (dossiers/access.ts); 'admin' administers accounts and units, and
 * 'statistics' reads the statistics (statistics/policy.ts) — neither gives a position.
 */
export const WORKFLOW_ROLES = ['reception', 'processing', 'approval', 'result'] as const;
export const ROLES = ['admin', ...WORKFLOW_ROLES, 'statistics'] as const;
export type Role = (typeof ROLES)[number];
export type WorkflowRole = (typeof WORKFLOW_ROLES)[number];

export const roleGrants = pgTable(
  'role_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    unitId: uuid('unit_id')
      .notNull()
      .references(() => units.id),
    role: text('role').$type<Role>().notNull(),
    grantedBy: uuid('granted_by').references(() => accounts.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('role_grants_key').on(t.accountId, t.unitId, t.role),
    index('role_grants_unit_idx').on(t.unitId),
    // A role the code does not know would be a silent grant of nothing (or, worse, read by a future role).
    check('role_grants_role_known', sql`${t.role} in ('admin', 'reception', 'processing', 'approval', 'result', 'statistics')`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    /** SHA-256 of the cookie token: a leaked table does not yield usable cookies. */
    idHash: text('id_hash').primaryKey(),
    /** Whose session: an official's account, or a citizen (or organisation) of the portal — exactly one. */
    accountId: uuid('account_id').references(() => accounts.id),
    citizenId: uuid('citizen_id').references(() => citizens.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * When the login behind this session happened (password, password + TOTP, VNeID): the SSO provider's auth_time,
     * prompt=login and max_age. A session re-issued without a login (Chuyển tài khoản) keeps its predecessor's, so it
     * may be older than created_at. No default here, so every insert states it (the database's now() serves only
     * the previous version during a rolling restart: migration 0062).
     */
    authenticatedAt: timestamp('authenticated_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** How the session was opened: 'password', 'password+totp' (break-glass), 'vneid' or 'sso'. */
    method: text('method').notNull().default('password'),
    /** The person an external identity login proved, carried across switches; null for password sessions. */
    personId: uuid('person_id').references(() => persons.id),
    /** Identification level of that login (1 or 2). */
    loa: integer('loa'),
  },
  (t) => [
    index('sessions_account_idx').on(t.accountId),
    index('sessions_citizen_idx').on(t.citizenId),
    check('sessions_one_subject', sql`num_nonnulls(${t.accountId}, ${t.citizenId}) = 1`),
  ],
);

/** Failed-login counters per account name and per address; keyed by name whether or not it exists. */
export const loginThrottle = pgTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull().defaultNow(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
});

/** Used CAPTCHA challenges, so one solution cannot be replayed. */
export const usedCaptchas = pgTable('used_captchas', {
  signature: text('signature').primaryKey(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * THÔNG TIN XÁC THỰC of one account: the identity data typed by an administrator or the official.
 * A claim, never proof: a registry match says the data are a real person's, not that this person
 * uses the account. Each account has its own row; nothing typed for one account touches another.
 */
export const accountIdentities = pgTable(
  'account_identities',
  {
    accountId: uuid('account_id')
      .primaryKey()
      .references(() => accounts.id),
    /** Họ và tên trên thẻ CCCD, NFC. */
    fullName: text('full_name'),
    dateOfBirth: date('date_of_birth', { mode: 'string' }),
    gender: text('gender').$type<'male' | 'female'>(),
    /** Số CCCD (12 digits). Not unique: one person may hold several accounts. */
    cccd: text('cccd'),
    issueDate: date('issue_date', { mode: 'string' }),
    issuePlace: text('issue_place'),
    address: text('address'),
    /** When these exact data last matched the population registry. */
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    /** Who asked for the match. */
    verifiedBy: uuid('verified_by'),
    /** True when an administrator of the account's unit (not the official themself) asked for it. */
    verifiedByAdmin: boolean('verified_by_admin').notNull().default(false),
    /** The person refused the link (Từ chối): not offered again until the data change. */
    declinedAt: timestamp('declined_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('account_identities_cccd_idx').on(t.cccd)],
);

/**
 * A login waiting for its second step, bound to one browser by a cookie token of which only the SHA-256 is kept
 * (as sessions). Two kinds (`method`), one mechanism (src/auth/pending-logins.ts):
 * - 'vneid' / 'sso': a proven person with no confirmed account yet, who accepts (Đồng ý) or refuses (Từ chối)
 *   the accounts that name them (person_id, loa);
 * - 'password': the right password of a break-glass account (account_id) waiting for its TOTP code, or, while
 *   the typed name's password login is paused, a stand-in with no account so the pause reveals no password.
 */
export const pendingIdentityLogins = pgTable(
  'pending_identity_logins',
  {
    tokenHash: text('token_hash').primaryKey(),
    method: text('method').notNull(),
    personId: uuid('person_id').references(() => persons.id),
    loa: integer('loa'),
    /** 'password': the account whose code is asked for (null for a stand-in), the typed name (throttle keys). */
    accountId: uuid('account_id').references(() => accounts.id, { onDelete: 'cascade' }),
    usernameLower: text('username_lower'),
    /** 'password': started while the name's password login was paused, so a refusal gives no hint. */
    paused: boolean('paused').notNull().default(false),
    returnTo: text('return_to'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check(
      'pending_logins_kind',
      sql`(${t.method} in ('vneid', 'sso') and ${t.personId} is not null and ${t.loa} is not null) or (${t.method} = 'password' and ${t.usernameLower} is not null)`,
    ),
  ],
);
