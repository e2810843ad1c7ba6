// A real HTTP receiver on 127.0.0.1 for webhook tests: it records what arrives and answers as told.
import http from 'node:http';

export type Received = { headers: http.IncomingHttpHeaders; body: string; path: string };
export type Answer = { status: number; headers?: Record<string, string>; body?: string };

export async function startReceiver() {
  const received: Received[] = [];
  let answer: (r: Received) => Answer = () => ({ status: 200, body: 'ok' });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '' };
      received.push(r);
      const a = answer(r);
      res.writeHead(a.status, a.headers);
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answer(fn: (r: Received) => Answer) {
      answer = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
