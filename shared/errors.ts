/**
 * The error catalogue: every error code Quayside reports, its meaning, HTTP status and whether a
 * retry may help. Operators search these codes; docs/errors.md is kept in step by a test.
 */
export interface ErrorDef {
  message: string;
  http: number;
  retryable: boolean;
}

export const ERRORS = {
  CONFIG_INVALID: { message: 'configuration file is invalid', http: 500, retryable: false },
  CONFIG_UNREADABLE: { message: 'configuration file cannot be read or is not JSON', http: 500, retryable: false },
  PROFILE_INVALID: { message: 'firmware profile is invalid', http: 500, retryable: false },
  PROFILE_NOT_FOUND: { message: 'no firmware profile with that model id', http: 404, retryable: false },

  EDGE_MODBUS_TIMEOUT: { message: 'Modbus device did not answer in time', http: 504, retryable: true },
  EDGE_MODBUS_CRC: { message: 'Modbus RTU frame failed its CRC check', http: 502, retryable: true },
  EDGE_MODBUS_EXCEPTION: { message: 'Modbus device answered with an exception', http: 502, retryable: false },
  EDGE_MODBUS_FRAME: { message: 'malformed Modbus frame (length, unit id, function or transaction mismatch)', http: 502, retryable: true },
  EDGE_MODBUS_DISCONNECTED: { message: 'connection to the Modbus device is down', http: 503, retryable: true },
  EDGE_SENTENCE_CHECKSUM: { message: 'line-protocol sentence failed its checksum', http: 502, retryable: true },
  EDGE_SENTENCE_MALFORMED: { message: 'line-protocol sentence is malformed or unknown', http: 502, retryable: true },
  EDGE_SERIAL_OPEN: { message: 'serial port cannot be opened', http: 503, retryable: true },
  EDGE_WRITE_OUT_OF_RANGE: { message: 'value to write lies outside the point range', http: 400, retryable: false },
  EDGE_WRITE_NOT_WRITABLE: { message: 'point is not writable', http: 400, retryable: false },
  EDGE_WRITE_NOT_CONFIRMED: { message: 'value read back after a write differs from the value written', http: 502, retryable: true },
  EDGE_DEVICE_NOT_FOUND: { message: 'no device with that id', http: 404, retryable: false },
  EDGE_POINT_NOT_FOUND: { message: 'no point with that name on the device', http: 404, retryable: false },
  EDGE_BAD_REQUEST: { message: 'request is invalid', http: 400, retryable: false },
  EDGE_STORE_WRITE: { message: 'readings could not be committed to the edge store', http: 500, retryable: true },
  EDGE_DEVICE_UNAVAILABLE: { message: 'device is disabled, has no driver, or the gateway is stopping', http: 503, retryable: true },
  API_ROUTE_NOT_FOUND: { message: 'no such API route', http: 404, retryable: false },
  INTERNAL: { message: 'internal error (logged with details)', http: 500, retryable: true },
  // edge vision (cameras, models, events)
  EDGE_VISION_MODEL_MISSING: { message: 'vision model file is missing (npm package not installed)', http: 500, retryable: false },
  EDGE_VISION_MODEL_LOAD: { message: 'vision model could not be loaded by the inference runtime', http: 500, retryable: false },
  EDGE_VISION_INFERENCE: { message: 'vision inference failed', http: 500, retryable: true },
  EDGE_VISION_IMAGE: { message: 'image cannot be decoded or has the wrong size', http: 400, retryable: false },
  EDGE_CAMERA_CONFIG: { message: 'camera configuration is invalid', http: 500, retryable: false },
  EDGE_CAMERA_FFMPEG_MISSING: { message: 'no ffmpeg binary found for camera ingest', http: 500, retryable: false },
  EDGE_CAMERA_STREAM: { message: 'camera stream dropped or ffmpeg exited', http: 503, retryable: true },
  // cloud (broker, ingest, time-series, SQL store, API)
  CLOUD_BAD_REQUEST: { message: 'request is invalid', http: 400, retryable: false },
  CLOUD_NOT_FOUND: { message: 'no such resource', http: 404, retryable: false },
  CLOUD_UNAUTHORIZED: { message: 'missing or wrong admin token', http: 401, retryable: false },
  CLOUD_GATEWAY_NOT_FOUND: { message: 'no gateway with that id', http: 404, retryable: false },
  CLOUD_GATEWAY_EXISTS: { message: 'a gateway with that id already exists', http: 409, retryable: false },
  CLOUD_GATEWAY_REVOKED: { message: 'gateway is revoked', http: 403, retryable: false },
  CLOUD_ENROL_TOKEN: { message: 'enrolment token is wrong, expired or already used', http: 403, retryable: false },
  CLOUD_MQTT_AUTH: { message: 'MQTT client refused: bad username or password', http: 401, retryable: false },
  CLOUD_MQTT_ACL: { message: 'MQTT publish or subscribe outside the client\'s own topics', http: 403, retryable: false },
  CLOUD_INGEST_TOPIC: { message: 'message on an unknown uplink topic', http: 400, retryable: false },
  CLOUD_INGEST_TOO_LARGE: { message: 'uplink payload is larger than the envelope limit', http: 413, retryable: false },
  CLOUD_INGEST_JSON: { message: 'uplink payload is not valid JSON', http: 400, retryable: false },
  CLOUD_INGEST_SCHEMA: { message: 'uplink payload does not match its schema', http: 400, retryable: false },
  CLOUD_INGEST_GW_MISMATCH: { message: 'gateway id in the payload differs from the topic', http: 400, retryable: false },
  CLOUD_INGEST_KIND_MISMATCH: { message: 'envelope kind differs from the topic', http: 400, retryable: false },
  CLOUD_INGEST_OVERLOAD: { message: 'ingest queue is full; the message was dropped and the gateway will resend it', http: 503, retryable: true },
  CLOUD_TS_UNAVAILABLE: { message: 'time-series store cannot be reached', http: 503, retryable: true },
  CLOUD_TS_REJECTED: { message: 'time-series store refused the points', http: 422, retryable: false },
  CLOUD_TS_SPOOL_FULL: { message: 'time-series spool is full', http: 503, retryable: true },
  CLOUD_TS_QUERY: { message: 'time-series query failed', http: 502, retryable: true },
  CLOUD_STORE_WRITE: { message: 'cloud SQL store write failed', http: 500, retryable: true },
  CLOUD_BROKER: { message: 'MQTT broker failure', http: 503, retryable: true },
  CLOUD_TLS: { message: 'TLS certificate or key cannot be loaded or generated', http: 500, retryable: false },
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a catalogue code and an optional detail; `cause` keeps the original. */
export class QuaysideError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${ERRORS[code].message}: ${detail}` : ERRORS[code].message, options);
    this.name = 'QuaysideError';
    this.code = code;
    this.detail = detail;
  }
  get http(): number {
    return ERRORS[this.code].http;
  }
  get retryable(): boolean {
    return ERRORS[this.code].retryable;
  }
}

export function isQuaysideError(e: unknown, code?: ErrorCode): e is QuaysideError {
  return e instanceof QuaysideError && (code === undefined || e.code === code);
}
