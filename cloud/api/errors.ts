/** HTTP error mapping: QuaysideError → its catalogue status + `{error:{code,message}}`; bad input → 400. */
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { QuaysideError, isQuaysideError } from '../../shared/errors.js';
import { fieldErrors } from '../../shared/validation.js';

/** Wraps an async handler so its rejection reaches the error middleware (express 4). */
export const handle =
  (fn: (req: Request, res: Response) => Promise<void> | void): RequestHandler =>
  (req, res, next: NextFunction) => {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch(next);
  };

/** CLOUD_BAD_REQUEST naming each bad field of `where` (`entry.sharing.conditions: …; …`). */
export function badInput(where: string, error: z.ZodError): QuaysideError {
  return new QuaysideError('CLOUD_BAD_REQUEST', fieldErrors(error).map((e) => `${where}${e.path === '(root)' ? '' : e.path.startsWith('[') ? e.path : `.${e.path}`}: ${e.message}`).join('; '));
}

/** Parses with zod or throws CLOUD_BAD_REQUEST naming each bad field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw badInput(where, r.error);
}

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

export const notFound: RequestHandler = (req, res) => sendError(res, 404, 'CLOUD_NOT_FOUND', `no route ${req.method} ${req.path}`);

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (isQuaysideError(err)) {
      if (err.http >= 500) log.warn({ code: err.code, path: req.path, detail: err.detail }, 'request failed');
      return sendError(res, err.http, err.code, err.message);
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return sendError(res, 400, 'CLOUD_BAD_REQUEST', `request body is not valid JSON: ${e.message ?? ''}`);
    if (e.type === 'entity.too.large') return sendError(res, 413, 'CLOUD_BAD_REQUEST', 'request body too large');
    log.error({ err, path: req.path }, 'unexpected error in request');
    return sendError(res, 500, 'INTERNAL', 'internal error');
  };
}
