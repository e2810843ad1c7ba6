// Small schema pieces every module shares.
import { z } from 'zod';

export const isoTime = z.string().describe('ISO 8601 time, UTC');
export const toIso = (ms: number) => new Date(ms).toISOString();
export const toIsoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  requestId: z.string(),
});

export const pageQuery = z.object({
  cursor: z.string().max(100).optional().describe('The nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const idParam = (name: string) => z.object({ [name]: z.string().min(1).max(100) });

export const emailField = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email('Enter a valid email address'))
  .transform((e) => e.toLowerCase());

export const nameField = z.string().trim().min(1, 'Required').max(200);

/** The error responses a staff route can give, for the OpenAPI document. */
export const staffErrors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
} as const;
