/**
 * `lintel eval pad`: presentation-attack detection measured per ISO/IEC 30107-3 on a frames folder (pad-protocol).
 * Frames are measured once (faces, then each model's score and each cue's measure) into a cache; checks and
 * their combinations are then scored from the cache, so a re-run with other checks is quick.
 *
 * A combination `primary,veto1,veto2` scores a clip by its primary check; each veto can only reject: its threshold
 * is chosen on the threshold split so that it rejects at most `vetoBpcer` of the bona-fide clips there (or given,
 * `veto=0.8`, as the door runs it), and a clip it rejects scores −1 (below every threshold). The primary's threshold is chosen on the threshold split too,
 * never on the split the figures are reported for.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import type { RgbImage } from '../frame/rgb-image.js';
import type { BoxPx } from '../geometry/point.js';
import { median } from '../statistics.js';
import { padCheck } from './pad-checks.js';
import { renderPadDetSvg } from './det-svg.js';
import type { FrameLandmarks, PadFeature, PadFrameMeasurer } from './pad-features.js';
import {
  bpcerAtApcer,
  combineFrames,
  countClips,
  detCurve,
  equalErrorRate,
  FRAME_RULES,
  padRatesAt,
  thresholdForApcer,
  thresholdForBpcer,
  type DetPoint,
  type FrameRule,
  type PadCounts,
  type PadRates,
  type ScoredClip,
} from '../liveness/pad-metrics.js';
import type { PadClip } from '../liveness/pad-protocol.js';
import { writeFileAtomic } from '../../shared/write-file-atomic.js';

/** The largest face's landmarks as cached: the Float32Array's bytes (little-endian) in base64, exact and compact. */
export interface CachedLandmarks {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly meshNormBase64: string;
}

/** What is cached of one frame. */
export interface FrameRecord {
  readonly faceCount: number;
  readonly meshBoxPx?: BoxPx;
  readonly detectorBoxPx?: BoxPx;
  /** Absent when no face, or in caches made before landmarks were kept (measured again when a clip check needs them). */
  readonly landmarks?: CachedLandmarks;
  /** Feature → value, for the features measured so far (only where there is a face). */
  readonly values: Partial<Record<PadFeature, number>>;
  /** Feature → time it took, ms. */
  readonly durationsMs: Partial<Record<PadFeature, number>>;
}

/** Per-frame measurements of one frames folder, keyed by frame path relative to it. */
export interface PadFrameCache {
  /** What made the faces and the measures (model ids, measures version): a cache made otherwise is not reused. */
  readonly facesBy: string;
  readonly frames: Record<string, FrameRecord>;
}

/** Reads a cache file; a missing, unreadable or other-models cache is an empty one. */
export async function readPadCache(file: string, facesBy: string): Promise<PadFrameCache> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as PadFrameCache;
    if (parsed.facesBy === facesBy && typeof parsed.frames === 'object') return parsed;
  } catch {
    // Absent or damaged: measured again.
  }
  return { facesBy, frames: {} };
}

/** Landmarks in their cached form. */
export function encodeLandmarks(landmarks: FrameLandmarks): CachedLandmarks {
  const { meshNorm, widthPx, heightPx } = landmarks;
  return { widthPx, heightPx, meshNormBase64: Buffer.from(meshNorm.buffer, meshNorm.byteOffset, meshNorm.byteLength).toString('base64') };
}

/** Landmarks back from their cached form; a damaged entry throws, naming its length. */
export function decodeLandmarks(cached: CachedLandmarks): FrameLandmarks {
  const bytes = Buffer.from(cached.meshNormBase64, 'base64');
  if (bytes.length === 0 || bytes.length % 12 !== 0) throw new Error(`cached landmarks hold ${bytes.length} bytes, not a whole number of (x, y, z) float32 points`);
  const meshNorm = new Float32Array(bytes.length / 4);
  new Uint8Array(meshNorm.buffer).set(bytes);
  return { meshNorm, widthPx: cached.widthPx, heightPx: cached.heightPx };
}

