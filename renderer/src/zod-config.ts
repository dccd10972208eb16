// Imported first by main.tsx, before any schema is built: zod probes `new Function` for a faster parser when a
// schema is made, and the CSP (script-src 'self') refuses and reports the probe. Jitless mode skips it.
import { z } from 'zod';

z.config({ jitless: true });
