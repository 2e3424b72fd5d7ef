// Serves the bundled fixtures under their real URL paths on a local port, so `trade-etl refresh`
// can be tried without the internet:  npm run fixture-server -- 8787
import { startFixtureServer, fixtureEnv } from '../src/devtools/fixture-server.js';

const port = Number(process.argv[2] ?? 8787);
const server = await startFixtureServer({ port });
process.stdout.write(`fixture server on ${server.url}; point the sources at it with:\n`);
for (const [k, v] of Object.entries(fixtureEnv(server.url))) process.stdout.write(`  export ${k}=${v}\n`);
const stop = () => { void server.close().then(() => process.exit(0)); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