/** Writes a cache file atomically. */
export async function writePadCache(file: string, cache: PadFrameCache): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(cache));
}

/** Options of {@link measureFrames}. */
export interface MeasureFramesOptions {
  readonly clips: readonly PadClip[];
  readonly framesDir: string;
  readonly features: readonly PadFeature[];
  /** Whether every face's landmarks must be in the cache (clip checks read them); default false. */
  readonly landmarks?: boolean;
  readonly cache: PadFrameCache;
  readonly measurer: PadFrameMeasurer;
  readonly decode: (framePath: string) => Promise<RgbImage>;
  /** Called after each frame that needed work, with frames done and frames to do. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called every `saveEvery` frames (default 200) and at the end, to persist the cache. */
  readonly save?: (cache: PadFrameCache) => Promise<void>;
  readonly saveEvery?: number;
}

/**
 * Measures every frame of `clips` that lacks a face record, one of `features` or (when asked) its landmarks, in
 * place in `cache`.
 */
export async function measureFrames(options: MeasureFramesOptions): Promise<void> {
  const { clips, framesDir, features, landmarks = false, cache, measurer, decode, onProgress, save, saveEvery = 200 } = options;
  const frames = cache.frames as Record<string, FrameRecord>;
  const lacksLandmarks = (record: FrameRecord): boolean => landmarks && record.faceCount > 0 && !record.landmarks;
  const todo = clips
    .flatMap((clip) => clip.framePaths)
    .filter((framePath) => {
      const record = frames[path.relative(framesDir, framePath)];
      return !record || lacksLandmarks(record) || (record.faceCount > 0 && features.some((feature) => record.values[feature] === undefined));
    });
  let done = 0;
  for (const framePath of todo) {
    const key = path.relative(framesDir, framePath);
    const image = await decode(framePath);
    let record = frames[key];
    if (!record || lacksLandmarks(record)) {
      const { landmarks: found, ...faces } = await measurer.faces(image);
      // Measures already cached stay: the same models find the same faces.
      record = { ...faces, ...(found ? { landmarks: encodeLandmarks(found) } : {}), values: record?.values ?? {}, durationsMs: record?.durationsMs ?? {} };
      frames[key] = record;
    }
    if (record.faceCount > 0) {
      const { landmarks: _landmarks, ...faces } = record;
      for (const feature of features) {
        if (record.values[feature] !== undefined) continue;
        const { value, durationMs } = await measurer.measure(feature, image, faces);
        record.values[feature] = value;
        record.durationsMs[feature] = durationMs;
      }
    }
    done++;
    onProgress?.(done, todo.length);
    if (save && done % saveEvery === 0) await save(cache);
  }
  if (save && todo.length > 0) await save(cache);
}

/** A combination of checks: the first scores, the others may only veto. */
export interface CheckCombination {
  readonly primary: string;
  readonly vetoes: readonly string[];
  /** Vetoes whose threshold is given (`glare=0.9`) instead of chosen on the threshold split: check id → threshold. */
  readonly givenVetoThresholds?: Readonly<Record<string, number>>;
}

/**
 * Parses `minifasnet,edges,glare=0.9` into a primary check and vetoes, a veto's threshold given after `=`; unknown
 * ids and thresholds that are not numbers throw, naming what was wrong.
 */
export function parseCombination(text: string): CheckCombination {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new RangeError('a combination of checks needs at least one check');
  const ids: string[] = [];
  const given: Record<string, number> = {};
  items.forEach((item, i) => {
    const { id, value } = splitThreshold(item);
    padCheck(id);
    ids.push(id);
    if (value === undefined) return;
    const threshold = Number(value);
    if (i === 0) throw new RangeError(`${item}: only a veto takes its threshold after "=" (the first check's is --threshold or chosen)`);
    if (value === '' || !Number.isFinite(threshold)) throw new RangeError(`${item}: the veto's threshold after "=" must be a number`);
    given[id] = threshold;
  });
  return { primary: ids[0]!, vetoes: ids.slice(1), ...(Object.keys(given).length > 0 ? { givenVetoThresholds: given } : {}) };
}

