#!/usr/bin/env node
// The `theater` command. Runs our TypeScript directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../runtime/cli/main.ts');
