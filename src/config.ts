/**
 * The one place that reads the environment. Everything else receives a Config.
 * A half configuration is refused at start with a message naming the variable.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';

/**
 * The change feed's heartbeat (src/db/listen.ts): every this many ms each process listening for changes on PostgreSQL
 * sends itself a notification, and its caches are trusted only while the latest one came back less than
 * CHANGE_FEED_STALE_INTERVALS intervals after it was sent (docs/decisions/0032). The default of CHANGE_FEED_HEARTBEAT_MS.
 */
const CHANGE_FEED_HEARTBEAT_MS = 1_000;
const CHANGE_FEED_STALE_INTERVALS = 3;

/** The heartbeat's interval and the bound past which nothing cached is trusted. */
export type ChangeFeedTiming = { heartbeatMs: number; staleMs: number };

export function changeFeedTiming(heartbeatMs: number = CHANGE_FEED_HEARTBEAT_MS): ChangeFeedTiming {
  return { heartbeatMs, staleMs: heartbeatMs * CHANGE_FEED_STALE_INTERVALS };
}

const boolish = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => v === '1' || v === 'true' || v === 'yes');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** The app's PostgreSQL pool (src/db/client.ts): connections per instance; instances × this must stay under max_connections. */
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** The longest one statement of the app's requests may run, in ms (0 = no limit); migrations and CLIs have none. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').default('MotCua@2026'),
  DEMO_DATA: boolish.optional(),
  TRUST_PROXY: boolish.default(false),
  MIGRATE_ON_START: boolish.default(true),
  /** Run the job worker inside `npm start` (false: only `npm run worker` works the queue). */
  WORKER: boolish.default(true),
  /**
   * On SIGTERM/SIGINT: how long the instance keeps serving while /readyz already says "draining", so the load
   * balancer's health check takes it out before the listener closes (default 3000 in production, 0 otherwise).
   */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  /** Then, how long requests in flight may take before the instance exits anyway (exit code 1). */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bearer token of GET /metrics; unset = no metrics endpoint (404). */
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24)
    .default(12),
  /**
   * How long an instance may answer "who is this session" from memory (src/auth/session-cache.ts), in ms; 0 = never.
   * Default 5000 in production, 0 elsewhere.
   */
  SESSION_CACHE_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  /**
   * How often the change feed proves it still hears the database (src/db/listen.ts), in ms; three intervals without
   * its heartbeat back and no cache is trusted until it listens again.
   */
  CHANGE_FEED_HEARTBEAT_MS: z.coerce.number().int().min(50).max(60_000).default(CHANGE_FEED_HEARTBEAT_MS),
  SIM_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** The SMTP stand-in of demo mode (sim/smtp.ts). Not 0: the e-mail adapter is given this port, not the one bound. */
  SIM_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(2525),
  /** E-mail notifications (src/notify/adapters/email.ts): smtp(s)://user:password@host:port, and the sender. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/\s]+\/?$/, 'must be smtp://[user:password@]host[:port] or smtps://…')
    .optional(),
  MAIL_FROM: z.string().min(3).max(200).optional(),
  VNEID_ISSUER: z.string().url().optional(),
  VNEID_CLIENT_ID: z.string().min(1).optional(),
  VNEID_CLIENT_SECRET: z.string().min(1).optional(),
  VNEID_CLIENT_AUTH: z.enum(['client_secret_post', 'client_secret_basic', 'private_key_jwt']).default('client_secret_post'),
  /** A private JWK (JSON) for private_key_jwt client authentication. */
  VNEID_CLIENT_KEY: z.string().optional(),
  VNEID_CLAIMS: z.enum(['dvcqg', 'oidc']).default('dvcqg'),
  /** Explicit endpoints, for a provider without discovery (all four, or none). */
  VNEID_AUTHORIZATION_ENDPOINT: z.string().url().optional(),
  VNEID_TOKEN_ENDPOINT: z.string().url().optional(),
  VNEID_USERINFO_ENDPOINT: z.string().url().optional(),
  VNEID_JWKS_URI: z.string().url().optional(),
  VNEID_MIN_LOA: z.enum(['1', '2']).default('2'),
  VNEID_ACR_VALUES: z.string().optional(),
  REGISTRY_URL: z.string().url().optional(),
  REGISTRY_TOKEN: z.string().min(1).optional(),
  /** The payment platform (fee payments, src/payments): its payment page, our merchant code and shared secret. */
  PAYMENT_URL: z.string().url().optional(),
  PAYMENT_MERCHANT: z.string().min(1).max(64).optional(),
  PAYMENT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The brandname SMS gateway (src/notify/adapters/sms.ts): its send endpoint, bearer token, our brandname. */
  SMS_GATEWAY_URL: z.string().url().optional(),
  SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
  SMS_BRANDNAME: z
    .string()
    .regex(/^[A-Za-z0-9 ._-]{1,11}$/, 'a brandname is 1 to 11 letters, digits, spaces, dots, dashes or underscores')
    .optional(),
  /** The gateway takes text without diacritics only (GSM-7): templates are sent unaccented. */
  SMS_UNACCENTED: boolish.default(false),
  /** The most parts one SMS may take (renderMessage shortens the longest values to fit). */
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(3),
  /** The shared secret of the gateway's delivery reports (HMAC-SHA256, POST /thong-bao/bao-cao/sms). */
  SMS_REPORT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Zalo ZNS (src/notify/adapters/zns.ts): the template-message endpoint and the app id. */
  ZNS_URL: z.string().url().optional(),
  ZNS_APP_ID: z.string().min(1).max(64).optional(),
  /** The app's secret key (header secret_key of the OAuth refresh, src/notify/zns-tokens.ts). */
  ZNS_APP_SECRET: z.string().min(1).optional(),
  /** The OA's first refresh token: used once, then the rotated ones kept in the database (docs/decisions/0023). */
  ZNS_REFRESH_TOKEN: z.string().min(1).optional(),
  /** Optional: the access token issued with it, used until Zalo refuses it or it is refreshed. */
  ZNS_ACCESS_TOKEN: z.string().min(1).optional(),
  /** Zalo's OAuth token endpoint (default https://oauth.zaloapp.com/v4/oa/access_token). */
  ZNS_OAUTH_URL: z.string().url().optional(),
  /** The OA's secret key the webhook (POST /thong-bao/bao-cao/zns) is signed with. */
  ZNS_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The national portal's dossier synchronisation (src/national-portal): its API, our token, our province's code. */
  NATIONAL_PORTAL_URL: z.string().url().optional(),
  NATIONAL_PORTAL_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  NATIONAL_PORTAL_PROVINCE: z
    .string()
    .regex(/^[A-Za-z0-9.]{1,20}$/, 'letters, digits and dots, at most 20')
    .optional(),
  SSO_ISSUER: z.string().url().optional(),
  SSO_CLIENT_ID: z.string().min(1).optional(),
  SSO_CLIENT_SECRET: z.string().min(1).optional(),
  /** `npm run sso:demo-client` (demo mode only): the port of the demo application that logs in through /sso. */
  SSO_DEMO_CLIENT_PORT: z.coerce.number().int().min(1).max(65535).default(3100),
  /** The provincial SSO provider (/sso): the AES-256 key its signing keys are stored under — 32 bytes, base64 or hex. */
  SSO_KEY_ENCRYPTION_KEY: z
    .string()
    .regex(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 bytes: 64 hex digits or 44 base64 characters')
    .optional(),
  /** Where files are stored: unset = DATA_DIR/files on the local disk; s3://bucket/prefix = an S3-compatible bucket. */
  STORAGE_URL: z
    .string()
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, 'must be s3://bucket or s3://bucket/prefix')
    .optional(),
  /** An S3-compatible server (MinIO, Ceph…) instead of AWS: its address; path-style requests are used. */
  STORAGE_S3_ENDPOINT: z.string().url().optional(),
  STORAGE_S3_REGION: z.string().min(1).default('us-east-1'),
  /** Both or neither; neither = the AWS SDK's default credentials (AWS_ACCESS_KEY_ID…, instance role). */
  STORAGE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  STORAGE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /**
   * How many days a blob the collector moved to the trash stays there before it is deleted (storage/gc.ts, docs/decisions/0020):
   * longer than the backups are kept (30 days, docs/deploy.md §7), so a database restored from any kept backup finds
   * the files its rows name — a bucket is not in the backups. Unless the bucket keeps noncurrent versions that long.
   */
  STORAGE_TRASH_DAYS: z.coerce.number().int().min(2).max(3650).default(35),
  /**
   * The collector's circuit breaker: a run whose unreferenced blobs exceed this share of the blobs it listed (and
   * number more than 100) moves nothing and logs an error — the sign of a wrong or emptied database, not of deletions.
   */
  STORAGE_GC_MAX_UNREFERENCED_PERCENT: z.coerce.number().int().min(1).max(100).default(20),
  /** Quản lý tập tin cá nhân: what each citizen may keep (their uploads; results issued by agencies do not count). */
  PERSONAL_FILES_QUOTA_MB: z.coerce.number().int().min(1).max(100_000).default(50),
  PERSONAL_FILES_QUOTA_FILES: z.coerce.number().int().min(1).max(100_000).default(200),
  /**
   * What each citizen's requests may store in file storage over a rolling 24 hours, in MB: every upload of the portal
   * (personal files, draft documents, supplements), kept or not (personal-files/upload-budget.ts). Unset: twice
   * PERSONAL_FILES_QUOTA_MB.
   */
  PERSONAL_UPLOAD_DAILY_MB: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** TIẾP NHẬN HỒ SƠ: the largest scan of one document (số hóa), in MB. */
  RECEPTION_SCAN_MAX_MB: z.coerce.number().int().min(1).max(1_000).default(10),
  /** TIẾP NHẬN HỒ SƠ: the largest reception form, whatever its procedure's number of documents, in MB. */
  RECEPTION_UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(10_000).default(200),
});