/**
 * A check and its threshold, split at the last "=": a trained cue's file path may itself hold "=", so for a
 * `linear:` check only a number after the last "=" is a threshold (`linear:/a=b/cue.json` is a path).
 */
function splitThreshold(item: string): { id: string; value?: string } {
  const at = item.lastIndexOf('=');
  if (at < 0) return { id: item };
  const id = item.slice(0, at).trim();
  const value = item.slice(at + 1).trim();
  if (item.startsWith('linear:') && (value === '' || !Number.isFinite(Number(value)))) return { id: item };
  return { id, value };
}

/** Every feature a combination needs. */
export function combinationFeatures(combination: CheckCombination): PadFeature[] {
  return [...new Set([combination.primary, ...combination.vetoes].flatMap((id) => padCheck(id).features))];
}

/** Whether a combination has a clip check, which reads the faces' landmarks. */
export function combinationNeedsLandmarks(combination: CheckCombination): boolean {
  return [combination.primary, ...combination.vetoes].some((id) => padCheck(id).kind === 'clip');
}

/**
 * Clip scores of one check: a frame check's frames combined by `rule` (a frame without a face has no score); a
 * clip check scores the clip from its frames' landmarks and measurements, whatever the rule.
 */
export function clipScores(clips: readonly PadClip[], framesDir: string, cache: PadFrameCache, checkId: string, rule: FrameRule): ScoredClip[] {
  const check = padCheck(checkId);
  return clips.map((clip) => {
    const records = clip.framePaths.map((framePath) => {
      const record = cache.frames[path.relative(framesDir, framePath)];
      if (!record) throw new Error(`frame ${framePath} was not measured`);
      return record;
    });
    let score: number | null;
    if (check.kind === 'clip') {
      score = check.clipScore(
        records.map((record, k) => {
          if (record.faceCount === 0) return null;
          if (!record.landmarks) throw new Error(`frame ${clip.framePaths[k]} has no landmarks cached: measure it with a clip check asked for`);
          return { landmarks: decodeLandmarks(record.landmarks), values: record.values };
        }),
      );
    } else {
      score = combineFrames(records.map((record) => (record.faceCount > 0 ? check.score(record.values) : null)), rule);
    }
    return { speciesKey: clip.speciesKey, bonaFide: clip.label === 'bona-fide', score };
  });
}

/** A veto's threshold on its own clip score (a clip scoring below it is rejected), chosen on the threshold split. */
export interface VetoThreshold {
  readonly check: string;
  readonly threshold: number;
  /** Bona-fide clips it rejects on the split it was chosen on, 0..1. */
  readonly bpcerWhereChosen: number;
}

/** How the primary threshold is chosen on the threshold split. */
export type ThresholdCriterion = 'apcer5' | 'bpcer5' | 'eer';

function chooseThreshold(clips: readonly ScoredClip[], criterion: ThresholdCriterion): number {
  if (criterion === 'apcer5') return thresholdForApcer(clips, 0.05);
  if (criterion === 'bpcer5') return thresholdForBpcer(clips, 0.05);
  return equalErrorRate(clips).threshold;
}

/** Clip scores of a combination, with the vetoes applied (a vetoed clip scores −1). */
function combinedScores(
  clips: readonly PadClip[],
  framesDir: string,
  cache: PadFrameCache,
  combination: CheckCombination,
  rule: FrameRule,
  vetoes: readonly VetoThreshold[],
): ScoredClip[] {
  const primary = clipScores(clips, framesDir, cache, combination.primary, rule);
  const vetoScores = vetoes.map((veto) => clipScores(clips, framesDir, cache, veto.check, rule));
  return primary.map((clip, i) => {
    if (clip.score === null) return clip;
    const vetoed = vetoes.some((veto, k) => {
      const score = vetoScores[k]![i]!.score;
      return score !== null && score < veto.threshold;
    });
    return vetoed ? { ...clip, score: -1 } : clip;
  });
}

