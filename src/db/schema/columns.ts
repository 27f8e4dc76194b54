import { customType } from 'drizzle-orm/pg-core';

/** Binary content: files kept in the database before file storage (docs/decisions/0012). Read back as a Buffer on both drivers. */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => Buffer.from(v),
});
