// Structural checks of the Kubernetes manifests in docker/k8s. No kubeconform, helm or kubectl
// is packaged by Debian, so the rules a cluster (and this project) relies on are asserted here.
import fs from 'node:fs';
import path from 'node:path';
import { load, loadAll } from 'js-yaml';
import { QueueName } from '@app/cases';
import { loadConfig } from '@app/platform';
import { key, sealSigningKey } from '../harness/context.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = process.cwd();
const K8S = path.join(ROOT, 'docker', 'k8s');
const read = (...parts: string[]) => fs.readFileSync(path.join(ROOT, ...parts), 'utf8');

/** Files in docker/k8s that kustomize does not apply. */
const NOT_APPLIED = ['kustomization.yaml', 'secret.example.yaml', 'prometheus-adapter.values.yaml'];

const KNOWN_KINDS: Record<string, string[]> = {
  v1: ['Namespace', 'ConfigMap', 'Service', 'PersistentVolumeClaim'],
  'apps/v1': ['Deployment'],
  'batch/v1': ['Job'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'policy/v1': ['PodDisruptionBudget'],
};

/** Variables whose values are secrets: they may only come from a Secret. */
const SECRET_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'FIELD_ENCRYPTION_KEYS',
  'BLIND_INDEX_KEY',
  'LINK_SIGNING_KEY',
  'SEAL_SIGNING_KEYS',
  'SMTP_URL',
  'SMS_WEBHOOK_URL',
];

/**
 * Variables the manifests already pass that branches not yet merged add to config.ts (email and SMS
 * delivery). Once config.ts reads them, they are simply also found there.
 */
const PENDING_VARIABLES = ['SMTP_URL', 'MAIL_FROM', 'SMS_WEBHOOK_URL'];

