import { CORE_JOBS, defineJob, QueueName } from './jobs.js';
import { assertEveryJobHandled } from './worker-host.js';

describe('the worker start-up check', () => {
  const serviceJob = defineJob<{ caseId: string }>('render-something', { queue: QueueName.Documents });
  const declared = [...Object.values(CORE_JOBS), serviceJob];
  const every = () => new Map(declared.map((job) => [job.name, true]));

  it('passes when every declared job has a handler', () => {
    expect(() => assertEveryJobHandled(every(), declared)).not.toThrow();
  });

  it('refuses to start when a declared job has none, naming each missing one', () => {
    const handled = every();
    handled.delete(serviceJob.name);
    expect(() => assertEveryJobHandled(handled, declared)).toThrow(`refusing to start: no handler for job ${serviceJob.name}`);
    handled.delete(CORE_JOBS.SweepOrphanFiles.name);
    expect(() => assertEveryJobHandled(handled, declared)).toThrow(
      `refusing to start: no handler for jobs ${CORE_JOBS.SweepOrphanFiles.name}, ${serviceJob.name}`,
    );
  });
});
