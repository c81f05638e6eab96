/** One entry point for every connector kind. */
import { pullFileInbox } from './file-inbox.js';
import { pullHttpJson } from './http-json.js';
import { pullInflux } from './influx.js';
import { pullMqtt } from './mqtt.js';
import { pullPostgres } from './postgres.js';
import { pullSftp } from './sftp.js';
import { SLICE_ROWS, sliced, type PullContext, type PullResult } from './types.js';

export { ConnectorError, gather, SLICE_ROWS, type PullContext, type PullResult, type PullSlice } from './types.js';

/** Starts a pull; its records come in slices of at most ctx.sliceRows (see PullResult). */
export async function pull(ctx: PullContext): Promise<PullResult> {
  const result = await pullKind(ctx);
  // Connectors hand over natural pieces (a file's chunk, a page, a batch); the run gets even slices.
  result.slices = sliced(result.slices, ctx.sliceRows ?? SLICE_ROWS);
  return result;
}

function pullKind(ctx: PullContext): Promise<PullResult> {
  const src = ctx.definition.source;
  switch (src.kind) {
    case 'http-json':
      return pullHttpJson(src, ctx);
    case 'file-inbox':
      return pullFileInbox(src, ctx);
    case 'postgres':
      return pullPostgres(src, ctx);
    case 'mqtt':
      return pullMqtt(src, ctx);
    case 'influx':
      return pullInflux(src, ctx);
    case 'sftp':
      return pullSftp(src, ctx);
  }
}