/** The names loadConfig reads: every `env.<reader>('NAME'…)` call in config.ts. */
function configVariables(): Set<string> {
  const source = read('libs', 'platform', 'src', 'config', 'config.ts');
  return new Set([...source.matchAll(/\benv\.\w+\(\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!));
}

const kustomization = load(fs.readFileSync(path.join(K8S, 'kustomization.yaml'), 'utf8')) as Obj;
const objects: Obj[] = (kustomization.resources as string[]).flatMap((file) =>
  loadAll(fs.readFileSync(path.join(K8S, file), 'utf8')).filter((doc): doc is Obj => doc !== null && typeof doc === 'object'),
);
const exampleSecrets = loadAll(fs.readFileSync(path.join(K8S, 'secret.example.yaml'), 'utf8')) as Obj[];
const adapterValues = load(fs.readFileSync(path.join(K8S, 'prometheus-adapter.values.yaml'), 'utf8')) as Obj;

const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
const named = (kind: string, name: string): Obj => {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} named ${name}`);
  return found;
};
const workloads = () => [...ofKind('Deployment'), ...ofKind('Job')];
const podSpec = (workload: Obj): Obj => workload.spec.template.spec;
const containersOf = (workload: Obj): Obj[] => [...(podSpec(workload).initContainers ?? []), ...podSpec(workload).containers];
const configMap = () => named('ConfigMap', 'consular-config').data as Record<string, string>;
const exampleSecret = (name: string): Record<string, string> => {
  const secret = exampleSecrets.find((s) => s.metadata?.name === name);
  if (!secret) throw new Error(`secret.example.yaml has no Secret named ${name}`);
  return secret.stringData as Record<string, string>;
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Millicores or bytes, for comparing requests with limits. */
function quantity(value: string | number): number {
  const text = String(value);
  const units: Record<string, number> = { m: 0.001, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 };
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$/.exec(text);
  if (!match) throw new Error(`not a quantity: ${text}`);
  return Number(match[1]) * (match[2] ? units[match[2]]! : 1);
}

/** The environment a container is given, with samples standing in for the Secrets' values. */
function environmentOf(container: Obj): Record<string, string> {
  const cm = configMap();
  const samples: Record<string, string> = {
    REDIS_URL: 'redis://redis.test:6379',
    FIELD_ENCRYPTION_KEYS: `${cm.FIELD_ENCRYPTION_ACTIVE_KEY}:${key()}`,
    BLIND_INDEX_KEY: key(),
    LINK_SIGNING_KEY: key(),
    SEAL_SIGNING_KEYS: `${cm.SEAL_ACTIVE_KEY}:${sealSigningKey()}`,
    SMTP_URL: 'smtp://mail.test:25',
    SMS_WEBHOOK_URL: 'https://sms.test/hook',
  };
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, named('ConfigMap', source.configMapRef.name).data);
    if (source.secretRef) {
      for (const name of Object.keys(exampleSecret(source.secretRef.name))) {
        if (!(name in samples)) throw new Error(`no sample value for secret ${name}: add one to this test`);
        env[name] = samples[name]!;
      }
    }
  }
  for (const entry of container.env ?? []) {
    const secretRef = entry.valueFrom?.secretKeyRef;
    if (secretRef) {
      expect(Object.keys(exampleSecret(secretRef.name))).toContain(secretRef.key);
      env[entry.name] = 'postgres://consular@db.test:5432/consular';
    } else {
      env[entry.name] = String(entry.value);
    }
  }
  return env;
}

describe('Kubernetes manifests (docker/k8s)', () => {
  it('applies every manifest file, and each object is of a known apiVersion and kind with a valid name', () => {
    const files = fs.readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f));
    expect(files.filter((f) => !NOT_APPLIED.includes(f)).sort()).toEqual([...kustomization.resources].sort());
    expect(kustomization.namespace).toBe('consular');
    expect(objects.length).toBeGreaterThanOrEqual(10);
    for (const object of objects) {
      expect(KNOWN_KINDS[object.apiVersion]).toContain(object.kind);
      expect(object.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(ofKind('Namespace').map((n) => n.metadata.name)).toEqual(['consular']);
    expect(ofKind('Namespace')[0]!.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('runs the same commands as the npm scripts, from the one pinned image', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    const command = (workload: Obj, container: string) =>
      containersOf(workload)
        .find((c) => c.name === container)!
        .command.join(' ');
    expect(command(named('Deployment', 'consular-api'), 'api')).toBe(scripts['start:api']);
    expect(command(named('Deployment', 'consular-worker'), 'worker')).toBe(scripts['start:worker']);
    const job = named('Job', 'consular-migrate');
    expect(podSpec(job).initContainers.map((c: Obj) => c.command.join(' '))).toEqual([scripts.migrate]);
    expect(podSpec(job).containers.map((c: Obj) => c.command.join(' '))).toEqual([scripts.seed]);
    for (const deployment of ofKind('Deployment')) {
      expect(podSpec(deployment).initContainers.map((c: Obj) => c.command.slice(0, 3).join(' '))).toEqual([
        'node dist/libs/schema/src/cli.js wait',
      ]);
    }
    const images = new Set(workloads().flatMap((w) => containersOf(w).map((c) => c.image)));
    expect([...images]).toEqual(['consular-portal']);
    const pinned = (kustomization.images as Obj[]).find((i) => i.name === 'consular-portal')!;
    expect(pinned.newTag).toMatch(/\S/);
    expect(pinned.newTag).not.toBe('latest');
  });

  it('gives every container resource requests and limits, limits at least the requests', () => {
    for (const workload of workloads()) {
      for (const container of containersOf(workload)) {
        const { requests, limits } = container.resources ?? {};
        for (const resource of ['cpu', 'memory']) {
          expect([container.name, resource, typeof requests?.[resource], typeof limits?.[resource]]).toEqual([
            container.name,
            resource,
            'string',
            'string',
          ]);
          expect(quantity(limits[resource])).toBeGreaterThanOrEqual(quantity(requests[resource]));
        }
      }
    }
  });

  it('runs every pod as a non-root user with a read-only root, no privilege escalation and no capabilities', () => {
    for (const workload of workloads()) {
      const spec = podSpec(workload);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(spec.automountServiceAccountToken).toBe(false);
      for (const container of containersOf(workload)) {
        expect([container.name, container.securityContext]).toEqual([
          container.name,
          { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        ]);
        const volumes = new Set((spec.volumes ?? []).map((v: Obj) => v.name));
        for (const mount of container.volumeMounts ?? []) expect(volumes).toContain(mount.name);
      }
      for (const volume of spec.volumes ?? []) {
        if (volume.persistentVolumeClaim) named('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
      }
    }
    const files = named('PersistentVolumeClaim', 'consular-files');
    expect(files.spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it('probes the API on /health/live and /health/ready, on the port it listens on, and routes the Service to it', () => {
    const controller = read('apps', 'api', 'src', 'health.controller.ts');
    expect(controller).toContain("@Controller('health')");
    expect(controller).toContain("@Get('live')");
    expect(controller).toContain("@Get('ready')");
    const api = named('Deployment', 'consular-api');
    const container = podSpec(api).containers.find((c: Obj) => c.name === 'api')!;
    const ports = new Map<string, number>(container.ports.map((p: Obj) => [p.name, p.containerPort]));
    expect(ports.get('http')).toBe(Number(configMap().PORT));
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    const annotations = api.spec.template.metadata.annotations;
    expect(read('apps', 'api', 'src', 'metrics.controller.ts')).toContain("@Get('metrics')");
    expect([annotations['prometheus.io/path'], Number(annotations['prometheus.io/port'])]).toEqual(['/metrics', ports.get('http')]);

    const service = named('Service', 'consular-api');
    expect(matches(service.spec.selector, api.spec.template.metadata.labels)).toBe(true);
    for (const port of service.spec.ports) expect(ports.has(port.targetPort)).toBe(true);
    expect(matches(api.spec.selector.matchLabels, api.spec.template.metadata.labels)).toBe(true);

    const worker = named('Deployment', 'consular-worker');
    const workerContainer = podSpec(worker).containers[0];
    const metricsPort = environmentOf(workerContainer).WORKER_METRICS_PORT;
    expect(workerContainer.ports).toEqual([{ name: 'metrics', containerPort: Number(metricsPort) }]);
    expect(workerContainer.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'metrics' });
    expect(workerContainer.readinessProbe).toBeUndefined();
    const workerAnnotations = worker.spec.template.metadata.annotations;
    expect(read('apps', 'worker', 'src', 'worker-http.ts')).toContain("'/metrics'");
    expect([workerAnnotations['prometheus.io/path'], workerAnnotations['prometheus.io/port']]).toEqual(['/metrics', metricsPort]);
    expect(matches(worker.spec.selector.matchLabels, worker.spec.template.metadata.labels)).toBe(true);
  });

  it('passes only variables the apps read, enough for loadConfig to accept, and secrets only from Secrets', () => {
    const known = new Set([...configVariables(), ...PENDING_VARIABLES]);
    expect(configVariables()).toContain('DATABASE_URL');
    for (const workload of workloads()) {
      for (const container of containersOf(workload)) {
        for (const name of Object.keys(environmentOf(container)))
          expect([container.name, known.has(name) ? name : `unknown ${name}`]).toEqual([container.name, name]);
        for (const entry of container.env ?? []) {
          if (SECRET_VARIABLES.includes(entry.name))
            expect([entry.name, entry.valueFrom?.secretKeyRef]).toEqual([entry.name, expect.anything()]);
        }
      }
    }
    for (const name of Object.keys(configMap())) expect(SECRET_VARIABLES).not.toContain(name);
    for (const name of Object.keys(exampleSecret('consular-secrets'))) expect(known.has(name)).toBe(true);

    for (const [deployment, container] of [
      ['consular-api', 'api'],
      ['consular-worker', 'worker'],
    ] as const) {
      const spec = named('Deployment', deployment).spec.template.spec;
      const env = environmentOf(spec.containers.find((c: Obj) => c.name === container));
      const config = loadConfig(env);
      expect(config.env).toBe('production');
      expect(config.host).toBe('0.0.0.0');
      expect(config.bullBoardEnabled).toBe(false);
      const mounts = spec.containers[0].volumeMounts.map((m: Obj) => m.mountPath);
      expect(mounts).toContain(config.storageDir);
    }
  });

  it('sends the API to the transaction pool, and the worker and migrations to a session connection', () => {
    const databaseKey = (workload: Obj, container: string) =>
      containersOf(workload)
        .find((c) => c.name === container)!
        .env.find((e: Obj) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef;
    expect(databaseKey(named('Deployment', 'consular-api'), 'api')).toEqual({ name: 'consular-database', key: 'pooled-url' });
    expect(databaseKey(named('Deployment', 'consular-worker'), 'worker')).toEqual({ name: 'consular-database', key: 'direct-url' });
    expect(databaseKey(named('Job', 'consular-migrate'), 'migrate')).toEqual({ name: 'consular-database', key: 'direct-url' });
  });

  it('keeps secret values out of the repository', () => {
    expect(ofKind('Secret')).toEqual([]);
    for (const secret of exampleSecrets) {
      for (const value of Object.values(secret.stringData as Record<string, string>)) expect(value).toMatch(/^REPLACE_WITH_[A-Z0-9_]+$/);
    }
    for (const file of fs.readdirSync(K8S)) {
      const text = fs.readFileSync(path.join(K8S, file), 'utf8');
      expect([file, text.match(/[A-Za-z0-9+/]{40,}={0,2}/g)]).toEqual([file, null]); // key material
      expect([file, text.match(/[a-z]+:\/\/[^\s/:@]+:[^\s/@]+@/g)]).toEqual([file, null]); // URL with a password
    }
  });

  it('scales the API on CPU and the worker on every queue through the adapter metric made from queue_jobs', () => {
    const deployments = new Set(ofKind('Deployment').map((d) => d.metadata.name));
    const hpas = ofKind('HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['consular-api', 'consular-worker']);
    for (const hpa of hpas) {
      expect(hpa.spec.scaleTargetRef.kind).toBe('Deployment');
      expect(deployments.has(hpa.spec.scaleTargetRef.name)).toBe(true);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    }
    const api = hpas.find((h) => h.spec.scaleTargetRef.name === 'consular-api')!;
    expect(api.spec.metrics).toEqual([expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) })]);

    const [rule] = adapterValues.rules.external as Obj[];
    expect(rule!.seriesQuery).toContain('queue_jobs{state="waiting"');
    expect(rule!.metricsQuery).toContain('state="waiting"');
    const gauges = read('apps', 'api', 'src', 'queue-metrics.ts');
    expect(gauges).toContain("gauge('queue_jobs', 'BullMQ jobs by queue and state', ['queue', 'state']");

    const worker = hpas.find((h) => h.spec.scaleTargetRef.name === 'consular-worker')!;
    const external = (worker.spec.metrics as Obj[]).map((m) => {
      expect(m.type).toBe('External');
      expect(m.external.metric.name).toBe(rule!.name.as);
      expect(m.external.target.type).toBe('AverageValue');
      return m.external.metric.selector.matchLabels.queue as string;
    });
    expect(external.sort()).toEqual(Object.values(QueueName).sort());
  });

  it('covers each Deployment with one PodDisruptionBudget that leaves pods running', () => {
    for (const deployment of ofKind('Deployment')) {
      const budgets = ofKind('PodDisruptionBudget').filter((pdb) =>
        matches(pdb.spec.selector.matchLabels, deployment.spec.template.metadata.labels),
      );
      expect([deployment.metadata.name, budgets.length]).toEqual([deployment.metadata.name, 1]);
      const budget = budgets[0]!.spec;
      expect(budget.minAvailable === undefined ? budget.maxUnavailable : budget.minAvailable).toBeGreaterThanOrEqual(1);
      expect(budget.maxUnavailable ?? 0).toBeLessThan(deployment.spec.replicas);
    }
  });
});