/** The settings that are addresses (checked for their scheme below). */
const URL_SETTINGS = [
  'PUBLIC_URL',
  'VNEID_ISSUER',
  'VNEID_AUTHORIZATION_ENDPOINT',
  'VNEID_TOKEN_ENDPOINT',
  'VNEID_USERINFO_ENDPOINT',
  'VNEID_JWKS_URI',
  'REGISTRY_URL',
  'PAYMENT_URL',
  'SMS_GATEWAY_URL',
  'ZNS_URL',
  'ZNS_OAUTH_URL',
  'NATIONAL_PORTAL_URL',
  'SSO_ISSUER',
  'STORAGE_S3_ENDPOINT',
] as const satisfies ReadonlyArray<keyof z.infer<typeof EnvSchema>>;

/** A relying-party connection to an OpenID provider (VNeID, or the provincial SSO). */
export type OidcProviderConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  clientAuth: 'client_secret_post' | 'client_secret_basic' | 'private_key_jwt';
  clientKey: string | undefined;
  claims: 'dvcqg' | 'oidc';
  /** Minimum identification level for officials. */
  minLoa: 1 | 2;
  /** acr values for each level, in order LoA1, LoA2. */
  acrValues: [string, string];
  /** Explicit endpoints instead of discovery. */
  endpoints?: { authorization: string; token: string; userinfo: string; jwks: string } | undefined;
  /** The scopes asked for (default openid). */
  scope?: string | undefined;
};

