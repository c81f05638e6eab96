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
