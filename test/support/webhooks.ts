/** A webhook receiver on a loopback port that keeps every request it gets and answers as the test says. */
import http from 'node:http';

export interface ReceivedHook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status it was answered with. */
  answered: number;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string;
  got: ReceivedHook[];
  close(): Promise<void>;
}

/** `answer` picks the status for each request, from its path and the requests received before it. */
export async function startWebhookReceiver(answer: (path: string, before: readonly ReceivedHook[]) => number = () => 200): Promise<WebhookReceiver> {
  const got: ReceivedHook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const answered = answer(path, got);
      got.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, got, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
