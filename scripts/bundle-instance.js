// Part of `npm run build`, after tsc: bundles the built instance entry into dist/instance/, which the built stack
// runs in every instance process (src/reference-stack/stack/instance-bundle.ts says why).
import { fileURLToPath } from 'node:url';
import { writeInstanceBundle } from '../dist/reference-stack/stack/instance-bundle.js';

const dist = (path) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
await writeInstanceBundle(dist('reference-stack/stack/service-main.js'), dist('instance'));
