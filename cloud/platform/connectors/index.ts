/** One entry point for every connector kind. */
import { pullFileInbox } from './file-inbox.js';
import { pullHttpJson } from './http-json.js';
import { pullInflux } from './influx.js';
import { pullMqtt } from './mqtt.js';
import { pullPostgres } from './postgres.js';
import { pullSftp } from './sftp.js';
import type { PullContext, PullResult } from './types.js';

export { ConnectorError, type PullContext, type PullResult } from './types.js';

export function pull(ctx: PullContext): Promise<PullResult> {
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
