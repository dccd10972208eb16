// Child process of ../bulk-import.test.ts: imports a folder into a store and reports every decided person on
// stdout (written synchronously, so a line printed is a line the parent sees) until it is killed.
import { writeSync } from 'node:fs';

import { importFolder } from '../bulk-import.js';
import { loadTestPipeline, openStoreWithGallery } from './helpers.js';

const [dataDir, root] = process.argv.slice(2);
if (!dataDir || !root) throw new Error('usage: import-child.ts <dataDir> <root>');
const { pipeline, missing } = await loadTestPipeline({ needLfw: false });
if (!pipeline) throw new Error(missing);
const matcher = pipeline.createMatcher();
const store = openStoreWithGallery(dataDir, matcher);
writeSync(1, 'started\n');
await importFolder({ store, pipeline, matcher, root, onPerson: (person) => writeSync(1, `${person.status}\t${person.person}\t${person.sampleCount}\n`) });
writeSync(1, 'finished\n');
store.close();
await pipeline.close();
