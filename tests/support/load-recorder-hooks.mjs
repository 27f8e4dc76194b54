// Module hooks (node:module register) for tests/start-loads.test.ts: every URL a module resolves to is posted back.
let port;
export async function initialize(data) {
  port = data.port;
}
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  port.postMessage(resolved.url);
  return resolved;
}
