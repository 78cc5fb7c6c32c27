// Loaded with `--import` by `npm run bench -- --cpu-prof`. Nest's shutdown hook closes the app and then
// sends the signal to the process again, which would kill it before `--cpu-prof` writes its profile.
// With this listener in place that second signal is caught and the process exits normally, so the
// profile is written.
process.on('SIGTERM', () => setTimeout(() => process.exit(0), 3000));
