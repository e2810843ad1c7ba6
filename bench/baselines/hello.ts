// Baseline: a bare Fastify hello-world with the server's logger settings (pino at warn). The autosave
// capacity figure is reported as a share of this one, measured in the same run on the same machine.
import Fastify from 'fastify';

const app = Fastify({ logger: { level: 'warn' } });
app.get('/', async () => ({ hello: 'world' }));

const port = Number(process.env.PORT ?? 0);
await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`listening on ${port}\n`);
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
