import { Alert } from '@mantine/core';

/**
 * The form-level error. The live region is always in the page so screen readers announce the
 * message when it appears.
 */
export function FormAlert({
  message,
  title = 'That didn’t work',
}: {
  message: string | null;
  title?: string;
}) {
  return (
    <div aria-live="assertive" aria-atomic="true">
      {message && (
        <Alert color="red" title={title} role="presentation">
          {message}
        </Alert>
      )}
    </div>
  );
}
