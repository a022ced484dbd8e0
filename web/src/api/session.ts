/**
 * The API key lives in sessionStorage only: gone when the tab closes, never in a URL, a cookie or a log. The
 * project last opened is remembered the same way, so a reload lands where the person was.
 */
const KEY = 'verdict.apiKey';

export function storedApiKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeApiKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(KEY);
}
