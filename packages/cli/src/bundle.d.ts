/** Types of bundle.js (JavaScript so that the bin's start needs no type stripping). */
export declare const cliRoot: string;
export declare const repoRoot: string;
export declare const bundleDir: string;
export declare const manifestVersion: number;

/** One input file: its path from the repository root, size, mtime (ms) and SHA-256 (hex). */
export type ManifestInput = [path: string, size: number, mtimeMs: number, sha256: string];

export interface Manifest {
  version: number;
  /** The entry module, in bundleDir; it exports `main`. */
  entry: string;
  inputs: ManifestInput[];
}

export declare function sha256(bytes: Uint8Array): string;

/**
 * The entry of the bundle in `dir` (default bundleDir) as a file URL if it exists and matches its
 * inputs; undefined otherwise, and with MEDLEDGER_CLI_SOURCES=1.
 */
export declare function freshBundle(dir?: string): string | undefined;