/**
 * Demo mode without SSO_*: the one-stop system logs its officials in through its own provider at PUBLIC_URL/sso, as a
 * registered client (src/demo/sso-clients.ts registers it and the demo application of `npm run sso:demo-client`).
 */
type SsoDemoConfig = {
  /** The one-stop system's client id at its own provider; its secret is config.sso.clientSecret (never stored). */
  oneStopClientId: string;
  /** The demo application: a public client (PKCE, no secret), at http://localhost:<port>. */
  demoClient: { clientId: string; port: number; url: string };
};

export type S3StorageConfig = {
  kind: 's3';
  bucket: string;
  /** Key prefix, empty or ending in "/". */
  prefix: string;
  region: string;
  endpoint: string | undefined;
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
};
/** The payment platform (src/payments/platform.ts): payment page, merchant code, shared secret of the signatures. */
export type PaymentConfig = { url: string; merchant: string; secret: string; simulated: boolean };

/** The brandname SMS gateway (src/notify/adapters/sms.ts); `simulated`: the stand-in of sim/sms-gateway.ts. */
export type SmsConfig = {
  url: string;
  token: string;
  brandname: string;
  unaccented: boolean;
  maxSegments: number;
  reportSecret: string;
  simulated: boolean;
};
/**
 * Zalo ZNS (src/notify/adapters/zns.ts); `simulated`: the stand-in of sim/zns-gateway.ts. The access token is
 * renewed with the refresh token at oauthUrl (src/notify/zns-tokens.ts); refreshToken/accessToken are the first
 * ones only: the rotated ones live in the database.
 */
export type ZnsConfig = {
  url: string;
  appId: string;
  appSecret: string;
  oauthUrl: string;
  refreshToken: string;
  accessToken: string | undefined;
  webhookSecret: string;
  simulated: boolean;
};
/** E-mail (src/notify/adapters/email.ts): the SMTP server and our sender; `simulated`: the stand-in of sim/smtp.ts. */
export type EmailConfig = { smtpUrl: string; from: string; simulated: boolean };

/** Where the gateways' delivery reports arrive (src/notify/report-routes.ts): no session, signed. */
export const NOTIFY_REPORT_PATHS = { sms: '/thong-bao/bao-cao/sms', zns: '/thong-bao/bao-cao/zns' } as const;

/** The national portal's synchronisation API (src/national-portal/client.ts); simulated = the stand-in of sim/national-portal.ts. */
export type NationalPortalConfig = { url: string; token: string; province: string; simulated: boolean };

