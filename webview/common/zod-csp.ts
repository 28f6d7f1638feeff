// Must be the first import of every webview entry point: zod probes for `new Function` support
// when its schemas are created, and under the webview CSP (no 'unsafe-eval') that probe is
// reported as a securitypolicyviolation even though zod catches it. jitless skips the probe;
// parsing a few messages gains nothing from zod's JIT anyway.
import { config } from 'zod';

config({ jitless: true });
