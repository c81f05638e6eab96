/**
 * Modbus RTU CRC-16 (reflected polynomial 0xA001, initial value 0xFFFF), table-driven.
 * The CRC travels low byte first at the end of every RTU frame.
 */

const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-16/MODBUS of `buf[start..end)`. */
export function crc16(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ buf[i]!) & 0xff]!;
  return crc;
}

/** Writes the CRC of `buf[0..length)` into `buf[length]`, `buf[length + 1]` (low byte first); returns length + 2. */
export function writeCrc(buf: Uint8Array, length: number): number {
  const crc = crc16(buf, 0, length);
  buf[length] = crc & 0xff;
  buf[length + 1] = crc >>> 8;
  return length + 2;
}

/** True when the last two bytes of `buf[0..length)` are the CRC of the bytes before them. */
export function checkCrc(buf: Uint8Array, length = buf.length): boolean {
  if (length < 3) return false;
  const crc = crc16(buf, 0, length - 2);
  return buf[length - 2] === (crc & 0xff) && buf[length - 1] === crc >>> 8;
}
