import { DEFAULTS, defaultWorld, runStep, sdkEnv, startStandIn, DIST_POST } from '../standin/index.js';
const latency = Number(process.env.LAT ?? 100);
const standin = await startStandIn(defaultWorld(), { copyDurationMs: 1000, faults: { latencyMs: latency } });
const t0 = Date.now();
const inputs = {
  'source-ami-id': DEFAULTS.sourceAmiId, 'kms-key-arn': DEFAULTS.sourceKeyArn, 'source-role-arn': DEFAULTS.sourceRoleArn,
  'target-role-arn': DEFAULTS.targetRoleArn, 'target-regions': (process.env.REGIONS ?? DEFAULTS.region), 'target-kms-key': DEFAULTS.targetKeyAlias, 'autoscaling-access': 'off',
};
const r = await runStep({ inputs, env: sdkEnv(standin) });
const t1 = Date.now();
console.log('code', r.code, 'ms', t1 - t0);
for (const c of standin.calls()) console.log(String(Date.parse(c.time) - t0).padStart(6), c.account?.slice(-4), c.region, c.operation, c.outcome === 'error' ? c.errorCode : '');
if (process.env.RERUN) { const t2 = Date.now(); const n = standin.calls().length; const r2 = await runStep({ inputs, env: sdkEnv(standin) }); console.log('rerun', r2.code, Date.now() - t2, 'ms'); for (const c of standin.calls().slice(n)) console.log('  ', c.operation); }
await standin.close();
