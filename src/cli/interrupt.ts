// Ctrl-C / SIGTERM for commands that must say what they did before stopping:
// the first signal runs `onSignal` (which makes the command wind down and
// report, exit 130); a second one exits at once.
export interface Interrupt {
  /** the signal received, if any */
  readonly signal: string | undefined;
  dispose(): void;
}

export function onInterrupt(onSignal: (sig: string) => void): Interrupt {
  const state: { signal: string | undefined; dispose: () => void } = { signal: undefined, dispose: () => {} };
  const handler = (sig: NodeJS.Signals) => {
    if (state.signal) process.exit(130);
    state.signal = sig;
    onSignal(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  state.dispose = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  return state;
}
