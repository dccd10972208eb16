// Starts the servers a site hub needs, for development: PostgreSQL and the site's Mosquitto (TLS, client
// certificates, CRL, ACL), both on 127.0.0.1, data kept in one folder between runs. Prints the settings
// `lintel hub` reads, then runs until Ctrl-C.
//   npx tsx scripts/fleet-servers.ts [--dir out/fleet-dev] [--site dev-site] [--broker-port 8883] [--pg-port <n>]
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { MosquittoProcess } from '../electron/hub/broker/mosquitto-process.js';
import { deniedTerminalIds, hubPaths, HUB_CONFIG_FILE, initHubFolder, loadHubConfig } from '../electron/hub/pki/hub-folder.js';
import { startPostgresServer } from '../electron/hub/test/postgres-server.js';

const { values } = parseArgs({
  options: { dir: { type: 'string' }, site: { type: 'string' }, 'broker-port': { type: 'string' }, 'pg-port': { type: 'string' } },
});
const dir = resolve(values.dir ?? 'out/fleet-dev');
const hubDir = join(dir, 'hub');
mkdirSync(dir, { recursive: true });

if (!existsSync(join(hubDir, HUB_CONFIG_FILE))) {
  await initHubFolder(hubDir, { siteId: values.site ?? 'dev-site', ...(values['broker-port'] ? { brokerPort: Number(values['broker-port']) } : {}) });
  console.log(`new hub folder ${hubDir}`);
}
const config = loadHubConfig(hubDir);
const postgres = await startPostgresServer({ dataDir: join(dir, 'postgres'), ...(values['pg-port'] ? { port: Number(values['pg-port']) } : {}) });
let broker: MosquittoProcess;
try {
  broker = await MosquittoProcess.start({ paths: hubPaths(hubDir), config, deniedTerminalIds: deniedTerminalIds(hubDir) });
} catch (error) {
  await postgres.stop();
  throw error;
}

console.log(`PostgreSQL on 127.0.0.1:${postgres.port} (log ${postgres.logPath})`);
console.log(`Mosquitto on mqtts://${config.broker.host}:${config.broker.port} (log ${broker.logPath})`);
console.log('\nIn another shell:');
console.log(`  export LINTEL_HUB_DATA=${hubDir}`);
console.log(`  export LINTEL_HUB_DATABASE_URL='${postgres.connectionString}'`);
console.log('  npm run lintel -- hub enroll-terminal door-1 && npm run lintel -- hub serve');
console.log('\nCtrl-C stops both servers (the data stays in the folder).');

await new Promise<void>((resolveStop) => {
  process.once('SIGINT', resolveStop);
  process.once('SIGTERM', resolveStop);
});
await broker.stop();
await postgres.stop();
