import { JobName } from './jobs.js';
import { assertEveryJobHandled } from './worker-host.js';

describe('the worker start-up check', () => {
  const every = () => new Map(Object.values(JobName).map((name) => [name, true]));

  it('passes when every declared job has a handler', () => {
    expect(() => assertEveryJobHandled(every())).not.toThrow();
  });

  it('refuses to start when a declared job has none, naming each missing one', () => {
    const handled = every();
    handled.delete(JobName.RequeueLostRenders);
    expect(() => assertEveryJobHandled(handled)).toThrow(`refusing to start: no handler for job ${JobName.RequeueLostRenders}`);
    handled.delete(JobName.SweepOrphanFiles);
    expect(() => assertEveryJobHandled(handled)).toThrow(
      `refusing to start: no handler for jobs ${JobName.RequeueLostRenders}, ${JobName.SweepOrphanFiles}`,
    );
  });
});
