/**
 * The signed-in token and project, in this tab's session storage only: no cookies, nothing kept
 * after the tab closes, and sign-out forgets both.
 */
const TOKEN = "eventstreams.token";
const PROJECT = "eventstreams.project";

export interface Session {
  token: string;
  projectId: string;
}

export function currentSession(): Session | undefined {
  const token = sessionStorage.getItem(TOKEN);
  const projectId = sessionStorage.getItem(PROJECT);
  return token && projectId ? { token, projectId } : undefined;
}

export function signIn(session: Session): void {
  sessionStorage.setItem(TOKEN, session.token);
  sessionStorage.setItem(PROJECT, session.projectId);
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(PROJECT);
}
