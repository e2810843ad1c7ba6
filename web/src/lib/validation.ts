// Client-side checks that mirror the server's rules, so most mistakes show before a round trip.
// The server stays the authority: its field errors are shown too.

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;
export const NAME_MAX = 200;

export function validateEmail(value: string): string | null {
  const v = value.trim();
  if (!v) return 'Enter an email address';
  if (v.length > 254 || !EMAIL.test(v)) return 'Enter a valid email address, like name@example.com';
  return null;
}

export function validateNewPassword(value: string): string | null {
  if (value.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`;
  if (value.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`;
  return null;
}

export function validateRequiredPassword(value: string): string | null {
  return value ? null : 'Enter your password';
}

export function validateName(label: string) {
  return (value: string): string | null => {
    const v = value.trim();
    if (!v) return `Enter ${label}`;
    if (v.length > NAME_MAX) return `Use at most ${NAME_MAX} characters`;
    return null;
  };
}

export function validateConfirmation(value: string, values: { newPassword: string }): string | null {
  return value === values.newPassword ? null : 'The passwords don’t match';
}
