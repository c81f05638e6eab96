/**
 * Privacy: blurs face boxes (grown by 20 %) in a snapshot before it is stored. Faces are detected,
 * never identified.
 */
import sharp from 'sharp';
import type { BoxXyxy, RgbImage } from '../../image.js';
import { crop } from '../../image.js';

export async function blurRegions(img: RgbImage, boxes: BoxXyxy[], sigma = 12): Promise<RgbImage> {
  const out = { width: img.width, height: img.height, data: new Uint8Array(img.data) };
  for (const b of boxes) {
    const gw = (b[2] - b[0]) * 0.2;
    const gh = (b[3] - b[1]) * 0.2;
    const x1 = Math.max(0, Math.floor(b[0] - gw / 2));
    const y1 = Math.max(0, Math.floor(b[1] - gh / 2));
    const x2 = Math.min(img.width, Math.ceil(b[2] + gw / 2));
    const y2 = Math.min(img.height, Math.ceil(b[3] + gh / 2));
    if (x2 - x1 < 2 || y2 - y1 < 2) continue;
    const c = crop(img, [x1, y1, x2, y2]);
    const blurred = await sharp(Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength), { raw: { width: c.width, height: c.height, channels: 3 } })
      .blur(sigma)
      .raw()
      .toBuffer();
    for (let y = 0; y < c.height; y++) out.data.set(blurred.subarray(y * c.width * 3, (y + 1) * c.width * 3), ((y1 + y) * img.width + x1) * 3);
  }
  return out;
}
