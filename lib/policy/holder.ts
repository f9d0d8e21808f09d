import { watchFile, unwatchFile } from 'node:fs';
import type { CompiledPolicy } from './compiled';

export interface PolicyHolder {
  /** The policy in force. Cheap: read it on every request. */
  current(): CompiledPolicy;
  /** Loads the file again; keeps the old policy and returns the error when the new one is invalid. */
  reload(): { ok: true; policy: CompiledPolicy } | { ok: false; error: Error };
  /** Stops watching the file. */
  close(): void;
}

export interface PolicyHolderOptions {
  /** Loads and compiles the policy; throws PolicyError when it is unfit. */
  load(): CompiledPolicy;
  /** When given, the file is watched and reloaded on change. */
  watch?: { file: string; intervalMs?: number };
  onReload?(policy: CompiledPolicy, previous: CompiledPolicy): void;
  onRejected?(error: Error): void;
}

/**
 * Holds the policy in force and swaps it when the file changes (hot reload). A changed
 * file that fails validation is refused: the error is reported and the old policy stays,
 * so a typo by a privacy officer never opens or closes access by accident. The first load
 * throws, so an invalid policy stops the start.
 */
export function createPolicyHolder(options: PolicyHolderOptions): PolicyHolder {
  let policy = options.load();
  const reload: PolicyHolder['reload'] = () => {
    try {
      const next = options.load();
      if (next.hash !== policy.hash) {
        const previous = policy;
        policy = next;
        options.onReload?.(next, previous);
      }
      return { ok: true, policy };
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      options.onRejected?.(failure);
      return { ok: false, error: failure };
    }
  };
  const watched = options.watch;
  // watchFile polls: it survives editors that replace the file and works on every filesystem.
  if (watched) watchFile(watched.file, { interval: watched.intervalMs ?? 1000, persistent: false }, () => void reload());
  return {
    current: () => policy,
    reload,
    close() {
      if (watched) unwatchFile(watched.file);
    },
  };
}
