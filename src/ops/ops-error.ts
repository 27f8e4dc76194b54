/** A refusal or failure of an operator's command (db:move, backup, restore), said so that the operator knows what to do. */
export class OpsError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'OpsError';
  }
}
