/** `npm run sim`: the simulators on their own (SIM_PORT, default 3001), for testers and training. */
import { loadConfigOrExit } from '../src/config.js';
import { startSimulator } from './server.js';

const config = loadConfigOrExit();
const sim = await startSimulator({
  port: config.sim.port,
  issuer: config.sim.issuer,
  host: '127.0.0.1',
  clients: config.sim.clients,
  registryToken: config.sim.registryToken,
  payment: config.sim.payment,
  sms: config.sim.sms,
  zns: config.sim.zns,
  nationalPortal: config.sim.nationalPortal,
  smtp: config.sim.smtpPort !== undefined ? { port: config.sim.smtpPort } : undefined,
});
console.log(
  `VNeID simulator: ${config.sim.issuer}  (population: ${config.sim.issuer}/dev/people, SMS: ${config.sim.issuer}/dev/sms?phone=…)`,
);
const stop = () => sim.close().finally(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