/** File storage (src/storage): a folder on the local disk, or an S3-compatible bucket. */
export type StorageConfig = { kind: 'local'; dir: string } | S3StorageConfig;

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string;
  /** True when the public URL is https: cookies get Secure and the __Host- prefix. */
  secureCookies: boolean;
  dataDir: string;
  databaseUrl: string | undefined;
  /**
   * The app server's pool (DATABASE_URL only): its size, and the statement_timeout of its connections (0 = none). A
   * statement past it is cancelled (SQLSTATE 57014) and the request answers 504 "try again" (app.tsx).
   */
  databasePool: { size: number; statementTimeoutMs: number };
  sessionSecret: string;
  demoPassword: string;
  /** Load demo data (units, officials) into an empty database at start. */
  demoData: boolean;
  trustProxy: boolean;
  /** Apply pending migrations at start; false: a separate step (`npm run db:migrate`) does, and a behind schema stops the start. */
  migrateOnStart: boolean;
  /** Work the job queue in this process (src/jobs); `npm run worker` always does. */
  worker: boolean;
  /** Graceful shutdown (src/web/lifecycle.ts): the not-ready delay before the listener closes, then the bound on requests in flight. */
  shutdown: { drainMs: number; graceMs: number };
  logLevel: string;
  /** The bearer token GET /metrics answers to; null = the endpoint answers 404. */
  metricsToken: string | null;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** SESSION_CACHE_MS: the session cache's lifetime per entry (0 = off). */
  sessionCacheMs: number;
  /** CHANGE_FEED_HEARTBEAT_MS and the bound it gives: how long caches may go on trusting a feed not heard from. */
  changeFeed: ChangeFeedTiming;
  /** True when VNeID and the registry are the built-in simulators (demo mode). */
  simulated: boolean;
  sim: {
    port: number;
    issuer: string;
    registryToken: string;
    clients: Array<{ client_id: string; client_secret: string; redirect_uris: string[] }>;
    /** The merchant the payment simulator knows (the demo one). */
    payment: { merchants: Array<{ code: string; secret: string; name: string }> };
    /** The national portal stand-in's token and province (the demo ones). */
    nationalPortal: { token: string; province: string };
    /** The SMS gateway's stand-in, when config.sms is it (its report URL is our webhook). */
    sms: { token: string; reportUrl: string; reportSecret: string } | undefined;
    /** The Zalo ZNS stand-in, when config.zns is it. */
    zns: { appId: string; appSecret: string; refreshToken: string; accessToken: string; webhookUrl: string; secret: string } | undefined;
    /** The SMTP stand-in's port, when config.email is it. */
    smtpPort: number | undefined;
  };
  vneid: OidcProviderConfig;
  registry: { url: string; token: string };
  payment: PaymentConfig;
  /** SMS notifications; null: the channel is off (unset outside demo mode). */
  sms: SmsConfig | null;
  /** E-mail notifications; null: the channel is off (unset outside demo mode). */
  email: EmailConfig | null;
  /** Zalo ZNS notifications; null: the channel is off (unset outside demo mode). */
  zns: ZnsConfig | null;
  /** null = synchronisation off (unconfigured outside demo mode): the outbox keeps its rows until it is configured. */
  nationalPortal: NationalPortalConfig | null;
  sso: OidcProviderConfig | null;
  /** Set when config.sso is the built-in provider of demo mode (no SSO_* given, demo data on, never in production). */
  ssoDemo: SsoDemoConfig | null;
  /** The built-in provincial SSO provider at /sso (src/sso): the key its signing keys are encrypted with. */
  ssoProvider: { keyEncryptionKey: Buffer };
  storage: StorageConfig;
  /** The collector of unreferenced blobs (storage/gc.ts): the trash's retention, and its circuit breaker. */
  storageGc: { trashDays: number; maxUnreferencedPercent: number };
  /**
   * Quản lý tập tin cá nhân: each citizen's quota over their uploaded files (src/personal-files), and the bytes their
   * uploads may store over a rolling 24 hours, kept or not (uploadDailyBytes: personal-files/upload-budget.ts).
   */
  personalFiles: { quotaBytes: number; quotaFiles: number; uploadDailyBytes: number };
  /**
   * TIẾP NHẬN HỒ SƠ: each scan's limit, and the form's absolute ceiling (its body is sized per procedure below it:
   * scanMaxBytes × its documents, onestop/reception-routes.tsx).
   */
  reception: { scanMaxBytes: number; uploadMaxBytes: number };
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Development-only secret: never accepted in production (see below). */
const DEV_SESSION_SECRET = 'motcua-development-secret-not-for-production-use';

/** Development-only key of the SSO provider's stored signing keys: never accepted in production (see below). */
const DEV_SSO_KEY_ENCRYPTION_KEY = 'bW90Y3VhLWRldmVsb3BtZW50LXNzby1rZXlzLW9ubHk';