/** Rates at a threshold with the threshold's origin. */
export interface PadOperatingPoint extends PadRates {
  /** Where the threshold comes from, e.g. "chosen on train (worst-species APCER ≤ 5 %)". */
  readonly chosenOn: string;
}

/**
 * The result of one combination and frame rule on the report split. Its rates (PadRates) are those at the
 * threshold chosen on the threshold split (or given): the figures to quote.
 */
export interface PadCombinationResult extends PadRates {
  readonly label: string;
  readonly checks: CheckCombination;
  readonly frameRule: FrameRule;
  readonly vetoThresholds: readonly VetoThreshold[];
  readonly thresholdChosenOn: string;
  /** At thresholds chosen on the report split itself: in-sample, optimistic, labelled as such. */
  readonly inSample: { readonly apcer5: PadOperatingPoint; readonly eer: PadOperatingPoint };
  /** BPCER at worst-species APCER ≤ 5 % on the report split (a curve figure, threshold-free). */
  readonly bpcer20: number;
  readonly eer: number;
  readonly counts: PadCounts;
  readonly det: DetPoint[];
  /** Median time of the combination's measurements per face, ms. */
  readonly msPerFace: number;
}

/** Options of {@link evaluateCombination}. */
export interface EvaluateCombinationOptions {
  readonly combination: CheckCombination;
  readonly frameRule: FrameRule;
  /** Clips the figures are reported on (e.g. devel) and clips thresholds are chosen on (e.g. train). */
  readonly reportClips: readonly PadClip[];
  readonly thresholdClips: readonly PadClip[];
  readonly framesDir: string;
  readonly cache: PadFrameCache;
  readonly reportSplit: string;
  readonly thresholdSplit: string;
  /** Default 'apcer5': the lowest threshold where every species' APCER is ≤ 5 % on the threshold split. */
  readonly criterion?: ThresholdCriterion;
  /** A fixed primary threshold instead of one chosen. */
  readonly fixedThreshold?: number;
  /** Bona-fide clips each veto may reject on the threshold split; default 0.02. */
  readonly vetoBpcer?: number;
}

const CRITERIA: Record<ThresholdCriterion, string> = {
  apcer5: 'worst-species APCER ≤ 5 %',
  bpcer5: 'BPCER ≤ 5 %',
  eer: 'APCER = BPCER',
};

