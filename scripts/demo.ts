// `npm run demo`: the whole promotion against the local AWS stand-in, no AWS account needed.
// Starts the stand-in with a source and a target account and a sample unencrypted AMI, the roles and keys carrying
// the policies README "Permissions" documents (demo-world.ts), runs the bundled
// bundles in dist/ under Node 24 exactly as the GitHub runner would (main step, then post step), and prints
// the log as the runner shows it, the job summary and the outputs.
import { DEFAULTS, sdkEnv, startStandIn } from '../standin/index.js';
import { runStep } from '../standin/index.js';
import { DEMO_INPUTS, DEMO_OIDC, demoWorld } from './demo-world.js';

const masked = new Set<string>();

/** The log as the runner displays it: masks applied, groups as headings, annotations spelled out. */
function asRunnerShowsIt(log: string): string {
  const lines: string[] = [];
  for (const line of log.split('\n')) {
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (command?.[1] === 'add-mask') {
      masked.add(command[2] ?? '');
      continue;
    }
    let text = line;
    if (command) {
      const [, name, message = ''] = command;
      if (name === 'debug' || name === 'endgroup') continue;
      text = name === 'group' ? `\n▶ ${message}` : `${name === 'error' ? 'Error' : name === 'warning' ? 'Warning' : name}: ${message.replace(/%0A/g, '\n')}`;
    }
    for (const secret of masked) if (secret) text = text.split(secret).join('***');
    lines.push(text);
  }
  return lines.join('\n').trim();
}

/** The job summary's HTML as plain text. */
function summaryText(html: string): string {
  return html
    .replace(/<details><summary>(.*?)<\/summary>[\s\S]*?<\/details>/g, '  ($1: collapsed)')
    .replace(/<h\d>(.*?)<\/h\d>/g, '\n## $1\n')
    .replace(/<\/t[dh]><t[dh]>/g, ' | ')
    .replace(/<tr>/g, '  ')
    .replace(/<\/tr>/g, '\n')
    .replace(/<li>/g, '  - ')
    .replace(/<\/li>/g, '\n')
    .replace(/<br>/g, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const started = Date.now();
const standin = await startStandIn(demoWorld(), { copyDurationMs: 3000, oidc: DEMO_OIDC });
try {
  const inputs = DEMO_INPUTS;
  console.log(`Local AWS stand-in on ${standin.url}: source account ${DEFAULTS.sourceAccount}, target account ${DEFAULTS.targetAccount}.`);
  console.log(`Promoting the unencrypted ${DEFAULTS.sourceAmiId} under ${DEFAULTS.sourceKeyArn}\ninto ${inputs['target-regions']} of the target account, under its ${DEFAULTS.targetKeyAlias} key.\n`);
  const env = sdkEnv(standin);
  const main = await runStep({ inputs, env });
  console.log('=== Log of the main step ===\n' + asRunnerShowsIt(main.log));
  const post = await runStep({ inputs, env, state: main.state });
  console.log('\n=== Log of the post step ===\n' + asRunnerShowsIt(post.log));
  console.log('\n=== Job summary ===\n' + summaryText(main.summary + post.summary));
  console.log('\n=== Outputs ===');
  for (const [name, value] of Object.entries(main.outputs)) console.log(`${name}: ${name === 'policies' ? `${value.slice(0, 100)}… (${value.length} characters)` : value}`);
  const shared = standin.calls({ operation: 'ModifySnapshotAttribute' }).length;
  console.log(`\nThe stand-in saw ${standin.calls().length} AWS calls (${shared} snapshot permission changes). Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  process.exitCode = main.code ?? 1;
} finally {
  await standin.close();
}
