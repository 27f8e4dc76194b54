/**
 * `npm run restart:rolling -- [--port 3000]`: asks the cluster of `npm run start:cluster` serving that port to
 * restart its instances one by one (docs/decisions/0026), prints its progress, and exits 0 once every instance is
 * back in rotation — 1 when the cluster reports an error, 2 when there is no cluster to ask.
 */
import fs from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { assertPrivateDir, controlSocketPath } from './cluster-instances.js';

function usage(message: string): never {
  console.error(`${message}\nusage: npm run restart:rolling -- [--port 3000]`);
  process.exit(2);
}

let portText: string | undefined;
try {
  portText = parseArgs({ options: { port: { type: 'string' } }, strict: true }).values.port;
} catch (err) {
  usage((err as Error).message);
}
portText ??= process.env.PORT ?? '3000';
if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) usage('--port: a whole number from 1 to 65535');
const control = controlSocketPath(Number(portText));
if (!fs.existsSync(control)) {
  console.error(`No cluster serves port ${portText} (no control socket at ${control}): start one with npm run start:cluster.`);
  process.exit(2);
}
// Only the cluster's own socket, in a folder of ours that nobody else may enter, is asked to restart.
try {
  assertPrivateDir(path.dirname(control));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

const socket = net.connect(control, () => socket.write('restart\n'));
socket.setEncoding('utf8');
let buffered = '';
let result: 'ok' | 'error' | null = null;
socket.on('data', (chunk: string) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    if (line === 'ok') result = 'ok';
    else if (line.startsWith('error: ')) {
      result = 'error';
      console.error(line.slice('error: '.length));
    } else console.log(line);
  }
});
socket.on('error', (err) => {
  console.error(`The cluster's control socket ${control} does not answer: ${err.message}`);
  process.exit(2);
});
socket.on('close', () => {
  if (result === 'ok') console.log('Rolling restart done: every instance is back in rotation.');
  else if (result === null) console.error('The cluster closed the connection before the restart ended.');
  process.exit(result === 'ok' ? 0 : 1);
});
