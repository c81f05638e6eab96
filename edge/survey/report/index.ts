/** The draft-survey PDF report (Chinese, English secondary labels). */
export { renderSurveyReport, type ReportPhoto, type SurveyKind, type SurveyReportInput, type SurveyReportMeta } from './render.js';
export { findCjkFonts, FONT_PACKAGES, type FontFace, type ReportFonts } from './fonts.js';
