// One pino logger for the process. Secrets never reach it: credentials in headers are redacted, and
// secret link tokens in URLs are masked before a request line is written.
import { type Logger, pino } from 'pino';

export type { Logger };

const TOKEN_PATH = /\/(i|join|reset-password|api\/v1\/take\/links)\/[^/?#]+/g;
const TOKEN_QUERY = /([?&](?:token|key|api_key|apiKey|access_token|secret|password)=)[^&#]*/gi;
// An API key pasted anywhere in an address (the API refuses it there, but the request is logged first).
const API_KEY = /assay_live_[A-Za-z0-9_-]+/g;

export function redactUrl(url: string): string {
  return url
    .replace(TOKEN_PATH, '/$1/[redacted]')
    .replace(TOKEN_QUERY, '$1[redacted]')
    .replace(API_KEY, 'assay_live_[redacted]');
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-csrf-token"]',
          'res.headers["set-cookie"]',
          '*.password',
          '*.token',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method: string; url: string; ip?: string; id?: string }) => ({
          method: req.method,
          url: redactUrl(req.url),
          ip: req.ip,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination ?? process.stdout,
  );
}
