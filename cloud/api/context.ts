/** What the API handlers may use: ports and services, never adapters' internals. */
import type { BrokerLink } from '../broker/port.js';
import type { GatewayService } from '../gateways/service.js';
import type { Ingest } from '../ingest/ingest.js';
import type { CloudStore } from '../store/cloud-store.js';
import type { TimeSeriesPort } from '../timeseries/port.js';

export interface ApiContext {
  store: CloudStore;
  series: TimeSeriesPort;
  gateways: GatewayService;
  broker: BrokerLink;
  ingest: Ingest;
  adminToken: string;
  startedAt: number;
}
