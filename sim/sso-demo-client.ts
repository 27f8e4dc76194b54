/**
 * `npm run sso:demo-client`: the demo application that logs in through the provincial SSO of `npm start` (demo mode,
 * no SSO_* set: the demo seed registered it with its addresses at SSO_DEMO_CLIENT_PORT, default 3100).
 */
import { loadConfigOrExit } from '../src/config.js';
import { startSsoDemoClient } from './sso-demo/server.js';

const config = loadConfigOrExit();
if (!config.ssoDemo || !config.sso) {
  console.error('Ứng dụng minh họa chỉ chạy ở chế độ demo (dữ liệu demo, không đặt SSO_ISSUER), như npm start.');
  process.exit(2);
}
const demo = await startSsoDemoClient({
  issuer: config.sso.issuer,
  clientId: config.ssoDemo.demoClient.clientId,
  port: config.ssoDemo.demoClient.port,
  url: config.ssoDemo.demoClient.url,
});
console.log(`Ứng dụng minh họa đăng nhập tập trung: ${demo.url}  (Hệ thống xác thực tập trung: ${config.sso.issuer})`);
const stop = () => demo.close().finally(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
