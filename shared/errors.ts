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
  EDGE_SNAPSHOT_NOT_FOUND: { message: 'no camera snapshot at that path', http: 404, retryable: false },
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
  // edge draft survey (vessel library, survey sessions, signing, report)
  EDGE_SURVEY_NOT_FOUND: { message: 'no survey session, capture or photo with that id', http: 404, retryable: false },
  EDGE_SURVEY_VESSEL_NOT_FOUND: { message: 'no vessel (or vessel version) with that IMO number in the library', http: 404, retryable: false },
  EDGE_SURVEY_VESSEL_INVALID: { message: 'vessel files are invalid (each issue names file, row and column)', http: 422, retryable: false },
  EDGE_SURVEY_VESSEL_VERSION: { message: 'a new vessel version must be valid from a date after the previous version', http: 409, retryable: false },
  EDGE_SURVEY_REASON_REQUIRED: { message: 'a manual entry or override needs a reason', http: 400, retryable: false },
  EDGE_SURVEY_INSTRUMENT: { message: 'device is not an instrument of the kind this reading needs', http: 400, retryable: false },
  EDGE_SURVEY_NO_SAMPLES: { message: 'no good samples from the instrument in the chosen window', http: 422, retryable: true },
  EDGE_SURVEY_TANK: { message: 'tank reading cannot be turned into a volume (outside the tank table, trim needed, bad density)', http: 422, retryable: false },
  EDGE_SURVEY_DENSITY: { message: 'density reading cannot be converted to the hydrometer basis', http: 422, retryable: false },
  EDGE_SURVEY_INCOMPLETE: { message: 'survey lacks readings needed for this step (six drafts, dock density)', http: 409, retryable: false },
  EDGE_SURVEY_COMPUTE: { message: 'the draft-survey engine rejected the case (code and path in the message)', http: 422, retryable: false },
  EDGE_SURVEY_NOT_COMPUTED: { message: 'survey must be computed (with its current inputs) before it is signed or reported', http: 409, retryable: false },
  EDGE_SURVEY_LOCKED: { message: 'survey is signed and can no longer change', http: 409, retryable: false },
  EDGE_SURVEY_DUPLICATE_DEDUCTIBLE: { message: 'a deductible is entered both by hand and from tank soundings; keep one', http: 409, retryable: false },
  EDGE_SURVEY_CASE_MISMATCH: { message: 'surveys of one case must share the vessel version, and a stage may occur once', http: 409, retryable: false },
  EDGE_SURVEY_PHOTO: { message: 'photo is empty, too large or not a JPEG, PNG or WebP image', http: 400, retryable: false },
  EDGE_SURVEY_KEY: { message: 'the gateway signing key cannot be read or created', http: 500, retryable: false },
  EDGE_SURVEY_REPORT: { message: 'the PDF report cannot be rendered', http: 500, retryable: true },
  // cloud console: 4A (accounts, sessions, OIDC, permissions, audit) and supervision work
  CLOUD_AUTH_REQUIRED: { message: 'not logged in, or the session has expired', http: 401, retryable: false },
  CLOUD_AUTH_FAILED: { message: 'wrong username or password', http: 401, retryable: false },
  CLOUD_AUTH_LOCKED: { message: 'account is locked after repeated failed logins', http: 423, retryable: true },
  CLOUD_AUTH_RATE_LIMITED: { message: 'too many login attempts; wait before trying again', http: 429, retryable: true },
  CLOUD_AUTH_PENDING: { message: 'account is pending activation or disabled', http: 403, retryable: false },
  CLOUD_AUTH_FORBIDDEN: { message: 'the role lacks the permission this route needs', http: 403, retryable: false },
  CLOUD_AUTH_CSRF: { message: 'missing or wrong x-csrf-token header', http: 403, retryable: false },
  CLOUD_AUTH_PASSWORD_RULES: { message: 'password does not meet the password rules', http: 400, retryable: false },
  CLOUD_AUTH_USER_EXISTS: { message: 'a user with that username already exists', http: 409, retryable: false },
  CLOUD_AUTH_USER_NOT_FOUND: { message: 'no user with that id', http: 404, retryable: false },
  CLOUD_AUTH_ROLES: { message: 'role set is invalid (unknown role, or enterprise mixed with customs roles, or enterprise without an enterprise)', http: 400, retryable: false },
  CLOUD_AUTH_USCC: { message: 'unified social credit code is invalid (format or GB 32100 check character)', http: 400, retryable: false },
  CLOUD_AUTH_ORG: { message: 'organisation is unknown, of the wrong kind, or already exists', http: 409, retryable: false },
  CLOUD_AUTH_OIDC: { message: 'OIDC login failed (identity provider unreachable, or state, PKCE or token check failed)', http: 502, retryable: true },
  CLOUD_AUTH_OIDC_DISABLED: { message: 'OIDC login is not configured', http: 404, retryable: false },
  CLOUD_SUPERVISION_NOT_FOUND: { message: 'no such task, appointment, declaration, ticket, camera or notice (or not yours)', http: 404, retryable: false },
  CLOUD_SUPERVISION_STATE: { message: 'not allowed in the current state (already done, decided, acknowledged or not assigned to you)', http: 409, retryable: false },
  CLOUD_SUPERVISION_EVIDENCE: { message: 'evidence is invalid (photo type or size, unknown reading or survey)', http: 400, retryable: false },
  CLOUD_SUPERVISION_EDGE_READING: { message: 'no current reading of that device and point from the edge', http: 422, retryable: true },
  CLOUD_SUPERVISION_QUEUE_WINDOW: { message: 'queue window is not configured (gateway and terminal)', http: 409, retryable: false },
  CLOUD_SUPERVISION_INTEGRITY: { message: 'stored evidence file no longer matches its SM3 hash', http: 409, retryable: false },
  // edge flows (embedded Node-RED, quay nodes, flow management)
  EDGE_FLOWS_UNAVAILABLE: { message: 'flows (Node-RED) are disabled, still starting, or failed to start', http: 503, retryable: true },
  EDGE_FLOWS_START: { message: 'the embedded Node-RED runtime failed to start (the gateway runs on without flows)', http: 500, retryable: false },
  EDGE_FLOWS_INVALID: { message: 'flow file is invalid (not an array of nodes, duplicate ids, unknown node types)', http: 400, retryable: false },
  EDGE_FLOWS_DEPLOY: { message: 'flows could not be deployed to the runtime', http: 500, retryable: true },
  EDGE_FLOWS_VERSION: { message: 'no such flow version, or no earlier version to roll back to', http: 404, retryable: false },
  EDGE_FLOWS_NO_LISTENER: { message: 'no quay command in node listens for that flow name', http: 404, retryable: true },
  EDGE_FLOWS_UNCAUGHT: { message: 'a flow raised an uncaught exception; it was contained and the gateway runs on', http: 500, retryable: false },
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
