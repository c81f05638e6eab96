/** Turns zod issues into one line per mistake, each with its path, so a person can fix a file at once. */
import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

/** `a.b[2].c` style path, the way people read JSON. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || '(root)';
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `  - ${e.path}: ${e.message}`).join('\n');
}
