import { startTestGateway } from './helpers/gateway.ts';
import { call } from './helpers/http.ts';

const g = await startTestGateway();
console.log((await call(g.url, 'GET', '/api/organisations/9999999999')).text);
console.log((await call(g.url, 'GET', '/api/organisations/4294967295')).text);
await g.stop();
