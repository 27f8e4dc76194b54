/**
 * The libraries an instance loads at their first use, never at start (docs/decisions/0029): spreadsheets, PDF, QR
 * codes, e-mail, S3, the SSO provider, the embedded database, VNeID's relying party and its JOSE library, the job
 * queue's library, CSV, the holiday rules. Checked on the sources (start-loads.test.ts) and on the build
 * (build-output.test.ts).
 */
export const AT_FIRST_USE = [
  'exceljs',
  'pdfkit',
  'qrcode',
  'nodemailer',
  '@aws-sdk/client-s3',
  'oidc-provider',
  '@electric-sql/pglite',
  'date-holidays',
  'openid-client',
  'jose',
  'pg-boss',
  'csv-parse',
];
