// Words and figures of the System screen's identification card: the 1:N threshold for the current gallery.
import type { ResponseOf } from '../../contract.js';

/** The identification state as system:get carries it. */
export type IdentificationInfo = NonNullable<ResponseOf<'system:get'>['identification']>;

/** A rate (fraction 0..1) as administrators read it: "1 in 1,000 (0.1 %)". */
export function formatRate(rate: number): string {
  if (!(rate > 0)) return 'none';
  const percent = rate * 100;
  const percentText = percent >= 10 ? percent.toFixed(0) : percent >= 1 ? percent.toFixed(1) : percent.toPrecision(1);
  if (rate >= 0.1) return `${percentText} %`;
  const oneIn = Math.round(1 / rate);
  // Two significant figures are all a curve measured on dev data can promise.
  const rounded = Number(oneIn.toPrecision(2));
  return `1 in ${rounded.toLocaleString('en-GB')} (${percentText} %)`;
}

const SOURCE_TEXT: Readonly<Record<IdentificationInfo['source'], string>> = {
  curve: 'Follows the gallery size and the target',
  fixed: 'Fixed (no curve for this extractor)',
  override: 'Set by hand (override)',
};

/** What the site's own enrolled faces did to the threshold; why nothing, where not measured. */
function siteLikenessText(likeness: IdentificationInfo['siteLikeness']): string {
  if (!likeness) return 'Not measured (fewer than 10 people enrolled, or no reference for this extractor): the threshold follows the curve';
  return likeness.note;
}

/** The card's rows: term and value. */
export function identificationRows(info: IdentificationInfo): [string, string][] {
  return [
    ['Extractor', info.modelId],
    [
      'Gallery',
      `${info.gallerySize.toLocaleString('en-GB')} enabled ${info.gallerySize === 1 ? 'person' : 'people'} with a template (${info.galleryTemplates.toLocaleString('en-GB')} ${info.galleryTemplates === 1 ? 'template' : 'templates'}, averaged into one per person)`,
    ],
    ['Target FPIR', `${formatRate(info.targetFpir)} searches by someone not enrolled`],
    ['Threshold in use', `${info.thresholdSimilarity.toFixed(4)} cosine — ${SOURCE_TEXT[info.source]}`],
    ['Expected FPIR', info.expected ? `${formatRate(info.expected.fpir)} of searches by someone not enrolled name someone` : 'Unknown (no curve)'],
    ['Expected FNIR', info.expected ? `${formatRate(info.expected.fnir)} of searches by enrolled people are missed` : 'Unknown (no curve)'],
    ['This site’s faces', siteLikenessText(info.siteLikeness)],
    ...(info.oneToOneSimilarity !== undefined
      ? [['After a card', `${info.oneToOneSimilarity.toFixed(4)} cosine — the face is compared with the card holder’s only (card and face)`] as [string, string]]
      : []),
  ];
}
