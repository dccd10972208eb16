import type { Migration } from './migration.js';

/** The ArcFace 112×112 five-point template (MobileFaceNet, EdgeFace). */
const ARCFACE_112 = '{"sizePx":112,"fivePointsPx":[[38.2946,51.6963],[73.5318,51.5014],[56.0252,71.7366],[41.5493,92.3655],[70.7299,92.2041]]}';

/**
 * The alignments of the extractors Lintel shipped when this migration was written, as models/manifest.json declared
 * them then. Frozen here: a later manifest may change, the crops stored before it do not.
 */
const SHIPPED_ALIGNMENTS: Readonly<Record<string, string>> = {
  'mobilefacenet-192': ARCFACE_112,
  'mobileface-256': ARCFACE_112,
  'edgeface-xs-512': ARCFACE_112,
  'edgeface-xxs-512': ARCFACE_112,
  'faceapi-resnet-128': '{"sizePx":150,"fivePointsPx":[[47.5492,46.599],[100.4761,46.599],[74.0127,76.5625],[50.4149,103.0233],[97.6104,103.0233]]}',
  'faceres-1024': '{"sizePx":224,"fivePointsPx":[[77.839,76.6566],[143.7036,76.6566],[110.7714,113.9444],[81.4052,146.8734],[140.1374,146.8734]]}',
};

/**
 * Each sample records the alignment that cut its aligned crop (`alignment_json`: the crop's size and the five
 * reference points, as the extractor's manifest entry declares them), so a template rebuild for another extractor
 * re-embeds the crop as it was made, never guessing the alignment from the crop's size.
 *
 * Existing rows are filled in once, here. The crops are sealed with the store's key, which a migration does not
 * hold, so their size cannot be read; instead a sample's crop was cut with the alignment of the extractor that
 * enrolled it — the model of its oldest template — and for every shipped extractor that is the alignment its crop
 * size named (one template per size: 112 ArcFace, 150 and 224 dlib). A sample enrolled by an extractor an
 * administrator added keeps NULL (its alignment was never written down); a rebuild refuses it with a message
 * naming the sample, and photos added again record theirs.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'sample-alignment',
  up(db) {
    db.exec(`ALTER TABLE samples ADD COLUMN alignment_json TEXT CHECK (alignment_json IS NULL OR json_valid(alignment_json))`);
    const backfill = db.prepare<[string, string]>(
      `UPDATE samples SET alignment_json = ?
        WHERE (SELECT t.model_id FROM templates t WHERE t.sample_id = samples.id ORDER BY t.created_at_ms, t.model_id LIMIT 1) = ?`,
    );
    for (const [modelId, alignmentJson] of Object.entries(SHIPPED_ALIGNMENTS)) backfill.run(alignmentJson, modelId);
  },
};
