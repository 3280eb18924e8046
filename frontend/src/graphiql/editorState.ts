/**
 * What the GraphiQL page keeps in its address, as strawberry's own GraphiQL page does:
 * `q` (the query) and `variables`, so that a link shares the editor's contents.
 */

export interface EditorParams {
  q?: string;
  variables?: string;
  headers?: string;
}

const KEYS = ["q", "variables", "headers"] as const;

export function readParams(search: string): EditorParams {
  const params = new URLSearchParams(search);
  const out: EditorParams = {};
  for (const key of KEYS) {
    const value = params.get(key);
    if (value) out[key] = value;
  }
  return out;
}

/** The search string with `changes` applied; empty values are dropped, other parameters kept. */
export function writeParams(search: string, changes: EditorParams): string {
  const params = new URLSearchParams(search);
  for (const key of KEYS) {
    if (!(key in changes)) continue;
    const value = changes[key];
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
