/** Line-protocol (NMEA-0183-style sentence) driver side: framing, line splitting, the port and the streaming driver. */
export {
  MAX_SENTENCE_BYTES,
  decodeFrame,
  decodeSentence,
  encodeFields,
  encodeSentence,
  formatNumber,
  parseFrame,
  xorChecksum,
  type DecodeResult,
  type DecodedSentence,
  type Frame,
  type FrameResult,
  type SentenceRejection,
} from './sentence.js';
export { LineSplitter, type LineSplitterOptions, type SplitterDrop, type SplitterStats } from './line-splitter.js';
export { openSerialLinePort, type LinePort, type OpenLinePort } from './port.js';
export { createSentenceDriver, toSample, type SentenceDriver, type SentenceDriverOptions, type SentenceDriverStats } from './driver.js';