/** One combination of checks, frames combined by one rule, thresholds from the threshold split. */
export function evaluateCombination(options: EvaluateCombinationOptions): PadCombinationResult {
  const { combination, frameRule, reportClips, thresholdClips, framesDir, cache, reportSplit, thresholdSplit, criterion = 'apcer5', fixedThreshold, vetoBpcer = 0.02 } = options;
  const vetoThresholds = combination.vetoes.map((check): VetoThreshold => {
    const scores = clipScores(thresholdClips, framesDir, cache, check, frameRule);
    const threshold = combination.givenVetoThresholds?.[check] ?? thresholdForBpcer(scores, vetoBpcer);
    return { check, threshold, bpcerWhereChosen: padRatesAt(scores, threshold).bpcer };
  });
  const chosenOnScores = combinedScores(thresholdClips, framesDir, cache, combination, frameRule, vetoThresholds);
  const reported = combinedScores(reportClips, framesDir, cache, combination, frameRule, vetoThresholds);
  // Vetoed clips score −1: where the vetoes alone spend the BPCER budget, the primary rejects nothing more (0), it
  // never lets vetoed clips back in.
  const threshold = fixedThreshold ?? Math.max(0, chooseThreshold(chosenOnScores, criterion));
  const rates = padRatesAt(reported, threshold);
  const inSampleApcer = thresholdForApcer(reported, 0.05);
  const eer = equalErrorRate(reported);
  const features = combinationFeatures(combination);
  const times: number[] = [];
  for (const clip of reportClips) {
    for (const framePath of clip.framePaths) {
      const record = cache.frames[path.relative(framesDir, framePath)];
      if (!record || record.faceCount === 0) continue;
      times.push(features.reduce((sum, feature) => sum + (record.durationsMs[feature] ?? 0), 0));
    }
  }
  times.sort((a, b) => a - b);
  const label = [combination.primary, ...combination.vetoes].join(' + ');
  return {
    label,
    checks: combination,
    frameRule,
    vetoThresholds,
    ...rates,
    thresholdChosenOn: fixedThreshold !== undefined ? 'given (--threshold)' : `chosen on ${thresholdSplit} (${CRITERIA[criterion]})`,
    inSample: {
      apcer5: { ...padRatesAt(reported, inSampleApcer), chosenOn: `chosen on ${reportSplit} itself (in-sample: worst-species APCER ≤ 5 %)` },
      eer: { ...padRatesAt(reported, eer.threshold), chosenOn: `chosen on ${reportSplit} itself (in-sample: EER)` },
    },
    bpcer20: bpcerAtApcer(reported, 0.05).bpcer,
    eer: eer.eer,
    counts: countClips(reported),
    det: detCurve(reported),
    msPerFace: median(times),
  };
}

/** Faces found, on bona-fide and on attack frames of a split. */
export interface DetectionRates {
  readonly bonaFide: { readonly frames: number; readonly withFace: number; readonly rate: number };
  readonly attack: { readonly frames: number; readonly withFace: number; readonly rate: number };
}

/** The share of frames where the pipeline found a face, bona fide and attacks apart. */
export function detectionRates(clips: readonly PadClip[], framesDir: string, cache: PadFrameCache): DetectionRates {
  const tally = { bonaFide: { frames: 0, withFace: 0 }, attack: { frames: 0, withFace: 0 } };
  for (const clip of clips) {
    const side = clip.label === 'bona-fide' ? tally.bonaFide : tally.attack;
    for (const framePath of clip.framePaths) {
      side.frames++;
      if ((cache.frames[path.relative(framesDir, framePath)]?.faceCount ?? 0) > 0) side.withFace++;
    }
  }
  const rate = (side: { frames: number; withFace: number }): { frames: number; withFace: number; rate: number } => ({ ...side, rate: side.frames > 0 ? side.withFace / side.frames : Number.NaN });
  return { bonaFide: rate(tally.bonaFide), attack: rate(tally.attack) };
}

/** Every frame rule of one combination, so the way frames are combined is measured, not assumed. */
export function compareFrameRules(options: Omit<EvaluateCombinationOptions, 'frameRule'>): Record<FrameRule, PadCombinationResult> {
  return Object.fromEntries(FRAME_RULES.map((rule) => [rule, evaluateCombination({ ...options, frameRule: rule })])) as Record<FrameRule, PadCombinationResult>;
}

/** The report `eval pad` writes. */
export interface PadReport {
  readonly createdAt: string;
  readonly framesDir: string;
  readonly clipsCsv: string;
  readonly split: string;
  readonly thresholdSplit: string;
  readonly facesBy: string;
  readonly frameRule: FrameRule;
  readonly detection: DetectionRates;
  /** The first combination's figures at the top level: threshold, bpcer, apcerBySpecies, apcerWorst, eer… */
  readonly threshold: number;
  readonly bpcer: number;
  readonly apcerBySpecies: Record<string, number>;
  readonly apcerWorst: number;
  readonly eer: number;
  readonly bpcer20: number;
  readonly combinations: readonly PadCombinationResult[];
  /** The first combination under every frame rule. */
  readonly frameRules: Record<FrameRule, Omit<PadCombinationResult, 'det'>>;
}

