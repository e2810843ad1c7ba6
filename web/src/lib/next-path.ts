// Where to go after signing in. Only a path on this site is accepted, so a crafted link
// can't send someone elsewhere after they sign in.
export const HOME_PATH = '/assessments';

export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return HOME_PATH;
  return next;
}

export function signInPath(next: string): string {
  return next === HOME_PATH || next === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`;
}
