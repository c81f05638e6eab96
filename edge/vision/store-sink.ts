/**
 * Where camera detections go: the edge store's events table first (so they survive a crash and show in
 * the local API), then the bus for flows (`vision.detection`). The sync cuts store events into event
 * envelopes like any other; edge/sync/batch.ts keeps a detection's value, confidence and snapshot hash.
 */
import type { GatewayBus } from '../bus.js';
import type { EdgeStore } from '../store/store.js';
import type { EventSink, VisionEvent } from './events.js';

export function storeSink(store: EdgeStore, bus: GatewayBus, onStored?: () => void): EventSink {
  return {
    append(e: VisionEvent): void {
      store.addEvent({
        ts: e.ts,
        device: e.camera,
        kind: e.kind,
        severity: 'info',
        message: `${e.kind} ${String(e.value)}`.slice(0, 1000),
        data: e,
      });
      onStored?.();
      bus.emit('vision.detection', e);
    },
  };
}
