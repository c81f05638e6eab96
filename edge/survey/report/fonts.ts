/**
 * CJK fonts for the PDF report. pdfkit embeds a subset of a TrueType or CFF font, including one
 * face out of a TrueType/OpenType collection (.ttc) chosen by its PostScript name.
 *
 * Looked for, in order (Debian packages):
 *   fonts-noto-cjk     /usr/share/fonts/opentype/noto/NotoSansCJK-{Regular,Bold}.ttc  (Noto Sans CJK SC)
 *   fonts-wqy-zenhei   /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc                   (WenQuanYi Zen Hei)
 *   fonts-droid-fallback /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
 * Pass `fonts` to use another file; without any of them the report cannot show Chinese and
 * rendering fails with a message naming the packages.
 */
import { existsSync } from 'node:fs';

export interface FontFace {
  path: string;
  /** PostScript name of the face inside a .ttc collection. */
  family?: string;
}

export interface ReportFonts {
  regular: FontFace;
  bold?: FontFace;
}

const CANDIDATES: ReportFonts[] = [
  {
    regular: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
    bold: { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', family: 'NotoSansCJKsc-Bold' },
  },
  { regular: { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' } },
  { regular: { path: '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf' } },
];

export const FONT_PACKAGES = 'fonts-noto-cjk (preferred) or fonts-wqy-zenhei';

/** The first installed CJK font set, or undefined. */
export function findCjkFonts(): ReportFonts | undefined {
  for (const candidate of CANDIDATES) {
    if (existsSync(candidate.regular.path)) {
      return candidate.bold && existsSync(candidate.bold.path) ? candidate : { regular: candidate.regular };
    }
  }
  return undefined;
}
