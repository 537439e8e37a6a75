export function onInterrupt(onSignal) {
    const state = { signal: undefined, dispose: () => { } };
    const handler = (sig) => {
        if (state.signal)
            process.exit(130);
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
//# sourceMappingURL=interrupt.js.map