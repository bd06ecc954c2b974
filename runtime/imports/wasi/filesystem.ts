/**
 * wasi:filesystem — provided with no directories at all. Toolchains import it whether or not the code touches a
 * file (wasi-libc's preview1 adapter, StarlingMonkey), so refusing it would refuse every ordinary program; with no
 * preopened directory there is nothing to open (fopen fails with ENOENT), and an actor keeps its data in its state.
 */
import type { ImportHandler } from '../types.ts';

/** Never handed out: there is no directory to open one from. */
class Descriptor {}
class DirectoryEntryStream {}

export const wasiFilesystemHandlers: readonly ImportHandler[] = [
  { iface: 'wasi:filesystem/preopens', grantedBy: null, imports: () => ({ getDirectories: () => [] }) },
  {
    iface: 'wasi:filesystem/types',
    grantedBy: null,
    imports: () => ({ Descriptor, DirectoryEntryStream, filesystemErrorCode: () => undefined }),
  },
];
