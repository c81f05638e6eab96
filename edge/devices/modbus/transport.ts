/**
 * A Modbus transport carries one request PDU to a unit id and returns the response PDU.
 * RTU (serial, CRC-16) and TCP (MBAP header) implement it; callers never see framing.
 *
 * Contract:
 * - one transaction at a time per transport: concurrent calls queue in call order (RS-485 is half duplex);
 * - failures reject with a QuaysideError: EDGE_MODBUS_TIMEOUT, EDGE_MODBUS_CRC, EDGE_MODBUS_FRAME
 *   (short/long frame, wrong unit id, wrong function, wrong transaction id), EDGE_MODBUS_DISCONNECTED;
 *   a Modbus exception response resolves normally (function | 0x80) and is turned into
 *   EDGE_MODBUS_EXCEPTION by the client layer;
 * - after a failure the transport resynchronises itself (drops stray bytes, reconnects TCP lazily).
 */
export interface ModbusTransport {
  request(unitId: number, pdu: Buffer, timeoutMs: number): Promise<Buffer>;
  close(): Promise<void>;
  /** Counters for metrics. */
  readonly stats: TransportStats;
}

export interface TransportStats {
  requests: number;
  timeouts: number;
  crcErrors: number;
  frameErrors: number;
  reconnects: number;
}