/** Writes `pad-report.json` and `pad-det.svg` into `outDir`, each atomically. */
export async function writePadReport(report: PadReport, outDir: string): Promise<{ jsonPath: string; svgPath: string }> {
  await mkdir(outDir, { recursive: true });
  const jsonPath = path.join(outDir, 'report.json');
  const svgPath = path.join(outDir, 'det.svg');
  const json = JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2);
  await writeFileAtomic(jsonPath, `${json}\n`);
  const curves = report.combinations.map((result) => ({ label: `${result.label} (${result.frameRule})`, points: result.det.map((p) => ({ apcer: p.apcerWorst, bpcer: p.bpcer })) }));
  await writeFileAtomic(svgPath, renderPadDetSvg(curves, { title: `Presentation attacks, ${report.split} — DET (worst species)`, xLabel: 'APCER, worst species' }));
  return { jsonPath, svgPath };
}

const percent = (fraction: number): string => (Number.isNaN(fraction) ? '—' : `${(fraction * 100).toFixed(1)} %`);
const thresholdText = (value: number): string => (Number.isFinite(value) ? value.toFixed(4) : String(value));

/** A table for a terminal: one row per combination, APCER per species, worst, BPCER, BPCER20, EER, time. */
export function formatPadSummary(report: PadReport): string {
  const species = [...new Set(report.combinations.flatMap((result) => Object.keys(result.apcerBySpecies)))].sort();
  const d = report.detection;
  const lines = [
    `presentation attacks — ${report.split} (thresholds chosen on ${report.thresholdSplit}), frames combined per clip by ${report.frameRule}`,
    `faces found: bona fide ${percent(d.bonaFide.rate)} of ${d.bonaFide.frames} frames, attacks ${percent(d.attack.rate)} of ${d.attack.frames} frames`,
    '',
  ];
  const header = ['check', 'threshold', ...species, 'worst', 'BPCER', 'BPCER20', 'EER', 'ms/face'];
  const rows = report.combinations.map((r) => [
    r.label,
    thresholdText(r.threshold),
    ...species.map((key) => percent(r.apcerBySpecies[key] ?? Number.NaN)),
    percent(r.apcerWorst),
    percent(r.bpcer),
    percent(r.bpcer20),
    percent(r.eer),
    r.msPerFace.toFixed(1),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  lines.push(format(header), ...rows.map(format), '');
  for (const r of report.combinations) {
    const inSample = r.inSample.apcer5;
    lines.push(
      `${r.label}: ${r.thresholdChosenOn}; in-sample (${report.split}-chosen) at worst APCER ≤ 5 %: threshold ${thresholdText(inSample.threshold)}, ` +
        `worst ${percent(inSample.apcerWorst)}, BPCER ${percent(inSample.bpcer)}; no face: ${r.counts.bonaFideNoResponse} bona-fide and ${r.counts.attackNoResponse} attack clips` +
        (r.vetoThresholds.length > 0 ? `; vetoes ${r.vetoThresholds.map((v) => `${v.check} < ${thresholdText(v.threshold)}`).join(', ')}` : ''),
    );
  }
  const first = report.combinations[0];
  lines.push('', `frame rules for ${first?.label ?? '—'} (threshold ${first?.thresholdChosenOn.startsWith('given') ? 'given' : `chosen on ${report.thresholdSplit} for each`}):`);
  for (const [rule, r] of Object.entries(report.frameRules)) {
    lines.push(`  ${rule.padEnd(6)} worst APCER ${percent(r.apcerWorst)} (${r.apcerWorstSpecies}), BPCER ${percent(r.bpcer)}, BPCER20 ${percent(r.bpcer20)}, EER ${percent(r.eer)}`);
  }
  return lines.join('\n');
}