/** The payment simulator's demo merchant (sim/payment.ts): never accepted in production. */
const DEMO_PAYMENT = { code: 'MOTCUA-DEMO', secret: 'motcua-demo-payment-secret', name: 'Cổng Dịch vụ công (mô phỏng)' };
/** The SMS and ZNS stand-ins' demo credentials (sim/sms-gateway.ts, sim/zns-gateway.ts): never accepted in production. */
const DEMO_SMS = { token: 'motcua-demo-sms-token', brandname: 'DONGNAI.GOV', reportSecret: 'motcua-demo-sms-report-secret' };
const DEMO_ZNS = {
  appId: '1234567890123456789',
  appSecret: 'motcua-demo-zns-app-secret',
  refreshToken: 'motcua-demo-zns-refresh-token',
  accessToken: 'motcua-demo-zns-access-token',
  secret: 'motcua-demo-zns-webhook-secret',
};
const SIM_SMS_PATH = '/sms-gateway/v1/send';
/** The sender of demo mode's e-mails (to the SMTP stand-in). */
const DEMO_MAIL_FROM = 'Một cửa điện tử (mô phỏng) <thongbao@motcua.localhost>';
const SIM_ZNS_PATH = '/zns/v1/message/template';
/** The Zalo OAuth stand-in's token endpoint (sim/zns-gateway.ts), and Zalo's own. */
const SIM_ZNS_OAUTH_PATH = '/zns/oauth/v4/oa/access_token';
const ZALO_OAUTH_URL = 'https://oauth.zaloapp.com/v4/oa/access_token';
/** The national portal stand-in (sim/national-portal.ts): its API path on the simulator's origin, demo token and province. */
const SIM_NATIONAL_PORTAL = { path: '/national-portal/api/v1', token: 'motcua-demo-national-portal-token', province: 'H10' };
/** Where the payment simulator serves its payment page, on the simulator's origin. */
const SIM_PAYMENT_PATH = '/sim-payment/pay';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset": a blank line in an env file must not count as a value.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required when NODE_ENV=production');
  }
  if (production && !e.PUBLIC_URL) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: required when NODE_ENV=production');
  }
  if (production && e.DEMO_DATA) {
    throw new ConfigError('Invalid configuration:\n  DEMO_DATA: demo data is never loaded when NODE_ENV=production');
  }
  if (production && !e.SSO_KEY_ENCRYPTION_KEY) {
    throw new ConfigError('Invalid configuration:\n  SSO_KEY_ENCRYPTION_KEY: required when NODE_ENV=production');
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const fail = (name: string, why: string) => new ConfigError(`Invalid configuration:\n  ${name}: ${why}`);
  // A connection is all or nothing: half of one is refused, naming what is missing.
  const group = (names: string[]) => {
    const set = names.filter((n) => cleaned[n] !== undefined);
    if (set.length > 0 && set.length < names.length) {
      const missing = names.filter((n) => cleaned[n] === undefined);
      throw fail(missing[0]!, `required when ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set`);
    }
    return set.length === names.length;
  };
  const vneidSet = group(['VNEID_ISSUER', 'VNEID_CLIENT_ID', 'VNEID_CLIENT_SECRET']);
  const registrySet = group(['REGISTRY_URL', 'REGISTRY_TOKEN']);
  const ssoSet = group(['SSO_ISSUER', 'SSO_CLIENT_ID', 'SSO_CLIENT_SECRET']);
  const explicitEndpoints = group(['VNEID_AUTHORIZATION_ENDPOINT', 'VNEID_TOKEN_ENDPOINT', 'VNEID_USERINFO_ENDPOINT', 'VNEID_JWKS_URI']);
  if (explicitEndpoints && !vneidSet) throw fail('VNEID_ISSUER', 'required when the VNEID_*_ENDPOINT variables are set');
  if (production && !vneidSet) throw fail('VNEID_ISSUER', 'required when NODE_ENV=production (the simulator never runs in production)');
  if (production && !registrySet) throw fail('REGISTRY_URL', 'required when NODE_ENV=production');
  const paymentSet = group(['PAYMENT_URL', 'PAYMENT_MERCHANT', 'PAYMENT_SECRET']);
  if (production && !paymentSet)
    throw fail('PAYMENT_URL', 'required when NODE_ENV=production (the payment simulator never runs in production)');
  if (production && paymentSet) {
    const u = new URL(e.PAYMENT_URL!);
    if (u.pathname.startsWith(SIM_PAYMENT_PATH) || ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname))
      throw fail('PAYMENT_URL', 'points at the payment simulator; production needs the real payment platform');
    if (e.PAYMENT_SECRET === DEMO_PAYMENT.secret) throw fail('PAYMENT_SECRET', "is the simulator's demo secret; never in production");
  }
  // A channel's gateway is all or nothing; production refuses the stand-ins, and leaves a channel unset off.
  const smsSet = group(['SMS_GATEWAY_URL', 'SMS_GATEWAY_TOKEN', 'SMS_BRANDNAME', 'SMS_REPORT_SECRET']);
  const znsSet = group(['ZNS_URL', 'ZNS_APP_ID', 'ZNS_APP_SECRET', 'ZNS_REFRESH_TOKEN', 'ZNS_WEBHOOK_SECRET']);
  if (!znsSet)
    for (const extra of ['ZNS_ACCESS_TOKEN', 'ZNS_OAUTH_URL'] as const)
      if (cleaned[extra] !== undefined) throw fail('ZNS_URL', `required when ${extra} is set`);
  const emailSet = group(['SMTP_URL', 'MAIL_FROM']);
  if (production && emailSet) {
    // The stand-in's address (a loopback host on its port); a local relay on another port is a real server.
    const u = new URL(e.SMTP_URL!);
    if (['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) && Number(u.port || 25) === e.SIM_SMTP_PORT)
      throw fail('SMTP_URL', 'points at the SMTP stand-in; production needs the real mail server');
  }
  const standIn = (url: string, simPath: string) => {
    const u = new URL(url);
    return u.pathname.startsWith(simPath) || ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  };
  if (production && smsSet) {
    if (standIn(e.SMS_GATEWAY_URL!, SIM_SMS_PATH))
      throw fail('SMS_GATEWAY_URL', "points at the SMS gateway's stand-in; production needs the real gateway");
    if (e.SMS_REPORT_SECRET === DEMO_SMS.reportSecret)
      throw fail('SMS_REPORT_SECRET', "is the stand-in's demo secret; never in production");
  }
  if (production && znsSet) {
    if (standIn(e.ZNS_URL!, SIM_ZNS_PATH)) throw fail('ZNS_URL', "points at the Zalo ZNS stand-in; production needs Zalo's address");
    if (e.ZNS_WEBHOOK_SECRET === DEMO_ZNS.secret) throw fail('ZNS_WEBHOOK_SECRET', "is the stand-in's demo secret; never in production");
    if (e.ZNS_OAUTH_URL && standIn(e.ZNS_OAUTH_URL, SIM_ZNS_OAUTH_PATH))
      throw fail('ZNS_OAUTH_URL', "points at the Zalo OAuth stand-in; production needs Zalo's address");
    if (e.ZNS_APP_SECRET === DEMO_ZNS.appSecret) throw fail('ZNS_APP_SECRET', "is the stand-in's demo secret; never in production");
  }
  const nationalSet = group(['NATIONAL_PORTAL_URL', 'NATIONAL_PORTAL_TOKEN', 'NATIONAL_PORTAL_PROVINCE']);
  if (production && nationalSet) {
    const u = new URL(e.NATIONAL_PORTAL_URL!);
    if (u.pathname.startsWith(SIM_NATIONAL_PORTAL.path) || ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname))
      throw fail('NATIONAL_PORTAL_URL', 'points at the national portal stand-in; production needs the real national portal');
    if (e.NATIONAL_PORTAL_TOKEN === SIM_NATIONAL_PORTAL.token)
      throw fail('NATIONAL_PORTAL_TOKEN', "is the stand-in's demo token; never in production");
  }
  // Every address setting: http(s) only, and https only in production (tokens, secrets and personal
  // data travel over them; PUBLIC_URL decides Secure cookies and HSTS).
  for (const name of URL_SETTINGS) {
    const value = e[name];
    if (value === undefined) continue;
    const protocol = new URL(value).protocol;
    if (protocol !== 'https:' && protocol !== 'http:') throw fail(name, 'must be an http:// or https:// address');
    if (production && protocol !== 'https:') throw fail(name, 'must be an https:// address in production');
  }
  if (e.VNEID_CLIENT_AUTH === 'private_key_jwt' && !e.VNEID_CLIENT_KEY)
    throw fail('VNEID_CLIENT_KEY', 'required when VNEID_CLIENT_AUTH=private_key_jwt');
  const s3Keys = group(['STORAGE_S3_ACCESS_KEY_ID', 'STORAGE_S3_SECRET_ACCESS_KEY']);
  if (!e.STORAGE_URL) {
    const stray = ['STORAGE_S3_ENDPOINT', 'STORAGE_S3_REGION', 'STORAGE_S3_ACCESS_KEY_ID'].find((n) => cleaned[n] !== undefined);
    if (stray) throw fail('STORAGE_URL', `required when ${stray} is set`);
  }
  const storageUrl = e.STORAGE_URL ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(e.STORAGE_URL)! : null;
  const storagePrefix = storageUrl ? storageUrl[2]!.replace(/\/+$/, '') : '';
  const storage: StorageConfig = storageUrl
    ? {
        kind: 's3',
        bucket: storageUrl[1]!,
        prefix: storagePrefix ? `${storagePrefix}/` : '',
        region: e.STORAGE_S3_REGION,
        endpoint: e.STORAGE_S3_ENDPOINT,
        credentials: s3Keys ? { accessKeyId: e.STORAGE_S3_ACCESS_KEY_ID!, secretAccessKey: e.STORAGE_S3_SECRET_ACCESS_KEY! } : undefined,
      }
    : { kind: 'local', dir: path.join(path.resolve(e.DATA_DIR), 'files') };
  const simPort = e.SIM_PORT ?? e.PORT + 1;
  const simIssuer = `http://127.0.0.1:${simPort}`;
  const simulated = !vneidSet;
  const demoClient = { client_id: 'motcua-demo', client_secret: 'motcua-demo-secret' };
  const acr = (e.VNEID_ACR_VALUES ?? 'LoA1,LoA2').split(',').map((s) => s.trim());
  if (acr.length !== 2 || acr.some((a) => !a)) throw fail('VNEID_ACR_VALUES', 'two comma-separated values, for level 1 and level 2');
  const vneid: OidcProviderConfig = simulated
    ? {
        issuer: simIssuer,
        clientId: demoClient.client_id,
        clientSecret: demoClient.client_secret,
        clientAuth: 'client_secret_post',
        clientKey: undefined,
        claims: 'dvcqg',
        minLoa: Number(e.VNEID_MIN_LOA) as 1 | 2,
        acrValues: ['LoA1', 'LoA2'],
      }
    : {
        issuer: e.VNEID_ISSUER!,
        clientId: e.VNEID_CLIENT_ID!,
        clientSecret: e.VNEID_CLIENT_SECRET!,
        clientAuth: e.VNEID_CLIENT_AUTH,
        clientKey: e.VNEID_CLIENT_KEY,
        claims: e.VNEID_CLAIMS,
        minLoa: Number(e.VNEID_MIN_LOA) as 1 | 2,
        acrValues: acr as [string, string],
        endpoints: explicitEndpoints
          ? {
              authorization: e.VNEID_AUTHORIZATION_ENDPOINT!,
              token: e.VNEID_TOKEN_ENDPOINT!,
              userinfo: e.VNEID_USERINFO_ENDPOINT!,
              jwks: e.VNEID_JWKS_URI!,
            }
          : undefined,
      };
  const registryToken = 'motcua-demo-registry-token';
  // Demo mode (not production, nothing set): the stand-ins on the simulator's origin, reporting to our webhooks.
  const sms: SmsConfig | null = smsSet
    ? {
        url: e.SMS_GATEWAY_URL!,
        token: e.SMS_GATEWAY_TOKEN!,
        brandname: e.SMS_BRANDNAME!,
        unaccented: e.SMS_UNACCENTED,
        maxSegments: e.SMS_MAX_SEGMENTS,
        reportSecret: e.SMS_REPORT_SECRET!,
        simulated: false,
      }
    : production
      ? null
      : {
          url: `${simIssuer}${SIM_SMS_PATH}`,
          token: DEMO_SMS.token,
          brandname: DEMO_SMS.brandname,
          unaccented: e.SMS_UNACCENTED,
          maxSegments: e.SMS_MAX_SEGMENTS,
          reportSecret: DEMO_SMS.reportSecret,
          simulated: true,
        };
  const zns: ZnsConfig | null = znsSet
    ? {
        url: e.ZNS_URL!,
        appId: e.ZNS_APP_ID!,
        appSecret: e.ZNS_APP_SECRET!,
        oauthUrl: e.ZNS_OAUTH_URL ?? ZALO_OAUTH_URL,
        refreshToken: e.ZNS_REFRESH_TOKEN!,
        accessToken: e.ZNS_ACCESS_TOKEN,
        webhookSecret: e.ZNS_WEBHOOK_SECRET!,
        simulated: false,
      }
    : production
      ? null
      : {
          url: `${simIssuer}${SIM_ZNS_PATH}`,
          appId: DEMO_ZNS.appId,
          appSecret: DEMO_ZNS.appSecret,
          oauthUrl: `${simIssuer}${SIM_ZNS_OAUTH_PATH}`,
          refreshToken: DEMO_ZNS.refreshToken,
          accessToken: DEMO_ZNS.accessToken,
          webhookSecret: DEMO_ZNS.secret,
          simulated: true,
        };
  const sessionSecret = e.SESSION_SECRET ?? DEV_SESSION_SECRET;
  const demoData = production ? false : (e.DEMO_DATA ?? true);
  // Demo mode: the built-in provider, with a secret derived from SESSION_SECRET (only its SHA-256 is registered).
  const ssoDemo: SsoDemoConfig | null =
    !ssoSet && demoData
      ? {
          oneStopClientId: 'motcua-mot-cua',
          demoClient: { clientId: 'motcua-sso-demo', port: e.SSO_DEMO_CLIENT_PORT, url: `http://localhost:${e.SSO_DEMO_CLIENT_PORT}` },
        }
      : null;
  const ssoRp = (issuer: string, clientId: string, clientSecret: string): OidcProviderConfig => ({
    issuer,
    clientId,
    clientSecret,
    clientAuth: 'client_secret_basic',
    clientKey: undefined,
    claims: 'oidc',
    minLoa: vneid.minLoa,
    acrValues: ['LoA1', 'LoA2'],
    // The CCCD names the person (src/auth/person-accounts.ts): a provincial SSO is asked for it, as for the name.
    scope: 'openid profile cccd',
  });
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    databasePool: { size: e.DB_POOL_SIZE, statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS },
    sessionSecret,
    demoPassword: e.DEMO_PASSWORD,
    demoData,
    trustProxy: e.TRUST_PROXY,
    migrateOnStart: e.MIGRATE_ON_START,
    worker: e.WORKER,
    shutdown: { drainMs: e.SHUTDOWN_DRAIN_MS ?? (production ? 3_000 : 0), graceMs: e.SHUTDOWN_GRACE_MS },
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN ?? null,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    sessionCacheMs: e.SESSION_CACHE_MS ?? (production ? 5_000 : 0),
    changeFeed: changeFeedTiming(e.CHANGE_FEED_HEARTBEAT_MS),
    simulated,
    sim: {
      port: simPort,
      issuer: simIssuer,
      registryToken,
      payment: { merchants: [DEMO_PAYMENT] },
      nationalPortal: { token: SIM_NATIONAL_PORTAL.token, province: SIM_NATIONAL_PORTAL.province },
      sms: sms?.simulated
        ? { token: sms.token, reportUrl: `${publicUrl}${NOTIFY_REPORT_PATHS.sms}`, reportSecret: sms.reportSecret }
        : undefined,
      smtpPort: !emailSet && !production ? e.SIM_SMTP_PORT : undefined,
      zns: zns?.simulated
        ? {
            appId: zns.appId,
            appSecret: zns.appSecret,
            refreshToken: zns.refreshToken,
            accessToken: zns.accessToken ?? DEMO_ZNS.accessToken,
            webhookUrl: `${publicUrl}${NOTIFY_REPORT_PATHS.zns}`,
            secret: zns.webhookSecret,
          }
        : undefined,
      clients: [
        {
          ...demoClient,
          redirect_uris: [`${publicUrl}/tiepnhan/dang-nhap/vneid/callback`, `${publicUrl}/dang-nhap/vneid/callback`],
        },
      ],
    },
    vneid,
    registry: registrySet
      ? { url: e.REGISTRY_URL!, token: e.REGISTRY_TOKEN! }
      : { url: `${simIssuer}/registry/v1/verify`, token: registryToken },
    payment: paymentSet
      ? { url: e.PAYMENT_URL!, merchant: e.PAYMENT_MERCHANT!, secret: e.PAYMENT_SECRET!, simulated: false }
      : { url: `${simIssuer}${SIM_PAYMENT_PATH}`, merchant: DEMO_PAYMENT.code, secret: DEMO_PAYMENT.secret, simulated: true },
    sms,
    zns,
    email: emailSet
      ? { smtpUrl: e.SMTP_URL!, from: e.MAIL_FROM!, simulated: false }
      : production
        ? null
        : { smtpUrl: `smtp://127.0.0.1:${e.SIM_SMTP_PORT}`, from: DEMO_MAIL_FROM, simulated: true },
    nationalPortal: nationalSet
      ? { url: e.NATIONAL_PORTAL_URL!, token: e.NATIONAL_PORTAL_TOKEN!, province: e.NATIONAL_PORTAL_PROVINCE!, simulated: false }
      : demoData
        ? {
            url: `${simIssuer}${SIM_NATIONAL_PORTAL.path}`,
            token: SIM_NATIONAL_PORTAL.token,
            province: SIM_NATIONAL_PORTAL.province,
            simulated: true,
          }
        : null,
    sso: ssoSet
      ? ssoRp(e.SSO_ISSUER!, e.SSO_CLIENT_ID!, e.SSO_CLIENT_SECRET!)
      : ssoDemo
        ? ssoRp(`${publicUrl}/sso`, ssoDemo.oneStopClientId, demoSsoSecret(sessionSecret, ssoDemo.oneStopClientId))
        : null,
    ssoDemo,
    ssoProvider: { keyEncryptionKey: keyBytes(e.SSO_KEY_ENCRYPTION_KEY ?? DEV_SSO_KEY_ENCRYPTION_KEY) },
    storage,
    storageGc: { trashDays: e.STORAGE_TRASH_DAYS, maxUnreferencedPercent: e.STORAGE_GC_MAX_UNREFERENCED_PERCENT },
    personalFiles: {
      quotaBytes: e.PERSONAL_FILES_QUOTA_MB * 1024 * 1024,
      quotaFiles: e.PERSONAL_FILES_QUOTA_FILES,
      uploadDailyBytes: (e.PERSONAL_UPLOAD_DAILY_MB ?? 2 * e.PERSONAL_FILES_QUOTA_MB) * 1024 * 1024,
    },
    reception: { scanMaxBytes: e.RECEPTION_SCAN_MAX_MB * 1024 * 1024, uploadMaxBytes: e.RECEPTION_UPLOAD_MAX_MB * 1024 * 1024 },
  };
}

/** The demo one-stop client's secret at its own provider: derived, so it is never stored (only its SHA-256 is registered). */
function demoSsoSecret(sessionSecret: string, clientId: string): string {
  return crypto.createHmac('sha256', sessionSecret).update(`sso-demo-client:${clientId}`).digest('base64url');
}

/** 32 key bytes from 64 hex digits or base64 (standard or URL-safe), as SSO_KEY_ENCRYPTION_KEY allows. */
function keyBytes(text: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text.replace(/=$/, ''), 'base64url');
}

/** For the command entry points (start, scripts): the configuration, or its message on stderr and exit code 2. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
