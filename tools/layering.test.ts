/**
 * The lint rules that keep the layers apart really fire: a deep import of the runtime from the Studio (or from
 * theater dap / theater test), a renderer import of the runtime, the runtime importing the Studio — and the cycle check finds a cycle that goes through
 * type-only imports (which ESLint's import-x/no-cycle skips).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering rules', () => {
  it('the service may use the runtime only through runtime/index.ts', async () => {
    const deep = await restricted(
      'studio/service/example.ts',
      "import { ChainStore } from '../../runtime/store/chain-store.ts';\nexport const s = ChainStore;\n",
    );
    expect(deep).toHaveLength(1);
    expect(deep[0]).toContain('runtime/index.ts');
    const api = await restricted(
      'studio/service/example.ts',
      "import { ChainStore } from '../../runtime/index.ts';\nexport const s = ChainStore;\n",
    );
    expect(api).toEqual([]);
  });

  it('the Electron shell is held to the same public API', async () => {
    const deep = await restricted(
      'electron/main/example.ts',
      "import { ActorSystem } from '../../runtime/actors/system.ts';\nexport const s = ActorSystem;\n",
    );
    expect(deep).toHaveLength(1);
  });

  it('the renderer imports only the contract: not the runtime, not the service, not Node', async () => {
    const msgs = await restricted(
      'renderer/features/example/example.tsx',
      [
        "import { ChainStore } from '../../../runtime/index.ts';",
        "import { StudioService } from '../../../studio/service/studio-service.ts';",
        "import { readFileSync } from 'node:fs';",
        "import { KIND_ORDER } from '../../../studio/contract.ts';",
        'export const all = [ChainStore, StudioService, readFileSync, KIND_ORDER];',
        '',
      ].join('\n'),
    );
    expect(msgs).toHaveLength(3);
    expect(msgs.every((m) => m.includes('studio/contract.ts'))).toBe(true);
  });

  it('theater dap and theater test use the rest of the runtime only through runtime/index.ts', async () => {
    for (const file of ['runtime/dap/example.ts', 'runtime/regress/example.ts']) {
      const deep = await restricted(
        file,
        "import { ChainStore } from '../store/chain-store.ts';\nexport const s = ChainStore;\n",
      );
      expect(deep).toHaveLength(1);
      expect(deep[0]).toContain('runtime/index.ts');
      const api = await restricted(
        file,
        "import { ChainStore } from '../index.ts';\nimport { x } from './sibling.ts';\nexport const s = [ChainStore, x];\n",
      );
      expect(api).toEqual([]);
      // Still plain Node: the runtime-wide rule holds here too.
      const studio = await restricted(
        file,
        "import { KIND_ORDER } from '../../studio/contract.ts';\nexport const k = KIND_ORDER;\n",
      );
      expect(studio.some((m) => m.includes('plain Node'))).toBe(true);
    }
    // The rest of the runtime may import its own modules directly.
    const cli = await restricted(
      'runtime/cli/example.ts',
      "import { ChainStore } from '../store/chain-store.ts';\nexport const s = ChainStore;\n",
    );
    expect(cli).toEqual([]);
  });

  it('the runtime imports nothing of the Studio, Electron or the renderer', async () => {
    const msgs = await restricted(
      'runtime/chain/example.ts',
      "import { KIND_ORDER } from '../../studio/contract.ts';\nexport const k = KIND_ORDER;\n",
    );
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toContain('plain Node');
  });
});

describe('import cycles', () => {
  const script = join(process.cwd(), 'tools/import-cycles.mjs');

  it('the tree has none', () => {
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a cycle through a type-only import is found and named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'theater-cycles-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: dir });
      writeFileSync(join(dir, 'a.ts'), "import { b } from './b.ts';\nexport const a = b + 1;\n");
      writeFileSync(join(dir, 'b.ts'), "import type { A } from './c.ts';\nexport const b: A = 1;\n");
      writeFileSync(join(dir, 'c.ts'), "import { a } from './a.ts';\nexport type A = number;\nexport const c = a;\n");
      const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('import cycle among 3 files');
      expect(r.stderr).toContain('b.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
