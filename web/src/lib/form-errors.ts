import type { UseFormReturnType } from '@mantine/form';
import { ApiError, fieldErrorsOf } from '../api/client';

const FALLBACK = 'Something went wrong. Try again.';

const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

/**
 * Shows a failed request on a form: the server's field errors go on the matching inputs (form values
 * are named like the request body), and what's left comes back as a message for the form's alert.
 * Returns null when every problem is shown on a field.
 */
// biome-ignore lint/suspicious/noExplicitAny: any form shape
export function applyApiError(form: UseFormReturnType<any, any>, err: unknown): string | null {
  if (!(err instanceof ApiError)) return FALLBACK;
  const values = form.getValues() as Record<string, unknown>;
  const onFields: Record<string, string> = {};
  const elsewhere: string[] = [];
  for (const [field, message] of Object.entries(fieldErrorsOf(err))) {
    if (field in values) onFields[field] = message;
    else elsewhere.push(message);
  }
  form.setErrors(onFields);
  if (elsewhere.length > 0) return [err.message, ...elsewhere].map(sentence).join(' ');
  if (Object.keys(onFields).length > 0) return null;
  return err.message || FALLBACK;
}

/** A one-line message for an error outside a form (a notification, a failed load). */
export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.message : FALLBACK;
}
